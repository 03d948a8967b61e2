package io.github.partitionmaven.engine;

import io.github.partitionmaven.core.PartitionException;
import static io.github.partitionmaven.testing.Engines.engine;
import static io.github.partitionmaven.testing.Engines.month;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@DatabaseTest
class ConcurrencyTest {

    /** Several rounds: a race between one run's commit and the other's checks shows only now and then. */
    @Test
    void twoConcurrentRunsSerializeAndBothSucceed() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 8; round++) {
                db.exec("DROP TABLE IF EXISTS events", "CREATE TABLE events (created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)");
                Callable<PartitionPlan> run = () -> engine(db, "2026-11-24", "UTC", month("events")).apply(Goal.PREMAKE);
                List<Future<PartitionPlan>> results = pool.invokeAll(List.of(run, run));
                int executed = 0;
                for (Future<PartitionPlan> f : results) {
                    executed += f.get().steps().size();
                }
                assertEquals(4, executed, "each partition created once, by one of the two runs (round " + round + ")");
                assertEquals(4, db.partitions("events").size());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aBlockingTransactionMakesPremakeGiveUpNamingTheBlockerAndLeavingNothingHalfMade() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE TABLE events (created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE events_default PARTITION OF events DEFAULT");
        String before = db.snapshot();
        try (Connection app = db.connect(); Statement s = app.createStatement()) {
            app.setAutoCommit(false);
            s.execute("SELECT count(*) FROM events");  // holds ACCESS SHARE on the default partition until commit
            int pid = (int) db.queryLong("SELECT pid FROM pg_stat_activity WHERE state = 'idle in transaction' AND datname = '" + db.name() + "'");
            Engines.RecordingLog log = new Engines.RecordingLog();
            long started = System.nanoTime();
            PartitionException e = assertThrows(PartitionException.class,
                    () -> engine(db, "2026-11-24", "UTC", log, month("events")).apply(Goal.PREMAKE));
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertEquals(PartitionException.Kind.ENVIRONMENT, e.kind());
            assertTrue(e.getMessage().contains("after 3 attempt(s)") && e.getMessage().contains("pid " + pid)
                    && e.getMessage().contains("idle in transaction") && e.getMessage().contains("SELECT count(*) FROM events"), e.getMessage());
            assertTrue(e.getMessage().contains("nothing of it was applied"), e.getMessage());
            assertEquals(2, log.lines.stream().filter(l -> l.startsWith("WARN") && l.contains("retrying")).count(), log.text());
            assertTrue(tookMs < 10_000, "bounded: " + tookMs + " ms");
            app.rollback();
        }
        assertEquals(before, db.snapshot(), "the half-made partition was rolled back");
        assertFalse(engine(db, "2026-11-24", "UTC", month("events")).apply(Goal.PREMAKE).isEmpty(), "works once the blocker is gone");
    }
}
