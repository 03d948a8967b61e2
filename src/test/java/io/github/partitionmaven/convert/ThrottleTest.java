package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.execute.Throttle;
import io.github.partitionmaven.execute.ThrottleLimits;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.DebianPostgres;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.Ports;
import io.github.partitionmaven.testing.Standby;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The copy waits for the database's health, on the real things: a streaming standby whose replay is paused, an archiver
 * whose archive_command fails, autovacuum working on the table, the server's WAL rate.
 */
@DatabaseTest
class ThrottleTest {

    private static final TableName SOURCE = BatchCopyTest.SOURCE;
    private static final TableName PROGRESS = BatchCopyTest.PROGRESS;
    private static final Transfer TRANSFER = BatchCopyTest.TRANSFER;
    /** 20,000 rows of ~1 kB: about 23 MB of WAL when copied, more than one 16 MB segment. */
    private static final int ROWS = 20_000;
    private static final int BATCH = 1_000;

    private static void withRows(TestDb db) {
        db.exec("CREATE TABLE src (id bigint PRIMARY KEY, v text)",
                "INSERT INTO src SELECT g, repeat(md5(g::text), 32) FROM generate_series(1, " + ROWS + ") g", "CREATE TABLE dst (id bigint, v text)");
        db.exec(new ConvertNames(SOURCE, ConvertOptions.DEFAULTS).createProgress("copy", false).toArray(String[]::new));
    }

