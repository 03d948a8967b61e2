package io.github.partitionmaven.engine;

import static io.github.partitionmaven.testing.Engines.engine;
import static io.github.partitionmaven.testing.Engines.month;
import static io.github.partitionmaven.testing.Engines.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.plan.ReviewedPlan;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.report.PlanReport;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * -Dpartition.planFile: an applying goal runs exactly the reviewed steps, or nothing; on the seed's partitioned tables as
 * its migration writes them (testing/Seed.partitionedTables: id BIGSERIAL, NOT NULL columns), or its current ones as written
 * (Seed.plainTables: id SERIAL PRIMARY KEY, nullable columns, created_at TIMESTAMP DEFAULT NOW()).
 */
@DatabaseTest
class ReviewedPlanTest {

    private static final String NOW = "2026-11-24";

    @TempDir
    Path out;

    private TestDb seeded() {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2026, 9), YearMonth.of(2026, 10)).toArray(String[]::new));
        return db;
    }

    /** What partition:plan writes: plan.json, plan.sql and plan.md. */
    private Path review(TestDb db, String now, TableSpec... specs) throws Exception {
        PartitionPlan plan = engine(db, now, "UTC", specs).plan(Goal.POLICY_GOALS);
        new PlanReport(plan, "test").writeTo(out);
        return out.resolve("plan.json");
    }

    private static PartitionException refused(TestDb db, String now, Path file, Goal goal, TableSpec... specs) {
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class, () -> engine(db, now, "UTC", specs).apply(goal, ReviewedPlan.read(file)));
        assertEquals(PartitionException.Kind.DATABASE_STATE, e.kind());
        assertTrue(e.getMessage().contains("differs from the reviewed plan") && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
        assertEquals(before, db.snapshot(), "a refused plan changes nothing");
        return e;
    }

    @Test
    void anUnchangedReviewedPlanApplies() throws Exception {
        TestDb db = seeded();
        Path file = review(db, NOW, month("chat_history"), month("cost_tracking"));
        String json = Files.readString(file);
        assertTrue(json.contains("\"fingerprint\": \"") && json.contains("\"fingerprints\": {") && json.contains("\"dependsOn\": ["), json);

        PartitionPlan applied = engine(db, NOW, "UTC", month("chat_history"), month("cost_tracking")).apply(Goal.PREMAKE, ReviewedPlan.read(file));
        assertEquals(8, applied.steps().size(), "Nov to Feb for both tables, as reviewed");
        assertEquals(6, db.partitions("chat_history").size());
        // The same file, now that its steps ran, no longer matches: the fresh plan is empty.
        PartitionException e = refused(db, NOW, file, Goal.PREMAKE, month("chat_history"), month("cost_tracking"));
        assertTrue(e.getMessage().contains("- step 1 [premake] \"public\".\"chat_history\""), e.getMessage());
    }

    @Test
    void aReviewedConversionAppliesAndOneThatDriftedIsRefused() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.plainTables().toArray(String[]::new));
        db.exec(Seed.rows(20, 2_000, java.time.LocalDate.of(2026, 6, 3), java.time.LocalDate.of(2026, 11, 20)).toArray(String[]::new));
        Path file = review(db, NOW, month("chat_history"));
        // a row of a month the reviewed plan has no partition for: the conversion would create another one
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'late', '2026-01-15')");
        PartitionException e = refused(db, NOW, file, Goal.CONVERT, month("chat_history"));
        assertTrue(e.getMessage().contains("chat_history_2026_01"), e.getMessage());

        db.exec("DELETE FROM chat_history WHERE created_at < '2026-06-01'");
        engine(db, NOW, "UTC", month("chat_history")).apply(Goal.CONVERT, ReviewedPlan.read(file));
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_class WHERE oid = 'chat_history'::regclass AND relkind = 'p'"), "converted as reviewed");
    }

    @Test
    void aPartitionCreatedMeanwhileIsRefusedWithTheDifference() throws Exception {
        TestDb db = seeded();
        Path file = review(db, NOW, month("chat_history"));
        db.exec("CREATE TABLE chat_history_2026_12 PARTITION OF chat_history FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')");

        PartitionException e = refused(db, NOW, file, Goal.PREMAKE, month("chat_history"));
        assertTrue(e.getMessage().contains("premake reviewed 4 step(s)") && e.getMessage().contains("the fresh plan has 3"), e.getMessage());
        assertTrue(e.getMessage().contains("-   sql   CREATE TABLE \"public\".\"chat_history_2026_12\""), e.getMessage());
    }

    @Test
    void aDifferentNowOrAChangedOptionIsRefused() throws Exception {
        TestDb db = seeded();
        Path file = review(db, NOW, month("chat_history"));

        PartitionException later = refused(db, "2026-12-24", file, Goal.PREMAKE, month("chat_history"));
        assertTrue(later.getMessage().contains("+   sql   CREATE TABLE \"public\".\"chat_history_2027_03\""), later.getMessage());

        PartitionException premake = refused(db, NOW, file, Goal.PREMAKE, spec("chat_history", "created_at", "month", 1));
        assertTrue(premake.getMessage().contains("-   sql   CREATE TABLE \"public\".\"chat_history_2027_02\""), premake.getMessage());

        TableSpec retention = new TableSpec("chat_history", "created_at", "month", null, null, "1 month", null, null);
        PartitionException prune = refused(db, NOW, file, Goal.PRUNE, retention);
        assertTrue(prune.getMessage().contains("prune reviewed 0 step(s)") && prune.getMessage().contains("chat_history_2026_09"), prune.getMessage());
    }

    @Test
    void anEditedPlanFileIsRefusedBeforeAnything() throws Exception {
        TestDb db = seeded();
        Path file = review(db, NOW, month("chat_history"));
        Files.writeString(file, Files.readString(file).replace("chat_history_2027_02", "chat_history_2027_03"));
        PartitionException e = assertThrows(PartitionException.class, () -> ReviewedPlan.read(file));
        assertEquals(PartitionException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("was edited after partition:plan wrote it"), e.getMessage());
    }

    @Test
    void thePlanRendersAsMarkdownForAMergeRequest() throws Exception {
        TestDb db = seeded();
        review(db, NOW, month("chat_history"));
        String md = Files.readString(out.resolve("plan.md"));
        assertTrue(md.startsWith("### Partition plan: 4 step(s)"), md);
        assertTrue(md.contains("| 1 | `\"public\".\"chat_history\"` | premake |"), md);
        assertTrue(md.contains("<details><summary>SQL of every step</summary>") && md.contains("```sql\n"), md);
        assertTrue(md.contains("-Dpartition.planFile=target/partition/plan.json"), md);
    }
}
