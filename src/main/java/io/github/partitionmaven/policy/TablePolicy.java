package io.github.partitionmaven.policy;

import io.github.partitionmaven.core.TableName;
import java.util.Optional;

/**
 * What the user wants for one table: range partitions of {@code interval} on {@code column},
 * {@code premake} intervals ahead of now, optionally a retention, and what a conversion changes
 * beyond partitioning ({@link TableConversion#NONE} unless configured).
 */
public record TablePolicy(
        TableName table,
        String column,
        Interval interval,
        int premake,
        NamePattern namePattern,
        Optional<RetentionPolicy> retention,
        TableConversion conversion) {

    public static final int DEFAULT_PREMAKE = 3;

    public TablePolicy(TableName table, String column, Interval interval, int premake, NamePattern namePattern,
                       Optional<RetentionPolicy> retention) {
        this(table, column, interval, premake, namePattern, retention, TableConversion.NONE);
    }
}
