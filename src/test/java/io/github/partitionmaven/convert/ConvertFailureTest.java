package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.check.Check;
import io.github.partitionmaven.check.CheckReport;
import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.report.PlanReport;
import io.github.partitionmaven.testing.ChatWriter;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A conversion of the seed's literal chat_history made to fail at each of its steps (another session holds the lock the
 * step needs, or a row no partition takes): the error says what is left and how to go on, plan and check show the
 * unfinished conversion, and then either {@code -Dpartition.abandon} restores the catalog exactly or a rerun completes it.
 */
@DatabaseTest
class ConvertFailureTest {

    private static final ConvertOptions OPTIONS = ConvertOptions.DEFAULTS.withBatchSize(500);

    /** The seed's literal tables with 3000 rows of 50 users over twelve months; AttachAbandonTest starts from it too. */
    static TestDb seeded() {
        TestDb db = TestDb.fresh(ConvertFailureTest.class);
        db.exec(Seed.plainTables().toArray(String[]::new));
        db.exec(Seed.rows(50, 3000, LocalDate.of(2025, 12, 3), LocalDate.of(2026, 11, 20)).toArray(String[]::new));
        db.exec("ANALYZE");
        return db;
    }

    static PartitionEngine engine(TestDb db, EngineLog log, Planner planner) {
        return Engines.engine(db, ConvertTest.NOW, "UTC", log, List.of(planner), Engines.month("chat_history"));
    }

    /** Before the step numbered {@code step} runs, another session takes ACCESS EXCLUSIVE on the first relation it locks. */
    static final class BlockingLog implements EngineLog {
        final List<String> lines = new ArrayList<>();
        private final TestDb db;
        private final String prefix;
        private final String relation;
        Connection blocker;

        BlockingLog(TestDb db, int step, String relation) {
            this.db = db;
            this.prefix = "[" + step + "/";
            this.relation = relation;
        }

