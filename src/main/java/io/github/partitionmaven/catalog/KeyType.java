package io.github.partitionmaven.catalog;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.policy.EpochUnit;
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
 *
 * <p>An integer column of epoch time ({@code <epochUnit>}) is an instant like {@code timestamptz}: its micros are the
 * value times the unit, its bounds plain integers ({@code FOR VALUES FROM (1764547200000) TO (1767225600000)}), and its
 * intervals calendar months, days... in the configured time zone. An {@code integer} column holds seconds only, and
 * only up to 2038-01-19 03:14:07 UTC (2^31 - 1).
 */
public enum KeyType {
    DATE(1082, "date", 0),
    TIMESTAMP(1114, "timestamp", 0),
    TIMESTAMPTZ(1184, "timestamptz", 0),
    EPOCH_SECONDS(20, "bigint", 1_000_000L),
    EPOCH_MILLISECONDS(20, "bigint", 1_000L),
    EPOCH_MICROSECONDS(20, "bigint", 1L),
    EPOCH_SECONDS_INTEGER(23, "integer", 1_000_000L);

    /** The type oids of the integer types an epoch column may have; smallint (21) ends in 1970. */
    public static final int INT8 = 20;
    public static final int INT4 = 23;

    /** A lower bound of MINVALUE. */
    public static final long MIN = Long.MIN_VALUE;
    /** An upper bound of MAXVALUE. */
    public static final long MAX = Long.MAX_VALUE;

    private static final long MICROS_PER_DAY = 86_400_000_000L;
    private static final DateTimeFormatter TIMESTAMP_FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");
    private static final DateTimeFormatter TIMESTAMPTZ_FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ssxxxxx");

    private final int typeOid;
    private final String sqlName;
    /** Micros per unit of an epoch column; 0 for the date/time types. */
    private final long unitMicros;

    KeyType(int typeOid, String sqlName, long unitMicros) {
        this.typeOid = typeOid;
        this.sqlName = sqlName;
        this.unitMicros = unitMicros;
    }

    /** Is the column an integer count of epoch time (bounds are integers)? */
    public boolean epoch() {
        return unitMicros > 0;
    }

    /** Micros per unit of an epoch column; 0 for the date/time types. */
    public long unitMicros() {
        return unitMicros;
    }

    /** Compares instants: timestamptz and the epoch types, whose intervals start at midnight in the configured zone. */
    private boolean instant() {
        return this == TIMESTAMPTZ || epoch();
    }

    public int typeOid() {
        return typeOid;
    }

    public String sqlName() {
        return sqlName;
    }

