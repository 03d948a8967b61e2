package io.github.partitionmaven.prune;

import static io.github.partitionmaven.prune.PruneFixture.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.execute.TableLock;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.nio.file.Files;
import java.sql.Connection;
import java.time.Duration;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prune in archive mode, then restore: the same rows, every column, on a table whose names need quoting. */
@DatabaseTest
class RestoreTest {

    private static final String TABLE = "\"Ev\"\"ents\"";
    /** A partition name that is not safe in a file name. */
    private static final String JANUARY = "\"P 2026/01\"";
    private static final TableSpec SPEC = new TableSpec("\"Ev\"\"ents\"", "created at", "month", null, null, "3 months", "archive", null);

    @TempDir
    Path archives;

    @Test
    void pruneThenRestoreGivesIdenticalRows() {
        TestDb db = seed();
        Map<String, String> before = new LinkedHashMap<>();
        for (String p : List.of(JANUARY, "p_2026_02", "p_2026_03")) {
            before.put(p, PruneFixture.checksum(db, p));
        }
        List<String> partitions = db.partitions("\"Ev\"\"ents\"");
        String whole = PruneFixture.checksum(db, TABLE);

        engine(db, "2026-07-01", "Europe/Berlin", archives, new Engines.RecordingLog(), SPEC).apply(Goal.PRUNE);
        assertEquals(3, db.partitions(TABLE).size());

        String kept = indexes(db, "p_2026_04");
        assertEquals(4, kept.split("; ").length, kept);
        for (String p : before.keySet()) {
            Engines.RecordingLog log = new Engines.RecordingLog();
            engine(db, "2026-07-01", "Europe/Berlin", archives, log, SPEC).apply(ArchiveRestore.planner(manifest(p), Optional.empty()));
            assertEquals(before.get(p), PruneFixture.checksum(db, p), p);
            assertEquals(kept, indexes(db, p), p + " has the parent's keys and indexes, built after the load, each attached, no other");
            assertTrue(log.text().contains("built 4/4 of the parent's keys and indexes on "), log.text());
            assertTrue(db.queryLong("SELECT count(*) FROM pg_statistic WHERE starelid = '" + p + "'::regclass") > 0,
                    p + " comes back with its statistics, for the parent's first queries");
        }
        assertEquals(partitions, db.partitions(TABLE));
        assertEquals(whole, PruneFixture.checksum(db, TABLE));

        restorer(db).apply(ArchiveRestore.planner(manifest("p_2026_02"), Optional.of(TableName.parse("\"Old Feb\""))));
        // The archive holds the stored columns; the generated one is computed again by a table that defines it.
        String stored = "\"Id\", \"created at\", payload, blob, tags, note, amount";
        assertEquals(PruneFixture.checksum(db, "(SELECT " + stored + " FROM p_2026_02)"),
                PruneFixture.checksum(db, "(SELECT " + stored + " FROM \"Old Feb\")"), "loaded into a new table of the user's naming");
        restorer(db).apply(ArchiveRestore.planner(manifest(JANUARY), Optional.of(TableName.parse("\"Old Feb\""))));
        assertEquals(db.queryLong("SELECT count(*) FROM " + JANUARY) + db.queryLong("SELECT count(*) FROM p_2026_02"),
                db.queryLong("SELECT count(*) FROM \"Old Feb\""), "appended to an existing table");
    }

    /** A partition's indexes: the parent's index each is attached to, its constraint type and its definition from USING on. */
    private static String indexes(TestDb db, String partition) {
        return db.queryStrings("SELECT string_agg(coalesce(ih.inhparent::regclass::text, 'unattached') || ' ' || coalesce(con.contype::text, '-')"
                + " || substring(pg_get_indexdef(i.indexrelid) from ' USING .*$'), '; ' ORDER BY 1) FROM pg_index i"
                + " LEFT JOIN pg_inherits ih ON ih.inhrelid = i.indexrelid LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid"
                + " AND con.conrelid = i.indrelid WHERE i.indrelid = '" + partition.replace("'", "''") + "'::regclass").get(0);
    }

    /** Persistence, storage parameters (the TOAST table's too) and replica identity of a partition, as the catalog has them. */
    private static String properties(TestDb db, String partition) {
        return db.queryStrings("SELECT c.relpersistence::text || ' ' || coalesce(array_to_string(c.reloptions, ','), '') || ' toast '"
                + " || coalesce((SELECT array_to_string(t.reloptions, ',') FROM pg_class t WHERE t.oid = c.reltoastrelid), '') || ' '"
                + " || c.relreplident::text || coalesce(' ' || (SELECT i.indexrelid::regclass::text FROM pg_index i WHERE i.indrelid = c.oid"
                + " AND i.indisreplident), '') FROM pg_class c WHERE c.oid = '" + partition.replace("'", "''") + "'::regclass").get(0);
    }

