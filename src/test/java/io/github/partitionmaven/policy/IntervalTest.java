package io.github.partitionmaven.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class IntervalTest {

    @Test
    void floorsToCalendarBoundaries() {
        LocalDate d = LocalDate.of(2026, 2, 28);
        assertEquals(LocalDate.of(2026, 2, 28), Interval.DAY.floor(d));
        assertEquals(LocalDate.of(2026, 2, 23), Interval.WEEK.floor(d), "ISO weeks start on Monday");
        assertEquals(LocalDate.of(2026, 2, 1), Interval.MONTH.floor(d));
        assertEquals(LocalDate.of(2026, 1, 1), Interval.QUARTER.floor(d));
        assertEquals(LocalDate.of(2026, 10, 1), Interval.QUARTER.floor(LocalDate.of(2026, 12, 31)));
        assertEquals(LocalDate.of(2026, 1, 1), Interval.YEAR.floor(d));
    }

    @Test
    void nextMonthIsAlwaysTheFirstOfTheNextMonthUnlikeNowPlus32Days() {
        LocalDate m = LocalDate.of(2026, 1, 1);
        for (int i = 0; i < 24; i++) {
            LocalDate next = Interval.MONTH.next(m);
            assertEquals(1, next.getDayOfMonth());
            assertEquals(m.plusMonths(1), next);
            m = next;
        }
        assertEquals(LocalDate.of(2027, 1, 4), Interval.WEEK.next(LocalDate.of(2026, 12, 28)), "weeks cross the year");
        assertEquals(LocalDate.of(2027, 1, 1), Interval.QUARTER.next(LocalDate.of(2026, 10, 1)));
    }

    @Test
    void misspeltIntervalSuggestsTheClosest() {
        PartitionException e = assertThrows(PartitionException.class, () -> Interval.parse("monthy"));
        assertTrue(e.getMessage().contains("Did you mean 'month'?"), e.getMessage());
        assertTrue(e.getMessage().endsWith("Nothing was changed."));
        assertEquals("week", assertThrows(PartitionException.class, () -> Interval.parse("weak")).getMessage().replaceAll(".*mean '(\\w+)'.*", "$1"));
        assertEquals(Interval.MONTH, Interval.parse("Monthly"));
        assertEquals(Interval.DAY, Interval.parse("daily"));
    }
}
