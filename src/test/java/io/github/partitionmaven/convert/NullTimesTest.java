package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.check.CheckReport;
import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.check.DefaultPartitionRows;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rows whose time column is NULL: refused with SQL that fixes them, or kept in a DEFAULT partition ({@code <nullTimes>default}). */
@DatabaseTest
class NullTimesTest {

    static final ConvertOptions OPTIONS = ConvertOptions.DEFAULTS.withBatchSize(500);
    static final TableSpec DEFAULT = Engines.month("chat_history").withConversion(null, null, "default");

    /** The seed's chat_history verbatim with 30 of its rows' created_at set to NULL. */
    static TestDb withNullTimes(int rows) {
        TestDb db = ConvertTest.seeded(rows);
        db.exec("UPDATE chat_history SET created_at = NULL WHERE id % 100 = 0", "ANALYZE chat_history");
        return db;
    }

    /** The SQL lines of the refusal: each fix is one line starting "  DO ", ending in ";". */
    static List<String> fixes(String message) {
        return Arrays.stream(message.split("\n")).filter(l -> l.startsWith("  DO ")).map(l -> l.trim().replaceAll(";$", "")).toList();
    }

    @Test
    void theRefusalGivesBatchedSqlThatRunAsItIsLetsTheConversionSucceed() {
        for (int fix = 0; fix < 2; fix++) {
            TestDb db = withNullTimes(3000);
            String before = db.snapshot();
            PartitionException e = assertThrows(PartitionException.class,
                    () -> ConvertTest.engine(db, OPTIONS, new Engines.RecordingLog()).apply(Goal.CONVERT));
            assertEquals(before, db.snapshot(), "nothing was changed");
            assertTrue(e.getMessage().startsWith("30 row(s) of \"public\".\"chat_history\" have a NULL \"created_at\"")
                    && e.getMessage().contains("Nothing was changed.") && e.getMessage().contains("<nullTimes>default</nullTimes>"), e.getMessage());
            List<String> sql = fixes(e.getMessage());
            assertEquals(2, sql.size(), e.getMessage());
            assertTrue(sql.get(0).contains("UPDATE \"public\".\"chat_history\" SET \"created_at\" = '2025-12-01 00:00:00' WHERE ctid >= "),
                    sql.get(0));
            assertTrue(sql.get(1).contains("DELETE FROM \"public\".\"chat_history\" WHERE ctid >= "), sql.get(1));

            db.exec(sql.get(fix));
            assertEquals(0, db.queryLong("SELECT count(*) FROM chat_history WHERE created_at IS NULL"));
            ConvertTest.engine(db, OPTIONS, new Engines.RecordingLog()).apply(Goal.CONVERT);
            assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
            assertEquals(fix == 0 ? 3000 : 2970, db.queryLong("SELECT count(*) FROM chat_history"));
            assertEquals(fix == 0 ? 30 : 0, db.queryLong("SELECT count(*) FROM chat_history_2025_12 WHERE created_at = '2025-12-01'"),
                    "the fixed rows are in the oldest month's partition");
        }
    }

