package io.github.partitionmaven.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.policy.EpochUnit;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class KeyTypeTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @Test
    void timestamptzLiteralsCarryTheOffsetInForceThatDay() {
        assertEquals("'2026-03-01 00:00:00+01:00'", KeyType.TIMESTAMPTZ.literal(LocalDate.of(2026, 3, 1), BERLIN));
        assertEquals("'2026-04-01 00:00:00+02:00'", KeyType.TIMESTAMPTZ.literal(LocalDate.of(2026, 4, 1), BERLIN), "after the DST change");
        assertEquals("'2026-11-01 00:00:00-04:00'", KeyType.TIMESTAMPTZ.literal(LocalDate.of(2026, 11, 1), NEW_YORK));
        assertEquals("'2026-12-01 00:00:00-05:00'", KeyType.TIMESTAMPTZ.literal(LocalDate.of(2026, 12, 1), NEW_YORK));
        assertEquals("'2026-12-01 00:00:00'", KeyType.TIMESTAMP.literal(LocalDate.of(2026, 12, 1), BERLIN), "wall clock, no zone");
        assertEquals("'2026-12-01'", KeyType.DATE.literal(LocalDate.of(2026, 12, 1), BERLIN));
    }

    @Test
    void microsRoundTripToTheDayTheyStart() {
        for (KeyType t : KeyType.values()) {
            for (ZoneId zone : new ZoneId[] {ZoneId.of("UTC"), BERLIN, NEW_YORK}) {
                LocalDate d = LocalDate.of(2026, 3, 29);
                assertEquals(d, t.dayStartingAt(t.micros(d, zone), zone).orElseThrow(), t + " " + zone);
                assertTrue(t.dayStartingAt(t.micros(d, zone) + 1, zone).isEmpty());
            }
        }
    }

    @Test
    void theSameDayIsADifferentInstantInEachZone() {
        LocalDate d = LocalDate.of(2026, 7, 1);
        assertEquals(2 * 3600_000_000L, KeyType.TIMESTAMPTZ.micros(d, ZoneId.of("UTC")) - KeyType.TIMESTAMPTZ.micros(d, BERLIN));
        assertEquals(KeyType.TIMESTAMP.micros(d, BERLIN), KeyType.TIMESTAMP.micros(d, NEW_YORK), "timestamp bounds ignore the zone");
    }

    @Test
    void epochBoundsAreTheIntegerOfMidnightInTheConfiguredZone() {
        LocalDate dec = LocalDate.of(2025, 12, 1);
        assertEquals("1764547200000", KeyType.EPOCH_MILLISECONDS.literal(dec, ZoneId.of("UTC")));
        assertEquals("1764547200", KeyType.EPOCH_SECONDS.literal(dec, ZoneId.of("UTC")));
        assertEquals("1764547200", KeyType.EPOCH_SECONDS_INTEGER.literal(dec, ZoneId.of("UTC")));
        assertEquals("1764547200000000", KeyType.EPOCH_MICROSECONDS.literal(dec, ZoneId.of("UTC")));
        assertEquals("1764543600000", KeyType.EPOCH_MILLISECONDS.literal(dec, BERLIN), "midnight in Berlin is 23:00 UTC");
        assertEquals(KeyType.TIMESTAMPTZ.micros(dec, BERLIN), KeyType.EPOCH_MILLISECONDS.micros(dec, BERLIN), "micros of the same instant");
        assertEquals(dec, KeyType.EPOCH_SECONDS.dayOf(KeyType.EPOCH_SECONDS.micros(dec, NEW_YORK) + 1, NEW_YORK));
        assertEquals("2025-12-01 00:00:00+01:00", KeyType.EPOCH_MILLISECONDS.display(KeyType.EPOCH_MILLISECONDS.micros(dec, BERLIN), BERLIN));
        assertEquals(" /* [2025-12-01 00:00:00+00:00, 2026-01-01 00:00:00+00:00) */",
                KeyType.EPOCH_MILLISECONDS.boundComment(dec, LocalDate.of(2026, 1, 1), ZoneId.of("UTC")));
        assertEquals("", KeyType.TIMESTAMPTZ.boundComment(dec, LocalDate.of(2026, 1, 1), ZoneId.of("UTC")), "timestamp bounds read as they are");
    }

    @Test
    void anIntegerColumnTakesSecondsOnlyAndBigintEveryUnit() {
        assertEquals(java.util.Optional.of(KeyType.EPOCH_SECONDS_INTEGER), KeyType.of(23, java.util.Optional.of(EpochUnit.SECONDS)));
        assertTrue(KeyType.of(23, java.util.Optional.of(EpochUnit.MILLISECONDS)).isEmpty(), "2^31 ms ends on 1970-01-25");
        assertEquals(java.util.Optional.of(KeyType.EPOCH_MILLISECONDS), KeyType.of(20, java.util.Optional.of(EpochUnit.MILLISECONDS)));
        assertTrue(KeyType.of(20, java.util.Optional.empty()).isEmpty(), "a bigint without a unit is no time");
        assertTrue(KeyType.of(1184, java.util.Optional.of(EpochUnit.SECONDS)).isEmpty(), "a unit on a timestamptz column is refused");
        assertEquals(java.util.Optional.of(KeyType.TIMESTAMPTZ), KeyType.of(1184, java.util.Optional.empty()));
    }

    @Test
    void anIntegerOfSecondsPast2038IsRefusedNamingTheLimit() {
        assertEquals("2145916800", KeyType.EPOCH_SECONDS_INTEGER.literal(LocalDate.of(2038, 1, 1), ZoneId.of("UTC")));
        PartitionException e = assertThrows(PartitionException.class,
                () -> KeyType.EPOCH_SECONDS_INTEGER.literal(LocalDate.of(2038, 2, 1), ZoneId.of("UTC")));
        assertTrue(e.getMessage().contains("integer epoch seconds end at 2038-01-19 03:14:07 UTC (2147483647)"), e.getMessage());
        assertEquals("2148595200", KeyType.EPOCH_SECONDS.literal(LocalDate.of(2038, 2, 1), ZoneId.of("UTC")), "bigint goes on");
    }
}
