package io.github.partitionmaven.policy;

import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.core.PartitionException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the configuration as written into a validated policy, or a message naming the problem and the fix. */
public final class PolicyReader {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|min)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|mb|gb|tb)?");

    private PolicyReader() {
    }

    public static List<TablePolicy> tables(List<TableSpec> specs, RunSettings settings) {
        if (specs == null || specs.isEmpty()) {
            throw PartitionException.configuration("No <tables> configured: add <tables><table><name>chat_history</name>"
                    + "<column>created_at</column><interval>month</interval></table></tables> to the plugin configuration.");
        }
        List<TablePolicy> tables = new ArrayList<>();
        Map<TableName, TableSpec> seen = new HashMap<>();
        for (TableSpec spec : specs) {
            TablePolicy policy = table(spec, settings);
            TableName key = policy.table();
            if (seen.put(key, spec) != null) {
                throw PartitionException.configuration("Table " + key + " is configured twice in <tables>: keep one <table> for it."
                        + " " + PartitionException.NOTHING_CHANGED);
            }
            tables.add(policy);
        }
        return tables;
    }

    public static TablePolicy table(TableSpec spec, RunSettings settings) {
        TableName name = TableName.parse(spec.name());
        if (spec.column() == null || spec.column().isBlank()) {
            throw PartitionException.configuration("Table " + name + " has no <column>: name its time column, e.g. <column>created_at</column>.");
        }
        Interval interval = Interval.parse(spec.interval());
        int premake = spec.premake() == null ? TablePolicy.DEFAULT_PREMAKE : spec.premake();
        if (premake < 1 || premake > interval.maxPremake()) {
            throw PartitionException.configuration("<premake>" + premake + "</premake> for table " + name + " is out of range: use 1 to "
                    + interval.maxPremake() + " " + interval.unit() + "s (ten years).");
        }
        NamePattern pattern = NamePattern.parse(spec.namePattern() == null || spec.namePattern().isBlank()
                ? interval.defaultNamePattern() : spec.namePattern().trim());
        LocalDate today = settings.now().toLocalDate();
        // Names of the past ten years and the premake window must fit and be distinct.
        pattern.validate(name.name(), interval, interval.plus(interval.floor(today), -interval.maxPremake()),
                2 * interval.maxPremake() + 1);
        Optional<EpochUnit> epochUnit = spec.epochUnit() == null || spec.epochUnit().isBlank() ? Optional.empty()
                : Optional.of(EpochUnit.parse(spec.epochUnit(), name));
        return new TablePolicy(name, spec.column().trim(), interval, premake, pattern, retention(spec, name, interval),
                TableConversion.of(spec, name), epochUnit);
    }

    private static Optional<RetentionPolicy> retention(TableSpec spec, TableName name, Interval interval) {
        boolean hasRetention = spec.retention() != null && !spec.retention().isBlank();
        if (!hasRetention) {
            if (spec.retentionMode() != null && !spec.retentionMode().isBlank()) {
                throw PartitionException.configuration("Table " + name + " sets <retentionMode>" + spec.retentionMode()
                        + "</retentionMode> without <retention>: add e.g. <retention>6 months</retention>, or remove the mode.");
            }
            return Optional.empty();
        }
        RetentionPeriod period = RetentionPeriod.parse(spec.retention());
        LocalDate probe = LocalDate.of(2001, 3, 1);
        if (period.cutoff(probe).isAfter(interval.plus(probe, -1))) {
            throw PartitionException.configuration("<retention>" + period + "</retention> for table " + name
                    + " is shorter than one " + interval.unit() + ", the partition interval: nothing could ever be pruned"
                    + " without dropping current data. Use at least 1 " + interval.unit() + ".");
        }
        RetentionMode mode = RetentionMode.parse(spec.retentionMode());
        String schema = spec.retentionSchema() == null || spec.retentionSchema().isBlank() ? null : spec.retentionSchema().trim();
        return Optional.of(new RetentionPolicy(period, mode, schema));
    }

    public static RunSettings settings(String timeZone, String now, String lockTimeout, Integer maxAttempts, Clock clock) {
        return settings(timeZone, now, lockTimeout, maxAttempts, clock, false);
    }

    /** {@code allowFarNow}: plan with a {@code now} far from the server's clock (the engine refuses it otherwise). */
    public static RunSettings settings(String timeZone, String now, String lockTimeout, Integer maxAttempts, Clock clock,
                                       boolean allowFarNow) {
        ZoneId zone;
        try {
            zone = ZoneId.of(timeZone == null || timeZone.isBlank() ? "UTC" : timeZone.trim());
        } catch (DateTimeException e) {
            throw PartitionException.configuration("Unknown <timeZone>" + timeZone + "</timeZone>: use a region id such as UTC or"
                    + " Europe/Berlin.");
        }
        ZonedDateTime current = now == null || now.isBlank() ? ZonedDateTime.now(clock.withZone(zone)) : parseNow(now.trim(), zone);
        Duration timeout = lockTimeout == null || lockTimeout.isBlank()
                ? RunSettings.DEFAULT_LOCK_TIMEOUT : parseDuration(lockTimeout, "lockTimeout");
        if (timeout.isZero() || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw PartitionException.configuration("<lockTimeout>" + lockTimeout + "</lockTimeout> is out of range: use 1ms to 10min;"
                    + " a few hundred milliseconds keeps the application from queueing behind the plugin.");
        }
        int attempts = maxAttempts == null ? RunSettings.DEFAULT_MAX_ATTEMPTS : maxAttempts;
        if (attempts < 1 || attempts > 100) {
            throw PartitionException.configuration("<maxAttempts>" + attempts + "</maxAttempts> is out of range: use 1 to 100.");
        }
        return new RunSettings(zone, current, timeout, attempts, allowFarNow);
    }

    static ZonedDateTime parseNow(String text, ZoneId zone) {
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text).atStartOfDay(zone);
            }
            if (text.endsWith("Z") || text.matches(".*[+-]\\d\\d:?\\d\\d$")) {
                return OffsetDateTime.parse(text).atZoneSameInstant(zone);
            }
            return LocalDateTime.parse(text).atZone(zone);
        } catch (DateTimeParseException e) {
            throw PartitionException.configuration("Cannot read partition.now '" + text + "': use an ISO date (2026-01-31) or"
                    + " date-time (2026-01-31T23:00, 2026-01-31T23:00:00Z).");
        }
    }

    /** Reads {@code 500ms}, {@code 2s}, {@code 1min} or a plain number of milliseconds. */
    public static Duration parseDuration(String text, String parameter) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw PartitionException.configuration("Cannot read <" + parameter + ">" + text + "</" + parameter
                    + ">: write milliseconds or a unit, e.g. 500ms, 2s, 1min.");
        }
        if (m.group(1).length() > 12) {
            // more than 31 years of milliseconds, and past 19 digits not even a long: no setting of the plugin goes that far
            throw PartitionException.configuration("<" + parameter + ">" + text + "</" + parameter + "> is far too large: write"
                    + " milliseconds or a unit, e.g. 500ms, 2s, 1min. Nothing was changed.");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "s" -> Duration.ofSeconds(n);
            case "min" -> Duration.ofMinutes(n);
            default -> Duration.ofMillis(n);
        };
    }

    /** Reads {@code 10GB}, {@code 500 MB}, {@code 1TB} or a plain number of bytes; units are 1024-based, as pg_size_pretty. */
    public static long parseSize(String text, String parameter) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw PartitionException.configuration("Cannot read <" + parameter + ">" + text + "</" + parameter + ">: write a number"
                    + " and a unit, e.g. 10GB, 500MB.");
        }
        int shift = switch (m.group(2) == null ? "b" : m.group(2)) {
            case "kb" -> 10;
            case "mb" -> 20;
            case "gb" -> 30;
            case "tb" -> 40;
            default -> 0;
        };
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            n = Long.MAX_VALUE;
        }
        if (n < 1 || n > (Long.MAX_VALUE >> shift)) {
            throw PartitionException.configuration("<" + parameter + ">" + text + "</" + parameter + "> is out of range: use 1 byte to"
                    + " 8 EB, e.g. 10GB.");
        }
        return n << shift;
    }
}