    @Test
    void nullTimesGoToADefaultPartitionThatPremakePruneAndCheckLiveWith() throws Exception {
        TestDb db = withNullTimes(3000);
        PartitionPlan plan = ConvertTest.engineFor(db, OPTIONS, new Engines.RecordingLog(), DEFAULT).plan(Set.of(Goal.CONVERT));
        String reason = plan.steps().get(0).reason();
        assertTrue(reason.contains("<nullTimes>default</nullTimes>: the 30 row(s) with a NULL \"created_at\", and any written later, go to"
                + " the DEFAULT partition \"public\".\"chat_history_default\"") && reason.contains("a plain DETACH")
                && reason.contains("becomes UNIQUE (id, created_at)"), reason);
        assertTrue(plan.steps().get(0).statements().contains("ALTER TABLE \"public\".\"chat_history_default\" ADD CONSTRAINT"
                + " \"chat_history_default_null_times\" CHECK (\"created_at\" IS NULL)"), plan.steps().get(0).statements().toString());

        ConvertTest.convertUnderMirroredWriter(db, OPTIONS, DEFAULT);
        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        assertEquals(0, db.queryLong("SELECT count(*) FROM ((TABLE chat_ref EXCEPT ALL TABLE chat_history) UNION ALL"
                + " (TABLE chat_history EXCEPT ALL TABLE chat_ref)) d"), "every row kept, as the writer's mirror holds them");
        long nulls = db.queryLong("SELECT count(*) FROM chat_ref WHERE created_at IS NULL"); // 30 less those the writer deleted
        assertTrue(nulls > 20, "NULL times: " + nulls);
        assertEquals(nulls, db.queryLong("SELECT count(*) FROM ONLY chat_history_default WHERE created_at IS NULL"));
        assertEquals(nulls, db.queryLong("SELECT count(*) FROM chat_history_default"), "the DEFAULT partition holds the NULL times only");
        assertEquals(List.of("UNIQUE (id, created_at)"), db.queryStrings("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE conrelid = 'chat_history'::regclass AND contype IN ('p', 'u')"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_index WHERE indrelid = 'chat_history'::regclass AND NOT indisvalid"));
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'no time', NULL)");
        assertEquals(nulls + 1, db.queryLong("SELECT count(*) FROM chat_history_default"), "a NULL time written later lands there too");
        IllegalStateException noPartition = assertThrows(IllegalStateException.class,
                () -> db.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'far', '2031-01-01')"));
        assertTrue(noPartition.getMessage().contains("chat_history_default_null_times"), "a time without partition is still refused");

        CheckReport healthy = Engines.engine(db, ConvertTest.NOW, "UTC", DEFAULT).check(CheckThresholds.DEFAULTS);
        assertEquals(List.of(), healthy.findings().stream().filter(DefaultPartitionRows.class::isInstance).toList(),
                "the configured NULL rows are not stray default rows");
        CheckReport unconfigured = Engines.engine(db, ConvertTest.NOW, "UTC", Engines.month("chat_history")).check(CheckThresholds.DEFAULTS);
        assertEquals(1, unconfigured.findings().stream().filter(DefaultPartitionRows.class::isInstance).count(),
                "without <nullTimes>default</nullTimes> they are reported");

        TableSpec later = new TableSpec("chat_history", "created_at", "month", null, null, "6 months", null, null)
                .withConversion(null, null, "default");
        Engines.RecordingLog premake = new Engines.RecordingLog();
        PartitionPlan made = Engines.engine(db, "2027-03-10T10:00:00", "UTC", premake, later).apply(Goal.PREMAKE);
        assertEquals(4, made.steps().size(), made.steps().toString()); // 2027-03 to 2027-06
        assertTrue(db.partitions("chat_history").stream().anyMatch(p -> p.startsWith("chat_history_2027_06 ")), db.partitions("chat_history").toString());
        PartitionPlan pruned = Engines.engine(db, "2027-03-10T10:00:00", "UTC", new Engines.RecordingLog(), later).apply(Goal.PRUNE);
        assertTrue(pruned.steps().stream().anyMatch(s -> s.reason().contains("plain DETACH")), pruned.steps().toString());
        assertTrue(db.partitions("chat_history").stream().noneMatch(p -> p.startsWith("chat_history_2025_12 ")), db.partitions("chat_history").toString());
        assertEquals(nulls + 1, db.queryLong("SELECT count(*) FROM chat_history WHERE created_at IS NULL"), "prune leaves the NULL times alone");
        CheckReport after = Engines.engine(db, "2027-03-10T10:00:00", "UTC", later).check(CheckThresholds.DEFAULTS);
        assertEquals(List.of(), after.findings().stream().filter(DefaultPartitionRows.class::isInstance).toList());
    }

    @Test
    void rollbackOfADefaultPartitionConversionReplaysByTheUniqueKeyAndBringsTheNullTimesBack() {
        TestDb db = withNullTimes(2000);
        ConvertTest.engineFor(db, OPTIONS, new Engines.RecordingLog(), DEFAULT).apply(Goal.CONVERT);
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'no time since', NULL),"
                + " (1, 'user', 'since', '2026-11-23')", "DELETE FROM chat_history WHERE id = 100");
        String expected = ConvertTest.fingerprint(db, "chat_history");
        ConvertTest.engineFor(db, OPTIONS, new Engines.RecordingLog(), DEFAULT).apply(Goal.ROLLBACK);
        assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        assertEquals(expected, ConvertTest.fingerprint(db, "chat_history"));
        assertEquals(20, db.queryLong("SELECT count(*) FROM chat_history WHERE created_at IS NULL"), "19 left of the 20, and the new one");
    }

    @Test
    void strategyAttachRefusesTheColumnOptionsItCannotFollowBeforeAnyChange() {
        TestDb db = withNullTimes(500);
        String before = db.snapshot();
        ConvertOptions attach = OPTIONS.withStrategy(ConvertOptions.Strategy.ATTACH);
        for (TableSpec spec : List.of(DEFAULT, Engines.month("chat_history").withConversion(true, null, null))) {
            PartitionException e = assertThrows(PartitionException.class,
                    () -> ConvertTest.engineFor(db, attach, new Engines.RecordingLog(), spec).apply(Goal.CONVERT));
            assertTrue(e.getMessage().contains("which strategy attach cannot follow") && e.getMessage().contains("<strategy>copy</strategy>")
                    && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
        }
        assertEquals(before, db.snapshot());
    }
}