    @Test
    void aRestoredPartitionGetsBackThePersistenceStorageParametersAndReplicaIdentityItWasArchivedWith() throws Exception {
        TestDb db = seed();
        db.exec("ALTER TABLE " + JANUARY + " SET UNLOGGED",
                "ALTER TABLE p_2026_02 SET (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02, toast.autovacuum_enabled = false)",
                "ALTER TABLE p_2026_02 REPLICA IDENTITY FULL",
                // USING INDEX on a partition that stays too, so the restored one has an index of the parent to follow
                "ALTER TABLE p_2026_03 REPLICA IDENTITY USING INDEX p_2026_03_pkey", "ALTER TABLE p_2026_06 REPLICA IDENTITY USING INDEX p_2026_06_pkey");
        Map<String, String> before = new LinkedHashMap<>();
        for (String p : List.of(JANUARY, "p_2026_02", "p_2026_03")) {
            before.put(p, properties(db, p));
        }
        assertEquals("u  toast  d", before.get(JANUARY));
        assertEquals("p fillfactor=80,autovacuum_vacuum_scale_factor=0.02 toast autovacuum_enabled=false f", before.get("p_2026_02"));
        assertEquals("p  toast  i p_2026_03_pkey", before.get("p_2026_03"));
        engine(db, "2026-07-01", "Europe/Berlin", archives, new Engines.RecordingLog(), SPEC).apply(Goal.PRUNE);
        assertTrue(Files.readString(manifest("p_2026_02")).contains("\"replicaIdentity\": \"full\""), Files.readString(manifest("p_2026_02")));

        for (String p : before.keySet()) {
            String reason = restorer(db).apply(ArchiveRestore.planner(manifest(p), Optional.empty())).get(0).reason();
            assertTrue(reason.contains("as it was archived: "), reason);
            // the identity index's name is PostgreSQL's choice for the restored table (LIKE): the one attached to the parent's key
            assertEquals(before.get(p).replaceAll("p_2026_03_\\w+", "its key"), properties(db, p).replaceAll("p_2026_03_\\w+", "its key"), p);
        }

        // a manifest written before these were kept restores as before: nothing beyond LIKE
        engine(db, "2026-08-01", "Europe/Berlin", archives, new Engines.RecordingLog(), SPEC).apply(Goal.PRUNE);
        Path older = manifest("p_2026_04");
        Files.writeString(older, Files.readString(older).replaceAll(",\\s*\"(unlogged|storageParameters|replicaIdentity)\": (false|true|\\{[^}]*\\}|\"[a-z]+\")", ""));
        assertFalse(Files.readString(older).contains("replicaIdentity"), Files.readString(older));
        restorer(db).apply(ArchiveRestore.planner(older, Optional.empty()));
        assertEquals("p  toast  d", properties(db, "p_2026_04"));
    }

    @Test
    void aRestoredPartitionGoesToTheTablespaceWhereItsParentCreatesPartitions() throws Exception {
        TestDb db = seed();
        String tablespace = db.createTablespace("partitions");
        // on a partitioned table this moves no partition: it says where new ones go, as PARTITION OF would put them
        db.exec("ALTER TABLE " + TABLE + " SET TABLESPACE " + tablespace);
        // and an index of the parent in it: where its partitions' indexes go (pg_get_indexdef does not say; LIKE does the same)
        db.exec("ALTER INDEX \"by note\" SET TABLESPACE " + tablespace);
        String before = PruneFixture.checksum(db, JANUARY);
        engine(db, "2026-07-01", "Europe/Berlin", archives, new Engines.RecordingLog(), SPEC).apply(Goal.PRUNE);

        restorer(db).apply(ArchiveRestore.planner(manifest(JANUARY), Optional.empty()));
        assertEquals(before, PruneFixture.checksum(db, JANUARY));
        assertEquals(List.of(tablespace), db.queryStrings("SELECT s.spcname FROM pg_class c JOIN pg_tablespace s ON s.oid = c.reltablespace"
                + " WHERE c.oid = '" + JANUARY.replace("'", "''") + "'::regclass"));
        assertEquals(List.of(tablespace), db.queryStrings("SELECT s.spcname FROM pg_inherits ih JOIN pg_class x ON x.oid = ih.inhrelid"
                + " JOIN pg_index i ON i.indexrelid = x.oid JOIN pg_tablespace s ON s.oid = x.reltablespace"
                + " WHERE ih.inhparent = '\"by note\"'::regclass AND i.indrelid = '" + JANUARY.replace("'", "''") + "'::regclass"));
    }

