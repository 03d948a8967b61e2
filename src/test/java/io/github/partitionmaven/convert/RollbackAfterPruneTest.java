package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.engine.Planners;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A conversion, then prune drops the oldest month, then rollback: the old table keeps that month unless told otherwise. */
@DatabaseTest
class RollbackAfterPruneTest {

    // now - 10 months = 2026-01-24: December 2025 (the first month converted) is past retention
    private static final TableSpec RETAINED = new TableSpec("chat_history", "created_at", "month", null, null, "10 months", "drop", null);

    private static PartitionEngine engine(TestDb db, ConvertOptions options) {
        return Engines.engine(db, ConvertTest.NOW, "UTC", new Engines.RecordingLog(), Planners.standard(options, PruneOptions.defaults()),
                RETAINED);
    }

    private static long december(TestDb db) {
        return db.queryLong("SELECT count(*) FROM chat_history WHERE created_at < '2026-01-01'");
    }

    @Test
    void rollbackKeepsTheMonthsRetentionRemovedAndThePlanSaysSo() {
        TestDb db = ConvertTest.seeded(3000);
        long dec = december(db);
        assertTrue(dec > 0);
        ConvertOptions options = ConvertOptions.DEFAULTS.withBatchSize(1000);
        engine(db, options).apply(Goal.CONVERT);
        engine(db, options).apply(Goal.PRUNE);
        assertEquals(0, december(db), "prune dropped December from the partitioned table");
        db.exec("DELETE FROM chat_history WHERE id IN (SELECT id FROM chat_history WHERE created_at >= '2026-03-01' ORDER BY id LIMIT 5)");
        long kept = db.queryLong("SELECT count(*) FROM chat_history") + dec;

        PartitionPlan plan = engine(db, options).plan(Set.of(Goal.ROLLBACK));
        String findings = plan.tables().get(0).findings().toString();
        assertTrue(findings.contains("before 2026-01-01 are kept") && findings.contains("<rollbackDeletesPruned>"), findings);

        engine(db, options).apply(Goal.ROLLBACK);
        assertEquals(dec, december(db), "December is back in the table rolled back to");
        assertEquals(kept, db.queryLong("SELECT count(*) FROM chat_history"), "the user's own deletes are still replayed");
    }

    @Test
    void rollbackDeletesThePrunedMonthsOnlyWhenTold() {
        TestDb db = ConvertTest.seeded(2000);
        ConvertOptions options = ConvertOptions.DEFAULTS.withBatchSize(1000).withRollbackDeletesPruned(true);
        engine(db, options).apply(Goal.CONVERT);
        engine(db, options).apply(Goal.PRUNE);
        String findings = engine(db, options).plan(Set.of(Goal.ROLLBACK)).tables().get(0).findings().toString();
        assertTrue(findings.contains("are DELETED by the rollback"), findings);

        engine(db, options).apply(Goal.ROLLBACK);
        assertEquals(0, december(db));
    }
}
