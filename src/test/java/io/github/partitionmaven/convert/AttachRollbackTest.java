package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.report.PlanReport;
import io.github.partitionmaven.testing.ChatWriter;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * partition:rollback of a table converted with strategy attach, on the seed's DDL as written (testing/Seed: id SERIAL PRIMARY
 * KEY, nullable columns, created_at TIMESTAMP DEFAULT NOW()).
 */
@DatabaseTest
class AttachRollbackTest {

    private static final ConvertOptions ATTACH = ConvertOptions.DEFAULTS.withStrategy(ConvertOptions.Strategy.ATTACH);
    private static final ConvertOptions ROLLBACK = ATTACH;

    /** Everything of chat_history a rollback must give back: constraints, indexes, sequence, grants, comment. */
    private static List<String> definition(TestDb db) {
        List<String> out = new ArrayList<>(db.queryStrings("SELECT 'con ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE conrelid = 'chat_history'::regclass ORDER BY 1"));
        out.addAll(db.queryStrings("SELECT 'idx ' || pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'chat_history'::regclass ORDER BY 1"));
        out.addAll(db.queryStrings("SELECT 'seq ' || pg_get_serial_sequence('chat_history', 'id') || ' acl ' || relacl::text || ' comment '"
                + " || obj_description(oid, 'pg_class') || ' ' || col_description(oid, 4) FROM pg_class WHERE oid = 'chat_history'::regclass"));
        return out;
    }

    private static void convert(TestDb db) {
        convert(db, "chat_history");
    }

    /** {@code table} converted with attach: a table of another shape than the seed's goes by another name. */
    private static void convert(TestDb db, String table) {
        ConvertTest.engineFor(db, ATTACH, new Engines.RecordingLog(), Engines.month(table)).apply(Goal.CONVERT);
        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = '" + table + "'").get(0));
    }

