package io.github.partitionmaven.prune;

import static io.github.partitionmaven.prune.PruneFixture.engine;
import static io.github.partitionmaven.prune.PruneFixture.retained;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.TableSpec;
import java.util.List;
import io.github.partitionmaven.testing.ConcurrentWriter;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.TestDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

/**
 * A long transaction on the table: prune gives up cleanly, and the application never waits longer than lockTimeout (300 ms
 * here). The seed's partitioned tables as its migration writes them (testing/Seed.partitionedTables: id BIGSERIAL, NOT NULL
 * columns, PRIMARY KEY (id, created_at)).
 */
@DatabaseTest
class PruneLockingTest {

    private static final long LOCK_TIMEOUT_MS = 300;
    /** Room for a loaded two-core machine on top of lockTimeout. */
    private static final long SLACK_MS = 400;

    /** lockTimeout 100ms, one attempt: the finishing of a pending detach waits 60 x 100ms = 6 s. */
    private static io.github.partitionmaven.engine.PartitionEngine quick(TestDb db, TableSpec spec) {
        io.github.partitionmaven.policy.RunSettings settings = io.github.partitionmaven.policy.PolicyReader.settings("UTC", "2026-07-01",
                "100ms", 1, java.time.Clock.systemUTC());
        return new io.github.partitionmaven.engine.PartitionEngine(db.settings(), settings,
                io.github.partitionmaven.policy.PolicyReader.tables(List.of(spec), settings),
                io.github.partitionmaven.engine.Planners.standard(PruneOptions.defaults()), new io.github.partitionmaven.testing.Engines.RecordingLog());
    }

    @Test
    void aDetachLeftPendingBehindALongReaderIsFinalizedInTheSameRunOnceTheReaderEnds() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);
        try (Connection reader = db.connect(); Statement r = reader.createStatement();
             ConcurrentWriter writer = new ConcurrentWriter(db, LocalDateTime.of(2026, 7, 15, 12, 0)).warm()) {
            reader.setAutoCommit(false);
            r.executeQuery("SELECT count(*) FROM chat_history").close();
            Thread ends = new Thread(() -> {
                try {
                    Thread.sleep(2_500);
                    reader.rollback();
                } catch (Exception ignored) {
                    // the test fails on the detach below then
                }
            });
            ends.start();

            quick(db, retained("chat_history", "6 months", "drop")).apply(Goal.PRUNE);
            ends.join();

            assertTrue(writer.maxMillis() < LOCK_TIMEOUT_MS + SLACK_MS, "the writer waited " + writer.maxMillis() + " ms");
        } // close() rethrows any failed insert into the live range
        assertEquals(9, db.partitions("chat_history").size());
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_inherits WHERE inhdetachpending"), "nothing left pending");
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname LIKE 'chat_history_2025%'"));
    }

    @Test
    void concurrentDetachThatCannotFinishSaysWhatIsLeftAndTheNextRunFinalizesIt() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);
        long pid;
        try (Connection reader = db.connect(); Statement r = reader.createStatement();
             ConcurrentWriter writer = new ConcurrentWriter(db, LocalDateTime.of(2026, 7, 15, 12, 0)).warm()) {
            reader.setAutoCommit(false);
            try (ResultSet rs = r.executeQuery("SELECT pg_backend_pid(), count(*) FROM chat_history")) {
                rs.next();
                pid = rs.getLong(1);
            }

            PartitionException e = assertThrows(PartitionException.class,
                    () -> quick(db, retained("chat_history", "6 months", "drop")).apply(Goal.PRUNE));

            assertTrue(e.getMessage().contains("is left DETACH PENDING") && e.getMessage().contains("inserts into its range fail")
                    && e.getMessage().contains("The next prune run finalizes it") && e.getMessage().contains("pid " + pid)
                    && e.getMessage().contains("SQL state 55P03"), e.getMessage());
            assertTrue(writer.maxMillis() < LOCK_TIMEOUT_MS + SLACK_MS, "the writer waited " + writer.maxMillis() + " ms");
            io.github.partitionmaven.check.CheckReport report = io.github.partitionmaven.testing.Engines.engine(db, "2026-07-01", "UTC",
                    retained("chat_history", "6 months", "drop")).check(io.github.partitionmaven.check.CheckThresholds.DEFAULTS);
            assertTrue(report.tables().get(0).findings().stream().anyMatch(f -> f.check() == io.github.partitionmaven.check.Check.DETACH_PENDING),
                    report.tables().get(0).findings().toString());
            reader.rollback();
        }
        engine(db, "2026-07-01", null, retained("chat_history", "6 months", "drop")).apply(Goal.PRUNE);
        assertEquals(9, db.partitions("chat_history").size());
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname LIKE 'chat_history_2025%'"));
    }

    @Test
    void plainDetachWaitsAtMostLockTimeoutPerAttemptAndChangesNothing() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);
        db.exec("CREATE TABLE chat_history_default PARTITION OF chat_history DEFAULT");
        try (Connection reader = db.connect(); Statement r = reader.createStatement();
             ConcurrentWriter writer = new ConcurrentWriter(db, LocalDateTime.of(2026, 7, 15, 12, 0)).warm()) {
            reader.setAutoCommit(false);
            r.executeQuery("SELECT count(*) FROM chat_history").close();
            String before = db.snapshot().replaceAll("chat_history_2026_07 rows \\d+", "");

            PartitionException e = assertThrows(PartitionException.class,
                    () -> engine(db, "2026-07-01", null, retained("chat_history", "6 months", "drop")).apply(Goal.PRUNE));

            long inserted = writer.inserts();
            assertTrue(e.getMessage().contains("nothing of it was applied"), e.getMessage());
            assertTrue(writer.maxMillis() < LOCK_TIMEOUT_MS + SLACK_MS, "the writer waited " + writer.maxMillis() + " ms");
            assertTrue(inserted > 20, "the writer kept writing between attempts");
            assertEquals(before, db.snapshot().replaceAll("chat_history_2026_07 rows \\d+", ""));
            reader.rollback();
        }
        engine(db, "2026-07-01", null, retained("chat_history", "6 months", "drop")).apply(Goal.PRUNE);
        assertEquals(10, db.partitions("chat_history").size());
    }
}
