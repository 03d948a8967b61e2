package io.github.partitionmaven.policy;

import io.github.partitionmaven.core.PartitionException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;

/**
 * The width of one partition. Every boundary is the start of a calendar day, so the planner works
 * on dates and converts them to the key type only when writing SQL; weeks start on Monday (ISO),
 * as PostgreSQL's {@code date_trunc('week', ...)} does.
 */
public enum Interval {
    DAY("day", "{table}_{yyyy_MM_dd}", 3660),
    WEEK("week", "{table}_{yyyy_MM_dd}", 530),
    MONTH("month", "{table}_{yyyy_MM}", 120),
    QUARTER("quarter", "{table}_{yyyy}_q{Q}", 40),
    YEAR("year", "{table}_{yyyy}", 10);

    private final String unit;
    private final String defaultNamePattern;
    private final int maxPremake;

    Interval(String unit, String defaultNamePattern, int maxPremake) {
        this.unit = unit;
        this.defaultNamePattern = defaultNamePattern;
        this.maxPremake = maxPremake;
    }

    /** The unit name PostgreSQL's date_trunc understands, also the configuration value. */
    public String unit() {
        return unit;
    }

    public String defaultNamePattern() {
        return defaultNamePattern;
    }

    /** The largest premake accepted: ten years of intervals. */
    public int maxPremake() {
        return maxPremake;
    }

    /** The start of the interval containing {@code date}. */
    public LocalDate floor(LocalDate date) {
        return switch (this) {
            case DAY -> date;
            case WEEK -> date.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> date.withDayOfMonth(1);
            case QUARTER -> date.with(IsoFields.DAY_OF_QUARTER, 1);
            case YEAR -> date.withDayOfYear(1);
        };
    }

    public boolean isBoundary(LocalDate date) {
        return floor(date).equals(date);
    }

    public LocalDate plus(LocalDate start, long intervals) {
        return switch (this) {
            case DAY -> start.plusDays(intervals);
            case WEEK -> start.plusWeeks(intervals);
            case MONTH -> start.plusMonths(intervals);
            case QUARTER -> start.plusMonths(3 * intervals);
            case YEAR -> start.plusYears(intervals);
        };
    }

    public LocalDate next(LocalDate start) {
        return plus(start, 1);
    }

    public static Interval parse(String value) {
        if (value == null || value.isBlank()) {
            throw PartitionException.configuration("<interval> is missing: set one of " + choices() + ".");
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.endsWith("ly")) {
            v = v.equals("daily") ? "day" : v.substring(0, v.length() - 2);
        }
        for (Interval i : values()) {
            if (i.unit.equals(v)) {
                return i;
            }
        }
        Interval closest = Arrays.stream(values())
                .min(Comparator.comparingInt(i -> editDistance(i.unit, value.trim().toLowerCase(Locale.ROOT))))
                .orElseThrow();
        throw PartitionException.configuration("Unknown <interval> '" + value + "'. Did you mean '" + closest.unit
                + "'? Use one of " + choices() + ".");
    }

    private static String choices() {
        return String.join(", ", Arrays.stream(values()).map(Interval::unit).toList());
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