    @Test
    void rowsThatReachedTheDefaultPartitionAfterTheArchiveMoveIntoTheRestoredMonthWhoseStepNamesTheDefaultsLock() throws Exception {
        TestDb db = seed();
        engine(db, "2026-07-01", "Europe/Berlin", archives, new Engines.RecordingLog(), SPEC).apply(Goal.PRUNE);
        db.exec("CREATE TABLE \"Ev\"\"ents default\" PARTITION OF " + TABLE + " DEFAULT",
                "INSERT INTO " + TABLE + " (\"created at\", note) VALUES ('2026-02-10 12:00:00+01', 'late'), ('2026-02-28 23:30:00+01', 'late'),"
                        + " ('2026-03-01 00:00:00+01', 'next month'), ('2025-12-24 18:00:00+01', 'older')");
        long archived = db.queryLong("SELECT (SELECT rows FROM json_to_record(pg_read_file('" + manifest("p_2026_02") + "')::json) AS m(rows bigint))");

        List<io.github.partitionmaven.plan.Step> plan = restorer(db).plan(ArchiveRestore.planner(manifest("p_2026_02"), Optional.empty()));
        assertTrue(plan.get(0).locks().toString().contains("ACCESS EXCLUSIVE on \"public\".\"Ev\"\"ents default\""), plan.get(0).locks().toString());
        assertTrue(plan.get(0).reason().contains("moves the 2 row(s) of its range out of the default partition \"public\".\"Ev\"\"ents default\""
                + " first (written after the archive, they would fail the ATTACH). The archive lacks them: a later prune of \"public\".\"p_2026_02\""
                + " stops before its DROP until "), plan.get(0).reason());

        restorer(db).apply(ArchiveRestore.planner(manifest("p_2026_02"), Optional.empty()));
        assertEquals(archived + 2, db.queryLong("SELECT count(*) FROM p_2026_02"), "the archive's rows and the two late ones");
        assertEquals(List.of("next month", "older"), db.queryStrings("SELECT note FROM \"Ev\"\"ents default\" ORDER BY note"));

        // as the reason says: the next prune keeps the month until the old archive is moved away, then archives all of it
        String before = PruneFixture.checksum(db, "p_2026_02");
        assertThrows(PartitionException.class, () -> restorer(db).apply(Goal.PRUNE));
        assertEquals(before, PruneFixture.checksum(db, "p_2026_02"), "kept");
        Path old = Files.createDirectory(archives.resolve("old"));
        Files.move(manifest("p_2026_02"), old.resolve("manifest.json"));
        Files.move(archives.resolve(files("p_2026_02").data()), old.resolve("data"));
        restorer(db).apply(Goal.PRUNE);
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'p_2026_02'"));
        restorer(db).apply(ArchiveRestore.planner(manifest("p_2026_02"), Optional.empty()));
        assertEquals(before, PruneFixture.checksum(db, "p_2026_02"), "archived again with the late rows");
    }

    @Test
    void aRestoreWaitsWhileAnotherRunHoldsTheTable() throws Exception {
        TestDb db = seed();
        engine(db, "2026-07-01", "Europe/Berlin", archives, new Engines.RecordingLog(), SPEC).apply(Goal.PRUNE);
        try (Connection other = db.connect()) {
            TableLock held = TableLock.acquire(other, TableName.parse("public." + TABLE), Duration.ofSeconds(5), new Engines.RecordingLog());
            CompletableFuture<Void> restore = CompletableFuture.runAsync(
                    () -> restorer(db).apply(ArchiveRestore.planner(manifest("p_2026_02"), Optional.empty())));
            Thread.sleep(1000);
            assertFalse(restore.isDone(), "waits for the other run's lock on " + TABLE);
            assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'p_2026_02'"));
            held.close();
            restore.get(30, TimeUnit.SECONDS);
        }
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'p_2026_02'"), "restored once the lock was free");
    }

