package io.github.partitionmaven.catalog;

import io.github.partitionmaven.policy.Interval;
import io.github.partitionmaven.core.Sql;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The partition key types the plugin manages. Bound values are compared as "micros": epoch
 * microseconds of the instant for {@code timestamptz}, of the wall-clock value read as UTC for
 * {@code timestamp}, of midnight for {@code date}; PostgreSQL computes the same numbers from the
 * catalog, so nothing is parsed from partition names or from printed dates.
 */
public enum KeyType {
    DATE(1082, "date"),
    TIMESTAMP(1114, "timestamp"),
    TIMESTAMPTZ(1184, "timestamptz");

    /** A lower bound of MINVALUE. */
    public static final long MIN = Long.MIN_VALUE;
    /** An upper bound of MAXVALUE. */
    public static final long MAX = Long.MAX_VALUE;

    private static final long MICROS_PER_DAY = 86_400_000_000L;
    private static final DateTimeFormatter TIMESTAMP_FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");
    private static final DateTimeFormatter TIMESTAMPTZ_FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ssxxxxx");

    private final int typeOid;
    private final String sqlName;

    KeyType(int typeOid, String sqlName) {
        this.typeOid = typeOid;
        this.sqlName = sqlName;
    }

    public int typeOid() {
        return typeOid;
    }

    public String sqlName() {
        return sqlName;
    }

    public static Optional<KeyType> ofTypeOid(int oid) {
        for (KeyType t : values()) {
            if (t.typeOid == oid) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The micros of the start of {@code day} in {@code zone}. */
    public long micros(LocalDate day, ZoneId zone) {
        // Wall-clock midnight always exists for timestamp and date keys, even on a day whose midnight a DST change skips.
        return this == TIMESTAMPTZ ? micros(day.atStartOfDay(zone)) : Math.multiplyExact(day.toEpochDay(), MICROS_PER_DAY);
    }

    /** The micros of a moment: its instant for timestamptz, its wall-clock time in its zone otherwise. */
    public long micros(ZonedDateTime moment) {
        Instant i = this == TIMESTAMPTZ ? moment.toInstant() : moment.toLocalDateTime().toInstant(ZoneOffset.UTC);
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
    }

    /** The day whose start is exactly {@code micros}, if there is one. */
    public Optional<LocalDate> dayStartingAt(long micros, ZoneId zone) {
        if (micros == MIN || micros == MAX) {
            return Optional.empty();
        }
        LocalDate day;
        if (this == TIMESTAMPTZ) {
            day = toZoned(micros, zone).toLocalDate();
        } else {
            day = LocalDate.ofEpochDay(Math.floorDiv(micros, MICROS_PER_DAY));
        }
        return micros(day, zone) == micros ? Optional.of(day) : Optional.empty();
    }

    /** The calendar day holding {@code micros} in {@code zone}. */
    public LocalDate dayOf(long micros, ZoneId zone) {
        if (this == TIMESTAMPTZ) {
            return toZoned(micros, zone).toLocalDate();
        }
        return LocalDate.ofEpochDay(Math.floorDiv(micros, MICROS_PER_DAY));
    }

    /** The SQL literal of the start of {@code day}: timestamptz bounds carry an explicit offset. */
    public String literal(LocalDate day, ZoneId zone) {
        return switch (this) {
            case DATE -> Sql.literal(day.toString());
            case TIMESTAMP -> Sql.literal(TIMESTAMP_FORMAT.format(day.atStartOfDay()));
            case TIMESTAMPTZ -> Sql.literal(TIMESTAMPTZ_FORMAT.format(day.atStartOfDay(zone)));
        };
    }

    /** A bound for people to read. */
    public String display(long micros, ZoneId zone) {
        if (micros == MIN) {
            return "MINVALUE";
        }
        if (micros == MAX) {
            return "MAXVALUE";
        }
        return switch (this) {
            case DATE -> LocalDate.ofEpochDay(Math.floorDiv(micros, MICROS_PER_DAY)).toString();
            case TIMESTAMP -> TIMESTAMP_FORMAT.format(LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                    (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC));
            case TIMESTAMPTZ -> TIMESTAMPTZ_FORMAT.format(toZoned(micros, zone));
        };
    }

    /** An SQL expression giving the first day of the interval holding {@code column}, as PostgreSQL buckets it. */
    public String bucketExpression(String quotedColumn, Interval interval, ZoneId zone) {
        String unit = Sql.literal(interval.unit());
        return switch (this) {
            case TIMESTAMPTZ -> "(pg_catalog.date_trunc(" + unit + ", " + quotedColumn + ", " + Sql.literal(zone.getId()) + ") AT TIME ZONE "
                    + Sql.literal(zone.getId()) + ")::date";
            case TIMESTAMP -> "pg_catalog.date_trunc(" + unit + ", " + quotedColumn + ")::date";
            case DATE -> "pg_catalog.date_trunc(" + unit + ", " + quotedColumn + "::timestamp)::date";
        };
    }

    private static ZonedDateTime toZoned(long micros, ZoneId zone) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000).atZone(zone);
    }
}