    /** A seeded table converted with attach, then {@code rows} rows written hourly from {@code from}. */
    private static TestDb convertedWithNewRows(int seedRows, String from, int rows) {
        TestDb db = ConvertTest.seeded(seedRows);
        convert(db);
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) SELECT 1, 'user', 'new ' || g, timestamp '" + from + "'"
                + " + g * interval '1 hour' FROM generate_series(1, " + rows + ") g");
        return db;
    }

    private static Engines.RecordingLog rollback(TestDb db, ConvertOptions options) {
        return rollback(db, options, "chat_history");
    }

    private static Engines.RecordingLog rollback(TestDb db, ConvertOptions options, String table) {
        Engines.RecordingLog log = new Engines.RecordingLog();
        try {
            ConvertTest.engineFor(db, options, log, Engines.month(table)).apply(Goal.ROLLBACK);
        } finally {
            System.out.println(log.text());
        }
        return log;
    }

    @Test
    void bringsBackEveryRowWrittenSinceTheSwapAndTheOriginalNames() throws Exception {
        TestDb db = ConvertTest.seeded(3000);
        List<String> original = definition(db);
        convert(db);
        db.exec("CREATE TABLE chat_history_default PARTITION OF chat_history DEFAULT");
        try (ChatWriter writer = new ChatWriter(db, true, 0, LocalDateTime.of(2025, 12, 5, 0, 0), LocalDateTime.of(2027, 2, 25, 0, 0))) {
            // the writer waits: an UPDATE moving a row to another partition while the writer updates the same row fails with
            // "tuple to be locked was already moved to another partition due to concurrent update" (SQLSTATE 40001)
            db.exec("BEGIN", "LOCK TABLE chat_history IN EXCLUSIVE MODE",
                    "WITH x AS (INSERT INTO chat_history (user_id, role, content, created_at) SELECT 1 + g % 50, 'system', 'beyond the"
                            + " partitions ' || g, timestamp '2027-03-10' + g * interval '1 day' FROM generate_series(1, 20) g RETURNING *)"
                            + " INSERT INTO chat_ref SELECT * FROM x",
                    "WITH x AS (UPDATE chat_history SET created_at = created_at + interval '1 year', content = 'moved to a newer partition'"
                            + " WHERE id % 97 = 0 AND created_at < '2026-03-01' RETURNING *)"
                            + " UPDATE chat_ref r SET created_at = x.created_at, content = x.content FROM x WHERE r.id = x.id",
                    "WITH x AS (DELETE FROM chat_history WHERE created_at >= '2026-12-01' AND id % 5 = 0 RETURNING id)"
                            + " DELETE FROM chat_ref r USING x WHERE r.id = x.id",
                    "WITH x AS (UPDATE chat_history SET content = 'changed in a newer partition' WHERE created_at >= '2027-01-01'"
                            + " AND id % 3 = 0 RETURNING *) UPDATE chat_ref r SET content = x.content FROM x WHERE r.id = x.id", "COMMIT");
            Thread.sleep(1500);
            assertTrue(db.queryLong("SELECT count(*) FROM ONLY chat_history_2026_12") > 0, "rows were written to newer partitions");
            assertTrue(db.queryLong("SELECT count(*) FROM ONLY chat_history_old WHERE content LIKE 'written during%'") > 0,
                    "rows were written into the old partition's range");
            Engines.RecordingLog log = rollback(db, ROLLBACK);
            assertTrue(log.text().matches("(?s).*moved [1-9]\\d* row\\(s\\) from \"public\".\"chat_history_default\".*"), log.text());
            assertTrue(log.text().contains("ACCESS EXCLUSIVE held"), log.text());
            writer.finishAfter(50);
        }
        assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        assertEquals(ConvertTest.fingerprint(db, "chat_ref"), ConvertTest.fingerprint(db, "chat_history"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname ~ '^chat_history_(old|new|changes|conversion|20|default|rollback)'"));
        assertEquals(original, definition(db), "constraints, indexes, sequence, grants and comments as before the conversion");
        long max = db.queryLong("SELECT max(id) FROM chat_history");
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'after rollback', '2027-05-01')");
        assertEquals(max + 1, db.queryLong("SELECT id FROM chat_history WHERE content = 'after rollback'"), "ids continue past max(id)");

        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class, () -> rollback(db, ROLLBACK));
        assertTrue(e.getMessage().contains("nothing to roll back"), e.getMessage());
        assertEquals(before, db.snapshot());
    }

    @Test
    void theSeedsLiteralTableGetsBackTheNullableCreatedAtTheAttachMadeNotNull() {
        TestDb db = ConvertTest.seeded(1000);
        String nullable = "SELECT attname || ' ' || attnotnull FROM pg_attribute WHERE attrelid = 'chat_history'::regclass AND attnum > 0"
                + " AND NOT attisdropped ORDER BY attnum";
        List<String> original = definition(db);
        List<String> columns = db.queryStrings(nullable);
        assertTrue(columns.contains("created_at false"), columns.toString());
        convert(db);
        assertTrue(db.queryStrings(nullable).contains("created_at true"), "a partitioned table's key needs it");
        List<String> plan = new ArrayList<>();
        new PlanReport(ConvertTest.engine(db, ROLLBACK, new Engines.RecordingLog()).plan(Set.of(Goal.ROLLBACK)), "test").print(plan::add, plan::add);
        assertTrue(String.join("\n", plan).contains("\"created_at\" allowed NULL on \"public\".\"chat_history\" before the attach made it"
                + " NOT NULL; the rollback makes it nullable again."), String.join("\n", plan));
        rollback(db, ROLLBACK);
        assertEquals(columns, db.queryStrings(nullable), "every column's nullability as before the conversion");
        assertEquals(original, definition(db));
        db.exec("INSERT INTO chat_history (user_id, role, content) VALUES (1, 'user', 'no time, as the seed allows')");
    }

    @Test
    void identityAndNoPrimaryKeyComeBack() {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY, note text, created_at timestamptz NOT NULL)",
                "CREATE INDEX notes_created ON notes (created_at)",
                "INSERT INTO notes (note, created_at) SELECT 'n' || g, timestamptz '2026-06-01 00:00+00' + g * interval '1 hour'"
                        + " FROM generate_series(1, 500) g");
        convert(db, "notes");
        db.exec("INSERT INTO notes (note, created_at) VALUES ('old range', '2026-11-30 23:00+00'), ('newer', '2026-12-02 00:00+00'),"
                + " ('newest', '2027-02-02 00:00+00')");
        String expected = ConvertTest.fingerprint(db, "notes");
        rollback(db, ROLLBACK, "notes");
        assertEquals(expected, ConvertTest.fingerprint(db, "notes"));
        assertEquals(List.of("a"), db.queryStrings("SELECT attidentity::text FROM pg_attribute WHERE attrelid = 'notes'::regclass"
                + " AND attname = 'id'"));
        assertEquals(List.of("notes_created"), db.queryStrings("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid ="
                + " 'notes'::regclass"));
        assertEquals(List.of(), db.queryStrings("SELECT conname FROM pg_constraint WHERE conrelid = 'notes'::regclass AND contype = 'c'"));
        db.exec("INSERT INTO notes (note, created_at) VALUES ('after', now())");
        assertEquals(504, db.queryLong("SELECT id FROM notes WHERE note = 'after'"));
        assertThrows(IllegalStateException.class, () -> db.exec("INSERT INTO notes (id, note, created_at) VALUES (1, 'x', now())"),
                "GENERATED ALWAYS again");
    }

    @Test
    void quotedNamesDateKeyAndIdentityByDefault() {
        TestDb db = TestDb.fresh(getClass());
        String table = "\"App Data\".\"Chat \"\"Log\"\"\"";
        db.exec("CREATE SCHEMA \"App Data\"",
                "CREATE TABLE " + table + " (\"Key\" integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, body text, \"Day\" date NOT NULL)",
                "CREATE INDEX \"By Day\" ON " + table + " (\"Day\")",
                "INSERT INTO " + table + " (body, \"Day\") SELECT 'm' || g, date '2026-06-01' + g % 150 FROM generate_series(1, 400) g");
        String definition = "SELECT string_agg(pg_get_indexdef(indexrelid), '; ' ORDER BY pg_get_indexdef(indexrelid)) || ' ' || (SELECT attidentity::text FROM pg_attribute"
                + " WHERE attrelid = '" + table.replace("'", "''") + "'::regclass AND attname = 'Key') FROM pg_index WHERE indrelid = '"
                + table.replace("'", "''") + "'::regclass";
        List<String> original = db.queryStrings(definition);
        io.github.partitionmaven.policy.TableSpec spec = Engines.spec(table, "Day", "month", 2);
        ConvertTest.engineFor(db, ATTACH, new Engines.RecordingLog(), spec).apply(Goal.CONVERT);
        db.exec("INSERT INTO " + table + " (body, \"Day\") VALUES ('old range', '2026-11-30'), ('newer', '2027-01-15')",
                "UPDATE " + table + " SET \"Day\" = '2026-12-24' WHERE \"Key\" = 7");
        String rows = db.queryStrings("SELECT count(*) || ' ' || sum(hashtextextended(r::text, 0)) FROM " + table + " r").get(0);
        Engines.RecordingLog log = new Engines.RecordingLog();
        ConvertTest.engineFor(db, ROLLBACK, log, spec).apply(Goal.ROLLBACK);
        System.out.println(log.text());
        assertEquals(rows, db.queryStrings("SELECT count(*) || ' ' || sum(hashtextextended(r::text, 0)) FROM " + table + " r").get(0));
        assertEquals(original, db.queryStrings(definition));
        db.exec("INSERT INTO " + table + " (body, \"Day\") VALUES ('after', '2026-12-01')");
        assertEquals(403, db.queryLong("SELECT \"Key\" FROM " + table + " WHERE body = 'after'"));
    }

    @Test
    void primaryKeyThatIncludedThePartitionColumnStaysAsItWas() {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE TABLE notes (id bigserial, note text, created_at timestamp NOT NULL, CONSTRAINT notes_key PRIMARY KEY (id, created_at))",
                "INSERT INTO notes (note, created_at) SELECT 'n' || g, timestamp '2026-06-01' + g * interval '1 hour' FROM generate_series(1, 200) g");
        String keys = "SELECT string_agg(pg_get_indexdef(indexrelid) || ' ' || coalesce(obj_description(indexrelid, 'pg_class'), '-'), '; ')"
                + " FROM pg_index WHERE indrelid = 'notes'::regclass";
        List<String> original = db.queryStrings(keys);
        convert(db, "notes");
        db.exec("INSERT INTO notes (note, created_at) VALUES ('newer', '2027-01-05')");
        String expected = ConvertTest.fingerprint(db, "notes");
        Engines.RecordingLog log = rollback(db, ROLLBACK, "notes");
        assertTrue(log.text().contains("[1/1]"), "no primary key to rebuild: " + log.text());
        assertEquals(expected, ConvertTest.fingerprint(db, "notes"));
        assertEquals(original, db.queryStrings(keys));
    }

    @Test
    void killedInsideTheTransactionLeavesTheConvertedStateThenCompletes() {
        TestDb db = convertedWithNewRows(1000, "2026-12-01", 100);
        db.exec("COMMENT ON INDEX chat_history_pkey_old IS NULL");  // as a conversion made before the attach marked its key leaves it
        String converted = db.snapshot();
        String expected = ConvertTest.fingerprint(db, "chat_history");
        ResumeTest.KillingLog kill = new ResumeTest.KillingLog("moved 100 row(s)", 1);
        ResumeTest.assertKilled(() -> ConvertTest.engine(db, ROLLBACK, kill).apply(Goal.ROLLBACK), kill);
        assertEquals(converted.replaceAll("(?m)^.*chat_history_rollback_key.*\\n?", ""), db.snapshot().replaceAll(
                "(?m)^.*chat_history_rollback_key.*\\n?", ""), "still converted; only the prepared index exists");
        rollback(db, ROLLBACK);
        assertEquals(expected, ConvertTest.fingerprint(db, "chat_history"));
        assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        assertEquals(List.of("PRIMARY KEY (id)"), db.queryStrings(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'chat_history'::regclass AND contype = 'p'"));
    }

    @Test
    void rowsMissingAfterTheMoveUndoEverything() {
        TestDb db = convertedWithNewRows(500, "2027-01-01", 30);
        db.exec("CREATE FUNCTION drop_moved() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " RETURN CASE WHEN NEW.created_at >= '2027-01-01 12:00' THEN NULL ELSE NEW END; END $$",
                "CREATE TRIGGER lose_rows BEFORE INSERT ON chat_history_old FOR EACH ROW EXECUTE FUNCTION drop_moved()");
        String converted = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class, () -> rollback(db, ROLLBACK));
        assertTrue(e.getMessage().contains("the newer partitions held 30 row(s), 11 were inserted") && e.getMessage().contains("Nothing was changed"),
                e.getMessage());
        assertEquals(PartitionException.Kind.DATABASE_STATE, e.kind());
        assertEquals(converted.replaceAll("(?m)^.*chat_history_rollback_key.*\\n?", ""), db.snapshot().replaceAll(
                "(?m)^.*chat_history_rollback_key.*\\n?", ""), "still converted; only the prepared index exists");
    }

    @Test
    void planShowsTheRollbackSteps() {
        TestDb db = convertedWithNewRows(1000, "2027-01-01", 42);
        String before = db.snapshot();
        PartitionPlan plan = ConvertTest.engine(db, ROLLBACK, new Engines.RecordingLog()).plan(Set.of(Goal.ROLLBACK));
        assertEquals(before, db.snapshot(), "planning changes nothing");
        List<String> lines = new ArrayList<>();
        new PlanReport(plan, "test").print(lines::add, lines::add);
        String text = String.join("\n", lines);
        System.out.println(text);
        assertTrue(text.contains("build unique index \"chat_history_rollback_key\" (id) on \"public\".\"chat_history_old\""), text);
        assertTrue(text.contains("roll back the attach: move the rows of 3 newer partition(s) into \"public\".\"chat_history_old\""), text);
        assertTrue(text.contains("INSERT INTO \"public\".\"chat_history_old\" (\"id\", \"user_id\", \"role\", \"content\", \"created_at\")"
                + " OVERRIDING SYSTEM VALUE SELECT \"id\", \"user_id\", \"role\", \"content\", \"created_at\" FROM \"public\".\"chat_history_2027_01\""), text);
        assertTrue(text.contains("ALTER TABLE \"public\".\"chat_history\" DETACH PARTITION \"public\".\"chat_history_old\""), text);
        assertTrue(text.contains("ALTER TABLE \"public\".\"chat_history\" ADD CONSTRAINT \"chat_history_pkey\" PRIMARY KEY USING INDEX"
                + " \"chat_history_rollback_key\""), text);
        assertTrue(text.contains("ALTER INDEX \"public\".\"idx_chat_history_created_old\" RENAME TO \"idx_chat_history_created\""), text);
        assertTrue(text.contains("lock:  ACCESS EXCLUSIVE on \"public\".\"chat_history\""), text);
        assertTrue(text.contains("lock:  ACCESS EXCLUSIVE on \"public\".\"users\""), text);
        assertTrue(text.contains("rows:  42"), text);
        assertEquals(2, plan.steps().size());
    }

    @Test
    void refusalsChangeNothing() throws Exception {
        TestDb db = convertedWithNewRows(500, "2027-02-01", 11);
        String before = db.snapshot();

        PartitionException tooMany = assertThrows(PartitionException.class, () -> rollback(db, ROLLBACK.withRollbackMaxRows(10L)));
        assertTrue(tooMany.getMessage().contains("hold more than 10 rows") && tooMany.getMessage().contains("<rollbackMaxRows>")
                && tooMany.getMessage().endsWith("Nothing was changed."), tooMany.getMessage());
        assertEquals(before, db.snapshot());

        db.exec("CREATE MATERIALIZED VIEW recent_chat AS SELECT * FROM chat_history WHERE created_at > '2026-11-01'");
        String withView = db.snapshot();
        PartitionException view = assertThrows(PartitionException.class, () -> rollback(db, ROLLBACK));
        assertTrue(view.getMessage().contains("\"public\".\"recent_chat\" (materialized view)") && view.getMessage().contains("drop them, roll back"),
                view.getMessage());
        assertEquals(withView, db.snapshot());
        db.exec("DROP MATERIALIZED VIEW recent_chat");

        db.exec("CREATE TABLE chat_feedback (id bigint, chat_id bigint, chat_at timestamp, FOREIGN KEY (chat_id, chat_at)"
                + " REFERENCES chat_history (id, created_at))");
        String withFk = db.snapshot();
        PartitionException fk = assertThrows(PartitionException.class, () -> rollback(db, ROLLBACK));
        assertTrue(fk.getMessage().contains("on public.chat_feedback") && fk.getMessage().contains("Drop them first"), fk.getMessage());
        assertEquals(withFk, db.snapshot());
        db.exec("DROP TABLE chat_feedback");

        leaveDetachPending(db, "chat_history_2027_02");
        String pending = db.snapshot();
        PartitionException detach = assertThrows(PartitionException.class, () -> rollback(db, ROLLBACK));
        assertTrue(detach.getMessage().contains("\"public\".\"chat_history_2027_02\"") && detach.getMessage().contains("FINALIZE"),
                detach.getMessage());
        assertEquals(pending, db.snapshot());
    }

    /** An interrupted DETACH ... CONCURRENTLY: it waits for a transaction still using the table and is cancelled. */
    private static void leaveDetachPending(TestDb db, String partition) throws SQLException {
        try (Connection reader = db.connect(); Connection detacher = db.connect(); Statement r = reader.createStatement();
             Statement d = detacher.createStatement()) {
            reader.setAutoCommit(false);
            r.execute("SELECT count(*) FROM chat_history");
            d.execute("SET statement_timeout = '1s'");
            assertThrows(SQLException.class, () -> d.execute("ALTER TABLE chat_history DETACH PARTITION " + partition + " CONCURRENTLY"));
            reader.commit();
        }
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_inherits WHERE inhdetachpending"));
    }
}
