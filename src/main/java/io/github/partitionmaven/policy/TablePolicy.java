package io.github.partitionmaven.policy;

import io.github.partitionmaven.core.TableName;
import java.util.Optional;

/**
 * What the user wants for one table: range partitions of {@code interval} on {@code column},
 * {@code premake} intervals ahead of now, optionally a retention, what a conversion changes
 * beyond partitioning ({@link TableConversion#NONE} unless configured), and {@code epochUnit} when the column is an integer
 * count of seconds, milliseconds or microseconds since 1970 rather than a date/time type.
 */
public record TablePolicy(
        TableName table,
        String column,
        Interval interval,
        int premake,
        NamePattern namePattern,
        Optional<RetentionPolicy> retention,
        TableConversion conversion,
        Optional<EpochUnit> epochUnit) {

    public static final int DEFAULT_PREMAKE = 3;

    public TablePolicy(TableName table, String column, Interval interval, int premake, NamePattern namePattern,
                       Optional<RetentionPolicy> retention) {
        this(table, column, interval, premake, namePattern, retention, TableConversion.NONE, Optional.empty());
    }
}
