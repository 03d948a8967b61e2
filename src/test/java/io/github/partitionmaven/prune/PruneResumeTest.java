package io.github.partitionmaven.prune;

import static io.github.partitionmaven.prune.PruneFixture.engine;
import static io.github.partitionmaven.prune.PruneFixture.names;
import static io.github.partitionmaven.prune.PruneFixture.retained;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DatabaseTest
class PruneResumeTest {

    private static final TableSpec ARCHIVE = retained("chat_history", "6 months", "archive");

    @TempDir
    Path archives;

    /** Archive mode runs detach, archive, verify+drop per month: a kill before any of steps 2..9, then a rerun, loses nothing. */
    @Test
    void archiveKilledAtEveryStepBoundaryIsCompletedByTheNextRun() throws Exception {
        for (int killBefore = 2; killBefore <= 9; killBefore++) {
            TestDb db = TestDb.fresh(getClass());
            PruneFixture.seed(db, 6_000);
            Map<String, String> expected = new LinkedHashMap<>();
            for (String m : List.of("2025_10", "2025_11", "2025_12")) {
                expected.put(m, PruneFixture.checksum(db, "chat_history_" + m));
            }
            Path dir = Files.createDirectories(archives.resolve("kill-" + killBefore));

            int k = killBefore;
            assertThrows(KillingLog.Killed.class, () -> engine(db, "2026-07-01", "UTC", dir, new KillingLog(k), ARCHIVE)
                    .apply(Goal.PRUNE), "killed before step " + k);
            engine(db, "2026-07-01", dir, ARCHIVE).apply(Goal.PRUNE);

            assertEquals(9, names(db, "chat_history").size(), "kill before step " + k);
            assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname LIKE 'chat_history_2025%'"));
            for (String m : expected.keySet()) {
                ArchiveManifest manifest = ArchiveManifest.read(dir.resolve("public.chat_history_" + m + ".manifest.json"));
                assertEquals(expected.get(m), archivedChecksum(db, dir, manifest), "month " + m + " after a kill before step " + k);
            }
            assertEquals(6, Files.list(dir).count(), "no temporary files are left");
        }
    }

    @Test
    void dropAndDetachModesKilledAfterTheDetachAreCompletedByTheNextRun() {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);
        db.exec("CREATE SCHEMA old");
        TableSpec drop = retained("chat_history", "6 months", "drop");
        TableSpec detach = new TableSpec("cost_tracking", "created_at", "month", null, null, "6 months", "detach", "old");

