package io.github.partitionmaven.policy;

import io.github.partitionmaven.core.PartitionException;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How long data is kept: {@code 6 months}, {@code 90 days}, {@code 2 weeks}, {@code 1 year}. */
public record RetentionPeriod(int amount, String unit, Period period) {

    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(day|week|month|quarter|year)s?");

    public static RetentionPeriod parse(String text) {
        String v = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher m = FORMAT.matcher(v);
        if (!m.matches()) {
            throw PartitionException.configuration("Cannot read <retention>" + text + "</retention>: write a number and a unit,"
                    + " e.g. '6 months', '90 days', '2 weeks', '1 year'.");
        }
        int amount;
        try {
            amount = Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            amount = -1;
        }
        if (amount < 1 || amount > 10_000) {
            throw PartitionException.configuration("<retention>" + text + "</retention> is out of range: use 1 to 10000 "
                    + m.group(2) + "s.");
        }
        String unit = m.group(2);
        Period period = switch (unit) {
            case "day" -> Period.ofDays(amount);
            case "week" -> Period.ofWeeks(amount);
            case "month" -> Period.ofMonths(amount);
            case "quarter" -> Period.ofMonths(3 * amount);
            default -> Period.ofYears(amount);
        };
        return new RetentionPeriod(amount, unit, period);
    }

    /** The first day that is kept: data strictly before it is past retention. */
    public LocalDate cutoff(LocalDate today) {
        return today.minus(period);
    }

    /** The moment before which data is past retention: now minus the period, calendar-aware in now's zone. */
    public ZonedDateTime cutoff(ZonedDateTime now) {
        return now.minus(period);
    }

    @Override
    public String toString() {
        return amount + " " + unit + (amount == 1 ? "" : "s");
    }
}
