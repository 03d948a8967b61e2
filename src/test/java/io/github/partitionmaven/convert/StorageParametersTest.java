package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Storage parameters (fillfactor, autovacuum_* and their TOAST counterparts), on the seed's literal DDL, reach every
 * partition the conversion makes and every partition premake makes after it: a partitioned table cannot hold them, and
 * PostgreSQL gives a new partition none, so without this a table tuned for its write load silently loses the tuning.
 */
@DatabaseTest
class StorageParametersTest {

    private static final ConvertOptions COPY = ConvertOptions.DEFAULTS.withBatchSize(400);
    private static final String TUNED = "ALTER TABLE chat_history SET (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.01,"
            + " toast.autovacuum_vacuum_cost_delay = 5)";
    private static final String TUNING = "fillfactor=90,autovacuum_vacuum_scale_factor=0.01 | autovacuum_vacuum_cost_delay=5";

    /** Each partition's storage parameters and its TOAST table's, as "table | toast". */
    private static List<String> storage(TestDb db) {
        return db.queryStrings("SELECT coalesce(pg_catalog.array_to_string(c.reloptions, ','), '') || ' | '"
                + " || coalesce((SELECT pg_catalog.array_to_string(t.reloptions, ',') FROM pg_class t WHERE t.oid = c.reltoastrelid), '')"
                + " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'chat_history'::regclass ORDER BY c.relname");
    }

    @Test
    void copyGivesEveryPartitionTheTablesStorageParametersAndPremakeKeepsThem() {
        TestDb db = ConvertTest.seeded(2000);
        db.exec(TUNED);
        PartitionPlan plan = ConvertTest.engine(db, COPY, new Engines.RecordingLog()).plan(Set.of(Goal.CONVERT));
        Step create = plan.steps().get(0);
        assertTrue(create.statements().stream().filter(q -> q.contains(" PARTITION OF ")).allMatch(q -> q.contains(" WITH (fillfactor = '90',"
                + " autovacuum_vacuum_scale_factor = '0.01', toast.autovacuum_vacuum_cost_delay = '5', autovacuum_enabled = 'off',"
                + " toast.autovacuum_enabled = 'off')")), create.statements().toString());
        Step swap = plan.steps().get(ConvertFailureTest.swapNumber(plan.steps()) - 1);
        assertTrue(swap.reason().contains("storage parameters fillfactor=90, autovacuum_vacuum_scale_factor=0.01, toast.autovacuum_vacuum_cost_delay=5"
                + " (on every partition"), swap.reason());

        ConvertTest.engine(db, COPY, new Engines.RecordingLog()).apply(Goal.CONVERT);
        List<String> after = storage(db);
        assertTrue(after.size() >= 13 && after.stream().allMatch(TUNING::equals), "every partition, autovacuum given back: " + after);

        PartitionPlan premake = ReplicaIdentityTest.premakeLater(db);
        assertTrue(premake.steps().stream().allMatch(s -> s.reason().contains("storage parameters fillfactor=90,")), premake.steps().stream()
                .map(Step::reason).toList().toString());
        List<String> later = storage(db);
        assertEquals(after.size() + premake.steps().size(), later.size(), later.toString());
        assertTrue(later.stream().allMatch(TUNING::equals), later.toString());
    }

    @Test
    void aTableKeptFromAutovacuumStaysSoAfterTheHandback() {
        TestDb db = ConvertTest.seeded(2000);
        db.exec("ALTER TABLE chat_history SET (autovacuum_enabled = false)");
        ConvertTest.engine(db, COPY, new Engines.RecordingLog()).apply(Goal.CONVERT);
        List<String> after = storage(db);
        assertTrue(after.size() >= 13 && after.stream().allMatch("autovacuum_enabled=false | "::equals), after.toString());
    }

    @Test
    void attachGivesTheNewPartitionsTheOldTablesStorageParameters() {
        TestDb db = ConvertTest.seeded(2000);
        db.exec(TUNED);
        ConvertTest.engine(db, ConvertOptions.DEFAULTS.withStrategy(ConvertOptions.Strategy.ATTACH), new Engines.RecordingLog()).apply(Goal.CONVERT);
        List<String> after = storage(db);
        // the old table, now the first partition, and the months the conversion made after it
        assertTrue(after.size() >= 2 && after.stream().allMatch(TUNING::equals), after.toString());
        ReplicaIdentityTest.premakeLater(db);
        List<String> later = storage(db);
        assertTrue(later.size() > after.size() && later.stream().allMatch(TUNING::equals), later.toString());
    }
}
