package io.github.partitionmaven.policy;

import io.github.partitionmaven.core.TableName;
import java.util.Optional;

/**
 * What the user wants for one table: range partitions of {@code interval} on {@code column},
 * {@code premake} intervals ahead of now, and optionally a retention.
 */
public record TablePolicy(
        TableName table,
        String column,
        Interval interval,
        int premake,
        NamePattern namePattern,
        Optional<RetentionPolicy> retention) {

    public static final int DEFAULT_PREMAKE = 3;
}
