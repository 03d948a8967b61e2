package io.github.partitionmaven.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckThresholdsTest {

    @Test
    void defaultsAreTheSeedsAlerts() {
        CheckThresholds t = CheckThresholds.parse(null, null, null, null, null, null, null);
        assertEquals(10L * 1024 * 1024 * 1024, t.maxPartitionBytes());
        assertEquals(2, t.minCoverageIntervals());
        assertEquals(0, t.maxDefaultRows());
        assertEquals(10_000_000, t.partitioningRowThreshold());
        assertEquals(Duration.ofMillis(500), t.slowStatementThreshold());
        assertEquals(EnumSet.of(Check.COVERAGE, Check.DEFAULT_ROWS, Check.DETACH_PENDING, Check.CONVERSION), t.failOn(),
                "by default check gates on what breaks inserts or hides data");
        assertEquals(CheckThresholds.DEFAULTS, t);
        assertEquals(t.failOn(), Check.parseList(List.of(" ")), "a blank <failOn/> is the default, not report-only");
    }

    @Test
    void readsSizesDurationsAndFailOnLists() {
        CheckThresholds t = CheckThresholds.parse("500 MB", 3, 10L, 1_000L, "2s", 3, List.of("coverage, defaultRows", "DETACHPENDING"));
        assertEquals(500L * 1024 * 1024, t.maxPartitionBytes());
        assertEquals(Duration.ofSeconds(2), t.slowStatementThreshold());
        assertEquals(EnumSet.of(Check.COVERAGE, Check.DEFAULT_ROWS, Check.DETACH_PENDING), t.failOn());
        assertEquals(EnumSet.allOf(Check.class), Check.parseList(List.of("all")));
        assertEquals(EnumSet.noneOf(Check.class), Check.parseList(List.of("none")));
        assertEquals(1024, CheckThresholds.parseSize("1kb"));
    }

    @Test
    void badValuesNameTheProblemAndTheFix() {
        PartitionException unknown = assertThrows(PartitionException.class, () -> Check.parseList(List.of("coverage,defaultRow")));
        assertTrue(unknown.getMessage().contains("Unknown check 'defaultRow'") && unknown.getMessage().contains("defaultRows"),
                unknown.getMessage());
        assertEquals(PartitionException.Kind.CONFIGURATION, unknown.kind());
        assertTrue(assertThrows(PartitionException.class, () -> CheckThresholds.parseSize("10 gigs")).getMessage().contains("10GB"));
        assertThrows(PartitionException.class, () -> CheckThresholds.parseSize("0"));
        assertThrows(PartitionException.class, () -> CheckThresholds.parse(null, -1, null, null, null, null, null));
        assertTrue(assertThrows(PartitionException.class, () -> CheckThresholds.parse(null, null, null, null, "fast", null, null))
                .getMessage().endsWith("Nothing was changed."));
    }
}