    private static long copy(TestDb db, ThrottleLimits limits, Engines.RecordingLog log) throws Exception {
        long start = System.nanoTime();
        try (Connection c = db.connect()) {
            new BatchCopy(TRANSFER, PROGRESS, BATCH, 2, ROWS, false, Duration.ZERO, Optional.of(new Throttle(limits, SOURCE, true)))
                    .run(c, db::connect, log);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static ThrottleLimits only(Duration lag, long backlog, long walRate, boolean autovacuum, Duration timeout) {
        return new ThrottleLimits(lag, backlog, walRate, autovacuum, timeout);
    }

    @Test
    void aWalRateLimitKeepsTheCopyToItOnAverage() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        withRows(db);
        long rate = 8L << 20;
        long lsn = db.queryLong("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
        long millis = copy(db, only(Duration.ZERO, 0, rate, false, Duration.ofMinutes(1)), new Engines.RecordingLog());
        long wal = db.queryLong("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint") - lsn;
        System.out.printf("copied %d rows, %d MB of WAL, in %d ms: %.1f MB/s against a limit of 8 MB/s%n", ROWS, wal >> 20, millis,
                wal / 1048576.0 / (millis / 1000.0));
        assertEquals(ROWS, db.queryLong("SELECT count(*) FROM dst"));
        // unpaced the same copy takes well under a second; paced, the WAL before the last batch is spread at 8 MB/s
        assertTrue(millis >= (wal - 4L * BATCH * 1100) * 1000 / rate, millis + " ms for " + wal + " bytes of WAL");
    }

    @Test
    void theConvertGoalPacesItsCopyAndIndexBuildsToTheWalRate() throws Exception {
        TestDb db = ConvertTest.seeded(20_000);
        long rows = db.queryLong("SELECT count(*) FROM chat_history");
        ConvertOptions options = ConvertOptions.DEFAULTS.withBatchSize(1000).withThrottle(only(Duration.ZERO, 0, 2L << 20, false,
                Duration.ofMinutes(1)));
        long lsn = db.queryLong("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
        long start = System.nanoTime();
        ConvertTest.engine(db, options, new Engines.RecordingLog()).apply(io.github.partitionmaven.plan.Goal.CONVERT);
        long millis = (System.nanoTime() - start) / 1_000_000;
        long wal = db.queryLong("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint") - lsn;
        System.out.printf("converted %d rows, %.1f MB of WAL, in %d ms at a limit of 2 MB/s%n", rows, wal / 1048576.0, millis);
        assertEquals(rows, db.queryLong("SELECT count(*) FROM chat_history"));
        assertEquals(List.of("p"), db.queryStrings("SELECT relkind::text FROM pg_class WHERE oid = 'chat_history'::regclass"));
        // unpaced this takes about a second; at most 2 MB go unpaced: the batches and partitions before the first look and after
        // the last, the verification, the replays and the swap
        long rate = 2L << 20;
        assertTrue(wal > 2 * rate && millis >= (wal - rate) * 1000 / rate, millis + " ms for " + wal + " bytes of WAL");
    }

    @Test
    void theCopyPausesWhileArchiveCommandFailsAndGoesOnOnceItArchives() throws Exception {
        DebianPostgres.assumeAvailable();
        Path archive = Files.createTempDirectory("throttle-archive-");
        io.github.partitionmaven.testing.Unprivileged.handOver(archive);
        try (DebianPostgres pg = DebianPostgres.start(Map.of("archive_mode", "on",
                "archive_command", "test -f " + archive + "/allow && cp %p " + archive + "/%f"))) {
            TestDb db = TestServer.of(pg).createDatabase("throttle_archive");
            withRows(db);
            db.exec("SELECT pg_switch_wal()", "CREATE TABLE filler AS SELECT 1 AS one", "SELECT pg_switch_wal()"); // fails to archive
            Engines.RecordingLog log = new Engines.RecordingLog();
            CompletableFuture<Void> fix = CompletableFuture.runAsync(() -> {
                try {
                    waitFor(() -> log.text().contains("pausing: archive_command has failed"), 30_000);
                    Thread.sleep(2000);
                    Files.writeString(archive.resolve("allow"), "");
                    db.exec("SELECT pg_switch_wal()"); // a new segment wakes the archiver, which then archives every one
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long millis = copy(db, only(Duration.ZERO, 2, 0, false, Duration.ofMinutes(1)), log);
            fix.get(1, TimeUnit.SECONDS);
            System.out.println(log.text());
            assertTrue(log.text().contains("pausing: archive_command has failed"), log.text());
            assertTrue(log.text().contains("resuming after a pause of"), log.text());
            assertTrue(millis >= 2000, millis + " ms");
            assertEquals(ROWS, db.queryLong("SELECT count(*) FROM dst"));
            assertTrue(db.queryLong("SELECT archived_count FROM pg_stat_archiver") > 0);
        }
    }

    @Test
    void theCopyPausesWhileAStandbyIsBehindAndGoesOnOnceItCatchesUp() throws Exception {
        String major = Standby.basebackup(TestServer.majorVersion()).isPresent() ? TestServer.majorVersion() : DebianPostgres.MAJOR;
        Standby.assumeAvailable(major);
        // a primary of its own: the paused standby must not hold back the other tests' copies
        TestServer primary = TestServer.startEmbedded(Ports.free(), major);
        TestDb db = primary.createDatabase("throttle_standby");
        withRows(db);
        try (Standby standby = Standby.of(primary); Connection p = db.connect()) {
            standby.awaitReplay(p, 30_000);
            try (Connection s = standby.connect(db.name()); Statement st = s.createStatement()) {
                st.execute("SELECT pg_wal_replay_pause()");
            }
            // WAL the standby receives but does not replay, until the primary reports it more than a second behind
            db.exec("CREATE TABLE filler (n int)");
            waitFor(() -> {
                db.exec("INSERT INTO filler SELECT generate_series(1, 1000)");
                return db.queryLong("SELECT count(*) FROM pg_stat_replication WHERE replay_lag > interval '1.5 s'") > 0;
            }, 30_000);
            Engines.RecordingLog log = new Engines.RecordingLog();
            CompletableFuture<Void> resume = CompletableFuture.runAsync(() -> {
                try (Connection s = standby.connect(db.name()); Statement st = s.createStatement()) {
                    waitFor(() -> log.text().contains("pausing: standby"), 30_000);
                    Thread.sleep(2000);
                    st.execute("SELECT pg_wal_replay_resume()");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long millis = copy(db, only(Duration.ofSeconds(1), 0, 0, false, Duration.ofMinutes(1)), log);
            resume.get(1, TimeUnit.SECONDS);
            System.out.println(log.text());
            assertTrue(log.text().contains("pausing: standby"), log.text());
            assertTrue(log.text().contains("is behind by more than <maxReplicaLag> 1.0 s"), log.text());
            assertTrue(log.text().contains("resuming after a pause of"), log.text());
            assertTrue(millis >= 2000, millis + " ms");
            assertEquals(ROWS, db.queryLong("SELECT count(*) FROM dst"));
        }
    }

    @Test
    void aPauseForAutovacuumLongerThanTheTimeoutFailsTheCopyWithItsBatchesKept() throws Exception {
        DebianPostgres.assumeAvailable();
        try (DebianPostgres pg = DebianPostgres.start(Map.of("autovacuum_naptime", "1"))) {
            TestDb db = TestServer.of(pg).createDatabase("throttle_autovacuum");
            withRows(db);
            // autovacuum at one page per 100 ms: it stays on src for minutes
            db.exec("ALTER TABLE src SET (autovacuum_vacuum_threshold = 0, autovacuum_vacuum_scale_factor = 0,"
                    + " autovacuum_vacuum_cost_delay = 100, autovacuum_vacuum_cost_limit = 1)", "DELETE FROM src WHERE id % 100 = 0");
            waitFor(() -> db.queryLong("SELECT count(*) FROM pg_stat_progress_vacuum WHERE relid = 'src'::regclass") > 0, 60_000);
            Engines.RecordingLog log = new Engines.RecordingLog();
            PartitionException e = assertThrows(PartitionException.class,
                    () -> copy(db, only(Duration.ZERO, 0, 0, true, Duration.ofSeconds(2)), log));
            System.out.println(e.getMessage());
            assertTrue(e.getMessage().startsWith("Paused "), e.getMessage());
            assertTrue(e.getMessage().contains(" waiting for the database to be healthy, longer than <throttle><timeout> 2.0 s:"
                    + " autovacuum is working on \"public\".\"src\""), e.getMessage());
            assertTrue(e.getMessage().endsWith("then run the goal again: it goes on from where this one stopped."), e.getMessage());
            long copied = db.queryLong("SELECT copied_rows FROM src_conversion");
            assertTrue(copied >= BATCH && copied < ROWS, copied + " rows recorded as copied");
            assertEquals(copied, db.queryLong("SELECT count(*) FROM dst"), "the batches done stay done, and are recorded");
            db.exec("SELECT pg_cancel_backend(pid) FROM pg_stat_progress_vacuum");
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition condition, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + millis + " ms");
            }
            Thread.sleep(50);
        }
    }
}