        @Override
        public void info(String message) {
            lines.add(message);
            if (message.startsWith(prefix) && blocker == null) {
                try {
                    blocker = db.connect();
                    blocker.setAutoCommit(false);
                    try (Statement s = blocker.createStatement()) {
                        s.execute("LOCK TABLE " + relation + " IN ACCESS EXCLUSIVE MODE");
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public void warn(String message) {
            lines.add(message);
        }

        @Override
        public void debug(String message) {
        }

        void release() throws Exception {
            if (blocker != null) {
                blocker.rollback();
                blocker.close();
            }
        }
    }

    static Stream<Integer> steps() {
        TestDb db = seeded();
        // up to the swap; the step after it fails with the conversion complete (OldForeignKeysTest)
        int n = swapNumber(engine(db, EngineLog.STDOUT, new ConvertPlanner(OPTIONS)).plan(Set.of(Goal.CONVERT)).tables().get(0).steps());
        return IntStream.rangeClosed(2, n).boxed();
    }

    /** The number of the swap step, counting from 1, as the log numbers them. */
    static int swapNumber(List<Step> steps) {
        return 1 + IntStream.range(0, steps.size()).filter(i -> steps.get(i).action().startsWith("swap: ")).findFirst().orElseThrow();
    }

    static String withoutRowCounts(String snapshot) {
        return snapshot.lines().filter(l -> !l.contains(" rows ")).collect(Collectors.joining("\n"));
    }

    @ParameterizedTest(name = "step {0}")
    @MethodSource("steps")
    void aConversionFailingAtEachStepSaysWhatIsLeftAndIsAbandonedToTheCatalogItStartedFrom(int number) throws Exception {
        TestDb db = seeded();
        ChatWriter writer = new ChatWriter(db, false, 50, LocalDateTime.of(2026, 11, 1, 0, 0), LocalDateTime.of(2026, 11, 24, 0, 0));
        String before = withoutRowCounts(db.snapshot());
        Step step = engine(db, EngineLog.STDOUT, new ConvertPlanner(OPTIONS)).plan(Set.of(Goal.CONVERT)).tables().get(0).steps().get(number - 1);
        BlockingLog log = new BlockingLog(db, number, step.locks().get(0).relation().sql());
        PartitionException e;
        try {
            e = assertThrows(PartitionException.class, () -> engine(db, log, new ConvertPlanner(OPTIONS)).apply(Goal.CONVERT));
        } finally {
            log.release();
        }
        System.out.println("step " + number + " (" + step.action() + "): " + e.getMessage());
        assertTrue(e.getMessage().contains("The conversion is unfinished; left in place by the steps before: \"public\".\"chat_history_new\""),
                e.getMessage());
        assertTrue(e.getMessage().contains("`mvn partition:convert -Dpartition.abandon` to remove all of it"), e.getMessage());

        String plan = String.join("\n", printed(db));
        assertTrue(plan.contains("Unfinished conversion of \"public\".\"chat_history\": started 20"), plan);
        assertTrue(plan.contains("captured change(s) waiting to be replayed") || number > 9, plan);
        assertTrue(plan.contains("last error: Gave up on step '" + step.action()), plan);
        CheckReport report = Engines.engine(db, ConvertTest.NOW, "UTC", Engines.month("chat_history"))
                .check(new CheckThresholds(Long.MAX_VALUE, 0, Long.MAX_VALUE, Long.MAX_VALUE, Duration.ofHours(1), 5, EnumSet.of(Check.CONVERSION)));
        assertEquals(List.of(Check.CONVERSION), report.failedChecks(), report.findings().toString());

        Engines.RecordingLog abandonLog = new Engines.RecordingLog();
        engine(db, abandonLog, ConvertPlanner.abandoning(OPTIONS)).apply(Goal.CONVERT);
        writer.finishAfter(1);
        assertTrue(abandonLog.text().contains("remove the change capture from \"public\".\"chat_history\""), abandonLog.text());
        assertEquals(before, withoutRowCounts(db.snapshot()), "abandon left the catalog as it was before the first run");
        assertTrue(engine(db, EngineLog.STDOUT, ConvertPlanner.abandoning(OPTIONS)).plan(Set.of(Goal.CONVERT)).tables().get(0).steps().isEmpty());
    }

    private static List<String> printed(TestDb db) {
        List<String> lines = new ArrayList<>();
        new PlanReport(engine(db, EngineLog.STDOUT, new ConvertPlanner(OPTIONS)).plan(Set.of(Goal.CONVERT)), "test").print(lines::add, lines::add);
        return lines;
    }

    @Test
    void aConversionStoppedByABadRowRefusesToGoOnUntilTheRowIsFixedThenResumesAndMatchesTheApplicationsWrites() throws Exception {
        TestDb db = seeded();
        ChatWriter writer = new ChatWriter(db, true, 100, LocalDateTime.of(2026, 11, 1, 0, 0), LocalDateTime.of(2026, 11, 24, 0, 0));
        // once the new table and the capture exist, the application writes a row without created_at, which no partition takes
        EngineLog badRow = new EngineLog() {
            @Override
            public void info(String message) {
                if (message.startsWith("[2/")) {
                    db.exec("WITH x AS (INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'no time', NULL)"
                            + " RETURNING *) INSERT INTO chat_ref SELECT * FROM x");
                }
            }

            @Override
            public void warn(String message) {
            }

            @Override
            public void debug(String message) {
            }
        };
        PartitionException e = assertThrows(PartitionException.class, () -> engine(db, badRow, new ConvertPlanner(OPTIONS)).apply(Goal.CONVERT));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("cannot be placed in \"public\".\"chat_history_new\""), e.getMessage());
        assertTrue(e.getMessage().contains("Fix the cause and run `mvn partition:convert` again to continue from here"), e.getMessage());

        PartitionException refused = assertThrows(PartitionException.class, () -> engine(db, EngineLog.STDOUT, new ConvertPlanner(OPTIONS))
                .plan(Set.of(Goal.CONVERT)));
        assertTrue(refused.getMessage().contains("1 row(s) of \"public\".\"chat_history\" have a NULL \"created_at\""), refused.getMessage());
        assertTrue(refused.getMessage().contains("An unfinished conversion of \"public\".\"chat_history\" is in place"), refused.getMessage());
        assertTrue(refused.getMessage().contains("last error: A row of \"public\".\"chat_history\" cannot be placed"), refused.getMessage());

        db.exec("UPDATE chat_history SET created_at = '2026-11-02' WHERE created_at IS NULL",
                "UPDATE chat_ref SET created_at = '2026-11-02' WHERE created_at IS NULL");
        engine(db, EngineLog.STDOUT, new ConvertPlanner(OPTIONS)).apply(Goal.CONVERT);
        writer.finishAfter(10);
        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        assertEquals(ConvertTest.fingerprint(db, "chat_ref"), ConvertTest.fingerprint(db, "chat_history"));
        assertFalse(db.queryStrings("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").contains("partition_convert_capture"));
    }
}
