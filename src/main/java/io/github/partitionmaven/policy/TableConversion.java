package io.github.partitionmaven.policy;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import java.util.Locale;

/**
 * What {@code partition:convert} changes in one table's definition beyond partitioning it; all off by default.
 *
 * @param widenKeys  integer columns of the primary and unique keys become bigint, and the sequences feeding them too
 * @param addNotNull every column that allows NULL but holds none becomes NOT NULL
 * @param nullTimes  what happens to rows whose partition column is NULL
 */
public record TableConversion(boolean widenKeys, boolean addNotNull, NullTimes nullTimes) {

    public static final TableConversion NONE = new TableConversion(false, false, NullTimes.REFUSE);

    /** Rows with a NULL partition column, which no range partition can hold. */
    public enum NullTimes {
        /** The conversion is refused while such rows exist, with the SQL that fixes them. */
        REFUSE,
        /** The new table gets a DEFAULT partition that holds them (and only them). */
        DEFAULT;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static NullTimes parse(String value, TableName table) {
            if (value == null || value.isBlank()) {
                return REFUSE;
            }
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw PartitionException.configuration("Unknown <nullTimes>" + value + "</nullTimes> for table " + table + ": use refuse"
                        + " (the default: rows with a NULL time column stop the conversion, with the SQL that fixes them) or default"
                        + " (they go to a DEFAULT partition). " + PartitionException.NOTHING_CHANGED);
            }
        }
    }

    static TableConversion of(TableSpec spec, TableName table) {
        TableConversion c = new TableConversion(Boolean.TRUE.equals(spec.widenKeys()), Boolean.TRUE.equals(spec.addNotNull()),
                NullTimes.parse(spec.nullTimes(), table));
        return c.equals(NONE) ? NONE : c;
    }

    public boolean nullTimesToDefault() {
        return nullTimes == NullTimes.DEFAULT;
    }
}
