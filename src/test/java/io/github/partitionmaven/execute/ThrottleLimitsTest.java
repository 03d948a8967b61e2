package io.github.partitionmaven.execute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.partitionmaven.core.PartitionException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code <throttle>} as written: defaults, units, and refusals that name the element and the fix. */
class ThrottleLimitsTest {

    @Test
    void nothingWrittenKeepsTheDefaultsAndZeroTurnsEachOff() {
        assertEquals(ThrottleLimits.DEFAULTS, ThrottleLimits.of(null, null, null, null, null));
        assertEquals(new ThrottleLimits(Duration.ofSeconds(60), 256, 50L << 20, true, Duration.ofMinutes(30)),
                ThrottleLimits.of("", null, "50MB/s", null, " "));
        assertEquals(50L << 20, ThrottleLimits.of(null, null, "50 MB / s", null, null).maxWalRate());
        assertFalse(ThrottleLimits.of("0s", 0, "0", false, null).any());
    }

    @Test
    void badValuesAreRefusedNamingTheElement() {
        assertEquals("Cannot read <maxWalRate>fast</maxWalRate>: write a number and a unit, e.g. 10GB, 500MB. Nothing was changed.",
                assertThrows(PartitionException.class, () -> ThrottleLimits.of(null, null, "fast", null, null)).getMessage());
        assertEquals("Cannot read <maxReplicaLag>a minute</maxReplicaLag>: write milliseconds or a unit, e.g. 500ms, 2s, 1min. Nothing was changed.",
                assertThrows(PartitionException.class, () -> ThrottleLimits.of("a minute", null, null, null, null)).getMessage());
        assertEquals("<maxArchiveBacklog>-1</maxArchiveBacklog> is negative: use 0 (never pause for it) or a number of WAL segments, e.g. 256. Nothing was changed.",
                assertThrows(PartitionException.class, () -> ThrottleLimits.of(null, -1, null, null, null)).getMessage());
        assertEquals("<throttle><timeout>500ms</timeout> is out of range: use 1s to 1440min (default 30min). Nothing was changed.",
                assertThrows(PartitionException.class, () -> ThrottleLimits.of(null, null, null, null, "500ms")).getMessage());
    }
}
