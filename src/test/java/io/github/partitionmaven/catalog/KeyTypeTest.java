package io.github.partitionmaven.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
