package io.github.partitionmaven.epoch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.convert.ConvertPlanner;
import io.github.partitionmaven.convert.RollbackPlanner;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.premake.PremakePlanner;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.MirroredWriter;
import io.github.partitionmaven.testing.TestDb;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The zoo's epoch-keyed tables, loaded verbatim from src/test/resources/zoo/ (see its README for sources), converted by
 * copy under a writer that inserts, updates and deletes and keeps a mirror in the same statements, or refused before any
 * change with a message naming the fix.
 */
@DatabaseTest
class EpochZooTest {

    static final String NOW = "2026-11-24T10:00:00";
    static final long FROM = Instant.parse("2025-12-03T00:00:00Z").getEpochSecond();
    static final long TO = Instant.parse("2026-11-20T00:00:00Z").getEpochSecond();

    static TestDb zoo(String file) throws IOException {
        TestDb db = TestDb.fresh(EpochZooTest.class);
        try (InputStream in = EpochZooTest.class.getResourceAsStream("/zoo/" + file)) {
            db.exec(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        return db;
    }

    /** SQL spreading row {@code g} of {@code rows} over 2025-12-03 .. 2026-11-20, in epoch seconds times {@code per}. */
    static String time(int rows, long per) {
        return "(" + FROM + " + (g::bigint * 7919 % " + rows + ") * (" + (TO - FROM) / rows + "))::bigint * " + per;
    }

    static void convertUnderWriter(TestDb db, TableSpec spec, String table, String key, String insert, String update) throws Exception {
        Engines.RecordingLog log = new Engines.RecordingLog();
        String mirror = table.replace('.', '_') + "_mirror";
        try (MirroredWriter w = EpochTest.writer(db, table, key, mirror, insert, update)) {
            w.after(50);
            try {
                Engines.engine(db, NOW, "UTC", log, List.of(new ConvertPlanner(ConvertOptions.DEFAULTS.withBatchSize(500)),
                        new RollbackPlanner(ConvertOptions.DEFAULTS), new PremakePlanner()), spec).apply(Goal.CONVERT);
            } finally {
                System.out.println(log.text());
            }
            w.finishAfter(w.ops() + 50);
            System.out.printf("%s: writer %d ops, longest stall %.1f ms%n", table, w.ops(), w.longestStallMillis());
            assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE oid = '" + table + "'::regclass").get(0));
            w.assertTableEqualsMirror();
        }
        assertEquals(15, db.partitions(table).size(), db.partitions(table).toString());
    }

    @Test
    void mattermostPostsByMillisecondCreateatConvertsUnderAWriter() throws Exception {
        TestDb db = zoo("mattermost.sql");
        db.exec("INSERT INTO mattermost.posts (id, createat, updateat, deleteat, userid, channelid, message, type, props, hashtags,"
                + " filenames) SELECT lpad(g::text, 26, 'p'), " + time(3000, 1000) + ", " + time(3000, 1000) + ", 0, 'u' || g % 9,"
                + " 'c' || g % 4, 'message number ' || g, '', '{}', '', '[]' FROM generate_series(1, 3000) g", "ANALYZE mattermost.posts");
        long ms = Instant.parse("2026-11-24T10:00:00Z").toEpochMilli();
        convertUnderWriter(db, new TableSpec("mattermost.posts", "createat", "month", null, null, null, null, null).withEpochUnit("milliseconds"),
                "mattermost.posts", "id", "INSERT INTO mattermost.posts (id, createat, updateat, deleteat, message) VALUES ('w' || nextval('writes'), "
                        + ms + ", " + ms + ", 0, 'written meanwhile')", "message = message || ' (edited)', updateat = updateat + 1");
        assertTrue(db.partitions("mattermost.posts").get(0).startsWith("posts_2025_12 FOR VALUES FROM ('"
                + Instant.parse("2025-12-01T00:00:00Z").toEpochMilli() + "')"), db.partitions("mattermost.posts").toString());
        assertEquals("true", db.queryStrings("SELECT attnotnull::text FROM pg_attribute WHERE attrelid = 'mattermost.posts'::regclass"
                + " AND attname = 'createat'").get(0), "nullable with no NULL: NOT NULL on the partitioned table");
        assertEquals(2, db.queryLong("SELECT count(*) FROM pg_indexes WHERE schemaname = 'mattermost' AND tablename = 'posts'"
                + " AND indexdef LIKE '%gin (to_tsvector(%'"), "the expression indexes came along");
    }

    @Test
    void powerdnsCommentsByIntegerSecondsConvertsUnderAWriter() throws Exception {
        TestDb db = zoo("powerdns.sql");
        db.exec("INSERT INTO pdns.domains (name, type) VALUES ('example.org', 'NATIVE')",
                "INSERT INTO pdns.comments (domain_id, name, type, modified_at, account, comment) SELECT 1, 'host' || g || '.example.org',"
                        + " 'A', " + time(3000, 1) + ", 'ops', 'comment ' || g FROM generate_series(1, 3000) g", "ANALYZE pdns.comments");
        long s = Instant.parse("2026-11-24T10:00:00Z").getEpochSecond();
        convertUnderWriter(db, new TableSpec("pdns.comments", "modified_at", "month", null, null, null, null, null).withEpochUnit("seconds"),
                "pdns.comments", "id", "INSERT INTO pdns.comments (domain_id, name, type, modified_at, comment) VALUES (1, 'w' || nextval('writes'), 'A', "
                        + s + ", 'written meanwhile')", "comment = comment || ' (edited)'");
        assertTrue(db.partitions("pdns.comments").get(0).startsWith("comments_2025_12 FOR VALUES FROM ("
                + Instant.parse("2025-12-01T00:00:00Z").getEpochSecond() + ")"), db.partitions("pdns.comments").toString());
        assertEquals(List.of("c_lowercase_name CHECK (((name)::text = lower((name)::text)))",
                        "domain_exists FOREIGN KEY (domain_id) REFERENCES pdns.domains(id) ON DELETE CASCADE"),
                db.queryStrings("SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'pdns.comments'::regclass"
                        + " AND contype IN ('c', 'f') ORDER BY 1"));
        db.exec("DELETE FROM pdns.domains");
        assertEquals(0, db.queryLong("SELECT count(*) FROM pdns.comments"), "ON DELETE CASCADE still reaches the partitions");
    }

    @Test
    void synapseEventsIsRefusedBeforeAnyChangeNamingTheFix() throws Exception {
        TestDb db = zoo("synapse.sql");
        db.exec("INSERT INTO synapse.events (topological_ordering, event_id, type, room_id, processed, outlier, origin_server_ts,"
                + " stream_ordering) SELECT g, '$e' || g, 'm.room.message', '!r', true, false, " + time(1000, 1000) + ", g"
                + " FROM generate_series(1, 1000) g", "ANALYZE synapse.events");
        String before = db.snapshot();
        TableSpec spec = new TableSpec("synapse.events", "origin_server_ts", "month", null, null, null, null, null)
                .withEpochUnit("milliseconds");
        PartitionException e = assertThrows(PartitionException.class, () -> Engines.engine(db, NOW, "UTC", new Engines.RecordingLog(),
                List.of(new ConvertPlanner(ConvertOptions.DEFAULTS), new PremakePlanner()), spec).apply(Goal.CONVERT));
        System.out.println("synapse.events: " + e.getMessage());
        assertTrue(e.getMessage().contains("synapse") && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
        assertEquals(before, db.snapshot());
    }

    /** The refusal of {@code spec}'s table, asserted to leave the database as it was. */
    private static String refused(TestDb db, TableSpec spec) {
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class, () -> Engines.engine(db, NOW, "UTC", new Engines.RecordingLog(),
                List.of(new ConvertPlanner(ConvertOptions.DEFAULTS), new PremakePlanner()), spec).apply(Goal.CONVERT));
        System.out.println(spec.name() + ": " + e.getMessage());
        assertTrue(e.getMessage().endsWith("Nothing was changed."), e.getMessage());
        assertEquals(before, db.snapshot());
        return e.getMessage();
    }

    /** Nullable epoch columns, loaded as the zoo loads them (every 50th time NULL): refused, the message naming the column. */
    @Test
    void mattermostAuditsAndPowerdnsRecordsWithNullTimesAreRefusedNamingTheColumn() throws Exception {
        TestDb mattermost = zoo("mattermost.sql");
        mattermost.exec("INSERT INTO mattermost.audits (id, createat, userid, action) SELECT lpad(g::text, 26, 'a'), CASE WHEN g % 50 = 0"
                + " THEN NULL ELSE " + time(3000, 1000) + " END, 'u' || g % 9, '/api/v4/users/login' FROM generate_series(1, 3000) g",
                "ANALYZE mattermost.audits");
        String m = refused(mattermost, new TableSpec("mattermost.audits", "createat", "month", null, null, null, null, null)
                .withEpochUnit("milliseconds"));
        assertTrue(m.startsWith("60 row(s) of \"mattermost\".\"audits\" have a NULL \"createat\""), m);

        TestDb pdns = zoo("powerdns.sql");
        pdns.exec("INSERT INTO pdns.domains (name, type) VALUES ('example.org', 'NATIVE')",
                "INSERT INTO pdns.records (domain_id, name, type, content, ttl, change_date) SELECT 1, 'host' || g || '.example.org', 'A',"
                        + " '192.0.2.' || g % 250, 3600, CASE WHEN g % 50 = 0 THEN NULL ELSE " + time(3000, 1) + " END FROM generate_series(1, 3000) g",
                "ANALYZE pdns.records");
        String r = refused(pdns, new TableSpec("pdns.records", "change_date", "month", null, null, null, null, null).withEpochUnit("seconds"));
        assertTrue(r.startsWith("60 row(s) of \"pdns\".\"records\" have a NULL \"change_date\""), r);
    }
}
