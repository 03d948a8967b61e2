package io.github.partitionmaven.convert;

import static io.github.partitionmaven.convert.ConvertFailureTest.engine;
import static io.github.partitionmaven.convert.ConvertFailureTest.seeded;
import static io.github.partitionmaven.convert.ConvertFailureTest.withoutRowCounts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.check.Check;
import io.github.partitionmaven.check.CheckReport;
import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.report.PlanReport;
import io.github.partitionmaven.testing.ChatWriter;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An attach of the seed's literal chat_history left unfinished after each of its steps (killed before the step, or the step
 * failing on a lock another session holds): plan and check show it, and {@code -Dpartition.abandon} restores the catalog the
 * first run started from, the index names included, while the application keeps writing.
 */
@DatabaseTest
class AttachAbandonTest {

    private static final ConvertOptions ATTACH = ConvertOptions.DEFAULTS.withStrategy(ConvertOptions.Strategy.ATTACH);

    /** Steps: 1 progress record, 2 CHECK, 3 validate, 4 unique index, 5 the partitioned successor, 6 swap. */
    @ParameterizedTest(name = "killed before step {0}")
    @ValueSource(ints = {2, 3, 4, 5, 6})
    void anAttachKilledBeforeEachStepIsShownByPlanAndCheckAndAbandonedToTheCatalogItStartedFrom(int step) throws Exception {
        TestDb db = seeded();
        String before = withoutRowCounts(db.snapshot());
        try (ChatWriter writer = new ChatWriter(db, false, 50, LocalDateTime.of(2026, 11, 1, 0, 0), LocalDateTime.of(2026, 11, 24, 0, 0))) {
            ResumeTest.KillingLog kill = new ResumeTest.KillingLog("[" + step + "/", 1);
            ResumeTest.assertKilled(() -> engine(db, kill, new ConvertPlanner(ATTACH)).apply(Goal.CONVERT), kill);
            assertUnfinishedIsShownThenAbandoned(db, before, null);
            writer.finishAfter(1);
        }
    }

    @ParameterizedTest(name = "step {0} fails")
    @ValueSource(ints = {2, 5, 6})
    void anAttachStepFailingOnALockSaysWhatIsLeftAndIsAbandonedToTheCatalogItStartedFrom(int step) throws Exception {
        TestDb db = seeded();
        String before = withoutRowCounts(db.snapshot());
        try (ChatWriter writer = new ChatWriter(db, false, 50, LocalDateTime.of(2026, 11, 1, 0, 0), LocalDateTime.of(2026, 11, 24, 0, 0))) {
            String action = engine(db, EngineLog.STDOUT, new ConvertPlanner(ATTACH)).plan(Set.of(Goal.CONVERT)).tables().get(0).steps()
                    .get(step - 1).action();
            ConvertFailureTest.BlockingLog log = new ConvertFailureTest.BlockingLog(db, step, "chat_history");
            PartitionException e;
            try {
                e = assertThrows(PartitionException.class, () -> engine(db, log, new ConvertPlanner(ATTACH)).apply(Goal.CONVERT));
            } finally {
                log.release();
            }
            System.out.println("step " + step + " (" + action + "): " + e.getMessage());
            assertTrue(e.getMessage().contains("The attach is unfinished; left in place by the steps before: the progress record"), e.getMessage());
            assertTrue(e.getMessage().contains("`mvn partition:convert -Dpartition.abandon` to remove them"), e.getMessage());
            assertUnfinishedIsShownThenAbandoned(db, before, "last error: Gave up on step '" + action);
            writer.finishAfter(1);
        }
    }

    private static void assertUnfinishedIsShownThenAbandoned(TestDb db, String before, String lastError) {
        List<String> lines = new ArrayList<>();
        new PlanReport(engine(db, EngineLog.STDOUT, new ConvertPlanner(ATTACH)).plan(Set.of(Goal.CONVERT)), "test").print(lines::add, lines::add);
        String plan = String.join("\n", lines);
        assertTrue(plan.contains("Unfinished conversion of \"public\".\"chat_history\" (strategy attach): started 20"), plan);
        if (lastError != null) {
            assertTrue(plan.contains(lastError), plan);
        }
        CheckReport report = Engines.engine(db, ConvertTest.NOW, "UTC", Engines.month("chat_history"))
                .check(new CheckThresholds(Long.MAX_VALUE, 0, Long.MAX_VALUE, Long.MAX_VALUE, Duration.ofHours(1), 5, EnumSet.of(Check.CONVERSION)));
        assertEquals(List.of(Check.CONVERSION), report.failedChecks(), report.findings().toString());
        assertTrue(report.findings().stream().anyMatch(f -> f.message().startsWith("an unfinished attach of \"public\".\"chat_history\" (started 20")),
                report.findings().toString());

        Engines.RecordingLog abandonLog = new Engines.RecordingLog();
        engine(db, abandonLog, ConvertPlanner.abandoning(ATTACH)).apply(Goal.CONVERT);
        System.out.println(abandonLog.text());
        assertEquals(before, withoutRowCounts(db.snapshot()), "abandon left the catalog as it was before the first run");
        assertTrue(engine(db, EngineLog.STDOUT, ConvertPlanner.abandoning(ATTACH)).plan(Set.of(Goal.CONVERT)).tables().get(0).steps().isEmpty());
    }
}