    @Test
    void aRestoreThatWouldNotMatchChangesNothing() throws Exception {
        TestDb db = seed();
        engine(db, "2026-07-01", "Europe/Berlin", archives, new Engines.RecordingLog(), SPEC).apply(Goal.PRUNE);
        db.exec("CREATE TABLE p_2026_03 (x int)");
        String before = db.snapshot();

        PartitionException exists = assertThrows(PartitionException.class,
                () -> restorer(db).apply(ArchiveRestore.planner(manifest("p_2026_03"), Optional.empty())));
        assertTrue(exists.getMessage().contains("already exists") && exists.getMessage().contains("restoreTarget"), exists.getMessage());

        Path edited = manifest("p_2026_02");
        Files.writeString(edited, Files.readString(edited).replace("\"jsonb\"", "\"jsonb); DROP TABLE p_2026_03; --\""));
        PartitionException injected = assertThrows(PartitionException.class, () -> restorer(db).apply(ArchiveRestore.planner(edited, Optional.of(TableName.parse("fresh")))));
        assertTrue(injected.getMessage().contains("does not know"), injected.getMessage());

        Path outside = manifest("p_2026_03");
        String original = Files.readString(outside);
        Files.copy(archives.resolve(files("p_2026_03").data()), archives.getParent().resolve(files("p_2026_03").data()),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        for (String file : List.of("../" + files("p_2026_03").data(), archives.getParent().resolve(files("p_2026_03")
                .data()).toString())) {
            Files.writeString(outside, original.replaceFirst("\"file\": \"[^\"]*\"", "\"file\": \"" + file.replace("\\", "\\\\") + "\""));
            PartitionException escaped = assertThrows(PartitionException.class,
                    () -> restorer(db).apply(ArchiveRestore.planner(outside, Optional.of(TableName.parse("fresh")))));
            assertTrue(escaped.getMessage().contains("not a file in the manifest's own directory")
                    && escaped.getMessage().endsWith("Nothing was changed."), escaped.getMessage());
        }
        Files.writeString(outside, original);
        Files.delete(archives.getParent().resolve(files("p_2026_03").data()));

        Path data = archives.resolve(files(JANUARY).data());
        assertTrue(data.getFileName().toString().matches("public\\.P_2026_01-[0-9a-f]{8}\\.csv\\.gz"), data.toString());
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length - 9] ^= 1; // inside the gzip trailer's CRC: the content reads, the checksum does not match
        Files.write(data, bytes);
        PartitionException tampered = assertThrows(PartitionException.class,
                () -> restorer(db).apply(ArchiveRestore.planner(manifest(JANUARY), Optional.empty())));
        assertTrue(tampered.getMessage().contains("nothing was changed") || tampered.getMessage().contains("Nothing was changed"),
                tampered.getMessage());
        assertEquals(before, db.snapshot());
    }

    private TestDb seed() {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE TABLE " + TABLE + " (\"Id\" bigint GENERATED ALWAYS AS IDENTITY, \"created at\" timestamptz NOT NULL,"
                + " payload jsonb, blob bytea, tags text[], note text, amount numeric(12, 4),"
                + " doubled numeric GENERATED ALWAYS AS (amount * 2) STORED, PRIMARY KEY (\"Id\", \"created at\"))"
                + " PARTITION BY RANGE (\"created at\")");
        // a partial index with a non-default opclass, an expression index with INCLUDE, a unique constraint beside the key
        db.exec("CREATE INDEX \"by note\" ON " + TABLE + " (note text_pattern_ops) WHERE note <> ''",
                "CREATE INDEX ON " + TABLE + " (lower(note)) INCLUDE (amount)",
                "ALTER TABLE " + TABLE + " ADD CONSTRAINT \"one amount an instant\" UNIQUE (\"created at\", amount)");
        String[] b = {"2026-01-01 00:00:00+01", "2026-02-01 00:00:00+01", "2026-03-01 00:00:00+01", "2026-04-01 00:00:00+02",
                "2026-05-01 00:00:00+02", "2026-06-01 00:00:00+02", "2026-07-01 00:00:00+02"};
        for (int i = 0; i + 1 < b.length; i++) {
            String name = i == 0 ? JANUARY : "p_2026_0" + (i + 1);
            db.exec("CREATE TABLE " + name + " PARTITION OF " + TABLE + " FOR VALUES FROM ('" + b[i] + "') TO ('" + b[i + 1] + "')");
        }
        db.exec("INSERT INTO " + TABLE + " (\"created at\", payload, blob, tags, note, amount)"
                + " SELECT timestamptz '2026-01-01 00:00:00+01' + g * interval '37 minutes',"
                + " jsonb_build_object('g', g, 's', 'quote \" and, comma'), decode(md5(g::text), 'hex'), ARRAY['a', g::text, NULL],"
                + " CASE g % 4 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'two' || chr(10) || 'lines, \"quoted\" \\ backslash'"
                + " ELSE 'ünïcödé' END, g / 7.0 FROM generate_series(0, 7000) g");
        return db;
    }

    private PartitionEngine restorer(TestDb db) {
        return engine(db, "2026-07-01", "Europe/Berlin", archives, new Engines.RecordingLog(), SPEC);
    }

    private Path manifest(String partition) {
        return archives.resolve(files(partition).manifest());
    }

    /** The archive files of a partition given as it is written in SQL. */
    private ArchiveFiles files(String partition) {
        PruneOptions options = new PruneOptions(archives, PruneOptions.Compression.GZIP, 1, "test");
        return ArchiveFiles.of(options, new TableName("public", TableName.parse(partition).name()));
    }
}
