package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.check.Check;
import io.github.partitionmaven.check.CheckReport;
import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.check.HealthFinding;
import io.github.partitionmaven.check.KeptOldTable;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * partition:check reports the table a conversion kept for rollback: nothing prunes it, so it keeps rows past the retention
 * that partition:prune applies to the partitioned table (and as much disk as the table took).
 */
@DatabaseTest
class KeptOldTableCheckTest {

    private static final TableSpec SIX_MONTHS = new TableSpec("chat_history", "created_at", "month", null, null, "6 months", null, null);

    private static List<KeptOldTable> kept(CheckReport report) {
        return report.findings().stream().filter(KeptOldTable.class::isInstance).map(KeptOldTable.class::cast).toList();
    }

    private static CheckReport check(TestDb db, TableSpec spec, String oldTableName, EnumSet<Check> failOn) {
        return ConvertTest.engineFor(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog(), spec)
                .check(CheckThresholds.DEFAULTS.withFailOn(failOn), oldTableName);
    }

    @Test
    void theOldTableIsReportedWithItsRowsPastTheRetentionUntilItIsDropped() {
        TestDb db = ConvertTest.seeded(300);
        ConvertTest.engineFor(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog(), SIX_MONTHS).apply(Goal.CONVERT);
        String before = db.snapshot();
        CheckReport report = check(db, SIX_MONTHS, "{table}_old", EnumSet.of(Check.OLD_TABLE));
        assertEquals(before, db.snapshot(), "check changes nothing");
        List<KeptOldTable> kept = kept(report);
        assertEquals(1, kept.size(), report.findings().toString());
        HealthFinding f = kept.get(0);
        // the seed's rows start 2025-12-03; six months before 2026-11-24 is 2026-05-24
        assertTrue(f.message().startsWith("\"public\".\"chat_history_old\" (") && f.message().contains("which partition:convert kept for"
                + " partition:rollback, is still there: it holds rows from 2025-12-03") && f.message().contains("older than the retention"
                + " of 6 months"), f.message());
        assertTrue(f.remedy().contains("(DROP TABLE \"public\".\"chat_history_old\")"), f.remedy());
        assertEquals(List.of(Check.OLD_TABLE), report.failedChecks());

        // without a retention: reported, not as past it
        KeptOldTable plain = kept(check(db, new TableSpec("chat_history", "created_at", "month", null, null, null, null, null), "{table}_old",
                EnumSet.noneOf(Check.class))).get(0);
        assertTrue(!plain.pastRetention() && plain.message().endsWith("is still there: its oldest row is from 2025-12-03 00:00:00"), plain.message());

        db.exec("DROP TABLE chat_history_old");
        assertEquals(List.of(), kept(check(db, SIX_MONTHS, "{table}_old", EnumSet.of(Check.OLD_TABLE))));
    }

    @Test
    void theOldTableIsFoundByTheOldTableNameTheConversionWasGiven() {
        TestDb db = ConvertTest.seeded(100);
        ConvertOptions before = ConvertOptions.of(null, false, "{table}_before_partitioning", null, null);
        ConvertTest.engineFor(db, before, new Engines.RecordingLog(), SIX_MONTHS).apply(Goal.CONVERT);
        assertEquals(List.of(), kept(check(db, SIX_MONTHS, "{table}_old", EnumSet.noneOf(Check.class))));
        List<KeptOldTable> kept = kept(check(db, SIX_MONTHS, "{table}_before_partitioning", EnumSet.noneOf(Check.class)));
        assertEquals("chat_history_before_partitioning", kept.get(0).old().name());
    }
}