        assertThrows(KillingLog.Killed.class, () -> engine(db, "2026-07-01", "UTC", null, new KillingLog(2), drop).apply(Goal.PRUNE));
        assertThrows(KillingLog.Killed.class, () -> engine(db, "2026-07-01", "UTC", null, new KillingLog(2), detach).apply(Goal.PRUNE));
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'chat_history_2025_10' AND NOT relispartition"),
                "detached, not yet dropped");
        io.github.partitionmaven.check.TableHealth chat = io.github.partitionmaven.testing.Engines.engine(db, "2026-07-01", "UTC", drop)
                .check(io.github.partitionmaven.check.CheckThresholds.DEFAULTS).tables().get(0);
        assertTrue(chat.findings().stream().anyMatch(f -> f.check() == io.github.partitionmaven.check.Check.UNFINISHED_PRUNE
                && f.message().contains("\"public\".\"chat_history_2025_10\"") && f.remedy().contains("partition:prune")),
                "check reports the marked, unfinished table: " + chat.findings());

        engine(db, "2026-07-01", null, drop, detach).apply(Goal.PRUNE);

        assertEquals(9, names(db, "chat_history").size());
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname LIKE 'chat_history_2025%'"));
        assertEquals(List.of("old.cost_tracking_2025_10", "old.cost_tracking_2025_11", "old.cost_tracking_2025_12"),
                db.queryStrings("SELECT relnamespace::regnamespace || '.' || relname FROM pg_class WHERE relname LIKE 'cost_tracking_2025%'"
                        + " AND relkind = 'r' ORDER BY 1"));
        assertTrue(engine(db, "2026-07-01", null, drop, detach).apply(Goal.PRUNE).isEmpty());
    }

    @Test
    void exportKilledMidCopyIsRedoneAndLeftoversAreReplaced() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 600_000);
        String october = PruneFixture.checksum(db, "chat_history_2025_10");
        AtomicBoolean killed = new AtomicBoolean();
        Thread killer = new Thread(() -> {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                for (int i = 0; i < 3000 && !killed.get(); i++) {
                    try (var rs = s.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT%'"
                            + " AND state = 'active' AND pid <> pg_backend_pid()")) {
                        killed.set(rs.next());
                    }
                    Thread.sleep(5);
                }
            } catch (SQLException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        killer.start();
        PartitionException e = assertThrows(PartitionException.class, () -> engine(db, "2026-07-01", archives, ARCHIVE).apply(Goal.PRUNE));
        killer.join();
        assertTrue(killed.get(), "the export was killed: " + e.getMessage());
        assertTrue(db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'chat_history_2025_10'") == 1, "nothing was dropped");
        // What a real kill leaves: a temporary file of the dead process and, had it died between the renames, a data file without manifest.
        Files.writeString(archives.resolve(".public.chat_history_2025_10.csv.gz.tmp-999999"), "partial");
        Files.writeString(archives.resolve("public.chat_history_2025_10.csv.gz"), "not an archive");

        Engines.RecordingLog log = new Engines.RecordingLog();
        engine(db, "2026-07-01", "UTC", archives, log, ARCHIVE).apply(Goal.PRUNE);

        assertTrue(log.text().contains("exists without a manifest"), log.text());
        ArchiveManifest m = ArchiveManifest.read(archives.resolve("public.chat_history_2025_10.manifest.json"));
        assertEquals(october, archivedChecksum(db, archives, m));
        assertEquals(6, Files.list(archives).count());
    }

    @Test
    void anIoErrorWhileWritingTheArchiveStopsWithNothingDropped() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);
        String october = PruneFixture.checksum(db, "chat_history_2025_10");
        // A directory where the archive file must go: the rename into place fails with an I/O error.
        Path blocker = Files.createDirectories(archives.resolve("public.chat_history_2025_10.csv.gz").resolve("occupied"));

        PartitionException e = assertThrows(PartitionException.class, () -> engine(db, "2026-07-01", archives, ARCHIVE).apply(Goal.PRUNE));

        assertTrue(e.getMessage().contains("Could not write the archive") && e.getMessage().contains("Nothing was dropped"),
                e.getMessage());
        assertEquals(october, PruneFixture.checksum(db, "chat_history_2025_10"), "the detached table keeps every row");
        assertEquals(1, Files.list(archives).count(), "no temporary file is left");
        Files.delete(blocker);
        Files.delete(blocker.getParent());

        engine(db, "2026-07-01", archives, ARCHIVE).apply(Goal.PRUNE);
        ArchiveManifest m = ArchiveManifest.read(archives.resolve("public.chat_history_2025_10.manifest.json"));
        assertEquals(october, archivedChecksum(db, archives, m));
    }

    @Test
    void anExistingArchiveIsVerifiedAndReusedNotOverwritten() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 6_000);
        assertThrows(KillingLog.Killed.class, () -> engine(db, "2026-07-01", "UTC", archives, new KillingLog(3), ARCHIVE).apply(Goal.PRUNE));
        Path data = archives.resolve("public.chat_history_2025_10.csv.gz");
        FileTime written = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(data, written);

        Engines.RecordingLog log = new Engines.RecordingLog();
        engine(db, "2026-07-01", "UTC", archives, log, ARCHIVE).apply(Goal.PRUNE);

        assertEquals(written, Files.getLastModifiedTime(data), "not rewritten");
        assertTrue(log.text().contains("reused"), log.text());
        assertTrue(log.text().contains("verified " + data), log.text());
        assertEquals(9, names(db, "chat_history").size());
    }

    @Test
    void anArchiveThatDoesNotMatchStopsPruneWithNothingDropped() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 6_000);
        assertThrows(KillingLog.Killed.class, () -> engine(db, "2026-07-01", "UTC", archives, new KillingLog(3), ARCHIVE).apply(Goal.PRUNE));
        Path data = archives.resolve("public.chat_history_2025_10.csv.gz");
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 1;
        Files.write(data, bytes);
        String before = db.snapshot();

        PartitionException e = assertThrows(PartitionException.class, () -> engine(db, "2026-07-01", archives, ARCHIVE).apply(Goal.PRUNE));

        assertTrue(e.getMessage().contains("Nothing was dropped"), e.getMessage());
        assertEquals(before, db.snapshot());
    }

    @Test
    void aDetachLeftPendingIsFinalizedFirst() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);
        pendingDetach(db, "chat_history_2025_11");
        pendingDetach(db, "cost_tracking_2026_03");
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_inherits WHERE inhdetachpending AND inhrelid = 'chat_history_2025_11'::regclass"));

        Engines.RecordingLog log = new Engines.RecordingLog();
        engine(db, "2026-07-01", "UTC", null, log, retained("chat_history", "6 months", "drop"),
                retained("cost_tracking", null, null)).apply(Goal.PRUNE);

        assertEquals(9, names(db, "chat_history").size());
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname LIKE 'chat_history_2025%'"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_inherits WHERE inhdetachpending"));
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'cost_tracking_2026_03' AND NOT relispartition"),
                "a pending detach is finalized even on a table without retention, and the table kept");
        assertTrue(log.text().contains("finalize the interrupted detach of \"public\".\"chat_history_2025_11\""), log.text());
    }

    @Test
    void aTableDetachedUnderAnEarlierRetentionThatNoLongerQualifiesIsLeftWithAWarning() {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);
        assertThrows(KillingLog.Killed.class, () -> engine(db, "2026-07-01", "UTC", null, new KillingLog(2),
                retained("chat_history", "6 months", "drop")).apply(Goal.PRUNE));

        var plan = engine(db, "2026-07-01", null, retained("chat_history", "1 year", "drop")).plan(java.util.Set.of(Goal.PRUNE));

        assertTrue(plan.isEmpty());
        String warning = plan.tables().get(0).findings().get(0).message();
        assertTrue(warning.contains("\"public\".\"chat_history_2025_10\"") && warning.contains("ATTACH PARTITION"), warning);
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'chat_history_2025_10'"));
    }

    /** Leaves {@code partition} detach-pending, as an interrupted DETACH ... CONCURRENTLY does. */
    static void pendingDetach(TestDb db, String partition) throws SQLException {
        String parent = partition.substring(0, partition.length() - 8);
        try (Connection reader = db.connect(); Connection ddl = db.connect(); Statement r = reader.createStatement();
             Statement d = ddl.createStatement()) {
            reader.setAutoCommit(false);
            r.executeQuery("SELECT count(*) FROM " + parent).close();
            d.execute("SET lock_timeout = '200ms'");
            try {
                d.execute("ALTER TABLE " + parent + " DETACH PARTITION " + partition + " CONCURRENTLY");
                throw new IllegalStateException("expected the detach to time out waiting for the reader");
            } catch (SQLException expected) {
                // the first transaction of the detach committed: the partition is now pending
            }
            reader.rollback();
        }
    }

    /** The checksum of the rows in an archive, loaded into a scratch table. */
    static String archivedChecksum(TestDb db, Path dir, ArchiveManifest m) throws Exception {
        String scratch = "scratch_" + Math.abs(System.nanoTime() % 1_000_000);
        db.exec("CREATE TABLE " + scratch + " (LIKE chat_history)");
        try (Connection c = db.connect(); var in = new java.util.zip.GZIPInputStream(Files.newInputStream(m.dataFile(
                dir.resolve("x.manifest.json"))))) {
            c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn("COPY " + scratch + " FROM STDIN WITH (FORMAT csv, HEADER)", in);
        }
        String sum = PruneFixture.checksum(db, scratch);
        db.exec("DROP TABLE " + scratch);
        return sum;
    }

}