    /** The date/time key type of a column type; integer columns need an {@link EpochUnit} (see {@link #of}). */
    public static Optional<KeyType> ofTypeOid(int oid) {
        for (KeyType t : values()) {
            if (t.typeOid == oid && !t.epoch()) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * The key type of a column of type {@code oid} with {@code <epochUnit>} {@code unit}: empty for a combination the
     * plugin cannot partition by (a unit on a date/time column, none on an integer one, an integer of milliseconds),
     * which {@code TableRequirements} refuses naming the fix.
     */
    public static Optional<KeyType> of(int oid, Optional<EpochUnit> unit) {
        if (unit.isEmpty()) {
            return ofTypeOid(oid);
        }
        if (oid == INT4) {
            return unit.get() == EpochUnit.SECONDS ? Optional.of(EPOCH_SECONDS_INTEGER) : Optional.empty();
        }
        if (oid != INT8) {
            return Optional.empty();
        }
        return Optional.of(switch (unit.get()) {
            case SECONDS -> EPOCH_SECONDS;
            case MILLISECONDS -> EPOCH_MILLISECONDS;
            case MICROSECONDS -> EPOCH_MICROSECONDS;
        });
    }

    /** The unit of an epoch key type. */
    public Optional<EpochUnit> unit() {
        return switch (this) {
            case EPOCH_SECONDS, EPOCH_SECONDS_INTEGER -> Optional.of(EpochUnit.SECONDS);
            case EPOCH_MILLISECONDS -> Optional.of(EpochUnit.MILLISECONDS);
            case EPOCH_MICROSECONDS -> Optional.of(EpochUnit.MICROSECONDS);
            default -> Optional.empty();
        };
    }

    /** The micros of the start of {@code day} in {@code zone}. */
    public long micros(LocalDate day, ZoneId zone) {
        // Wall-clock midnight always exists for timestamp and date keys, even on a day whose midnight a DST change skips.
        return instant() ? micros(day.atStartOfDay(zone)) : Math.multiplyExact(day.toEpochDay(), MICROS_PER_DAY);
    }

    /** The micros of a moment: its instant for timestamptz and epoch columns, its wall-clock time in its zone otherwise. */
    public long micros(ZonedDateTime moment) {
        Instant i = instant() ? moment.toInstant() : moment.toLocalDateTime().toInstant(ZoneOffset.UTC);
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
    }

    /** The day whose start is exactly {@code micros}, if there is one. */
    public Optional<LocalDate> dayStartingAt(long micros, ZoneId zone) {
        if (micros == MIN || micros == MAX) {
            return Optional.empty();
        }
        LocalDate day;
        if (instant()) {
            day = toZoned(micros, zone).toLocalDate();
        } else {
            day = LocalDate.ofEpochDay(Math.floorDiv(micros, MICROS_PER_DAY));
        }
        return micros(day, zone) == micros ? Optional.of(day) : Optional.empty();
    }

    /** The calendar day holding {@code micros} in {@code zone}. */
    public LocalDate dayOf(long micros, ZoneId zone) {
        if (instant()) {
            return toZoned(micros, zone).toLocalDate();
        }
        return LocalDate.ofEpochDay(Math.floorDiv(micros, MICROS_PER_DAY));
    }

    /**
     * The SQL literal of the start of {@code day}: timestamptz bounds carry an explicit offset, epoch bounds are the
     * integer. An integer column cannot hold a start past 2038-01-19 03:14:07 UTC: refused here, while planning.
     */
    public String literal(LocalDate day, ZoneId zone) {
        if (epoch()) {
            long value = micros(day, zone) / unitMicros;
            if (this == EPOCH_SECONDS_INTEGER && (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE)) {
                throw PartitionException.configuration("A partition bound at " + display(micros(day, zone), zone) + " (" + value
                        + " epoch seconds) does not fit the integer partition column: integer epoch seconds end at 2038-01-19 03:14:07"
                        + " UTC (2147483647). Widen the column to bigint (ALTER TABLE ... ALTER COLUMN ... TYPE bigint, which rewrites"
                        + " the table), or lower <premake>/<interval> so no partition reaches past 2038-01-19.");
            }
            return Long.toString(value);
        }
        return switch (this) {
            case DATE -> Sql.literal(day.toString());
            case TIMESTAMP -> Sql.literal(TIMESTAMP_FORMAT.format(day.atStartOfDay()));
            default -> Sql.literal(TIMESTAMPTZ_FORMAT.format(day.atStartOfDay(zone)));
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
            default -> TIMESTAMPTZ_FORMAT.format(toZoned(micros, zone));
        };
    }

    /**
     * For an epoch key, an SQL comment with the readable range of integer bounds {@code [day, next)}, to follow a
     * {@code FOR VALUES FROM (1764547200000) TO (1767225600000)} in the plan; empty for date/time keys, whose bounds read.
     */
    public String boundComment(LocalDate day, LocalDate next, ZoneId zone) {
        return epoch() ? " /* [" + display(micros(day, zone), zone) + ", " + display(micros(next, zone), zone) + ") */" : "";
    }

    /**
     * An SQL expression giving the timestamptz of an epoch column's value. Through float8: exact for seconds and
     * milliseconds, and for microseconds within 0.12 us until year 2255 (53-bit mantissa), which to_timestamp rounds to the
     * microsecond it came from.
     */
    private String timestamptz(String quotedColumn) {
        return unitMicros == 1_000_000L ? "pg_catalog.to_timestamp(" + quotedColumn + ")"
                : "pg_catalog.to_timestamp(" + quotedColumn + "::float8 / " + (1_000_000L / unitMicros) + ")";
    }

    /**
     * SQL giving the micros of an expression of this type, as {@code CatalogReader} computes bounds. Epoch values are
     * multiplied in numeric and held inside the bigint range, so a value in the wrong unit (microseconds configured as
     * seconds) reads as a far future instead of failing the read with "bigint out of range".
     */
    public String microsExpression(String expr) {
        if (epoch()) {
            return saturatedMicros("(" + expr + ")::numeric * " + unitMicros);
        }
        String instant = switch (this) {
            case DATE -> "(" + expr + ")::timestamp AT TIME ZONE 'UTC'";
            case TIMESTAMP -> "(" + expr + ") AT TIME ZONE 'UTC'";
            default -> expr;
        };
        return "(extract(epoch FROM " + instant + ") * 1000000)::bigint";
    }

    /** A numeric micros expression held between the MINVALUE and MAXVALUE markers, exclusive (LEAST/GREATEST are syntax, not functions). */
    public static String saturatedMicros(String numeric) {
        // GREATEST and LEAST skip NULLs: without the CASE the max of an empty table (NULL) would read as the bigint minimum
        return "CASE WHEN (" + numeric + ") IS NULL THEN NULL ELSE LEAST(GREATEST(" + numeric + ", " + (MIN + 1) + "), " + (MAX - 1)
                + ") END::bigint";
    }

    /** An SQL expression giving the first day of the interval holding {@code column}, as PostgreSQL buckets it. */
    public String bucketExpression(String quotedColumn, Interval interval, ZoneId zone) {
        String unit = Sql.literal(interval.unit());
        return switch (this) {
            case TIMESTAMP -> "pg_catalog.date_trunc(" + unit + ", " + quotedColumn + ")::date";
            case DATE -> "pg_catalog.date_trunc(" + unit + ", " + quotedColumn + "::timestamp)::date";
            default -> "(pg_catalog.date_trunc(" + unit + ", " + (epoch() ? timestamptz(quotedColumn) : quotedColumn) + ", "
                    + Sql.literal(zone.getId()) + ") AT TIME ZONE " + Sql.literal(zone.getId()) + ")::date";
        };
    }

    private static ZonedDateTime toZoned(long micros, ZoneId zone) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000).atZone(zone);
    }
}
