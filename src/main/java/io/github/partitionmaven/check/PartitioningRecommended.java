package io.github.partitionmaven.check;

import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.core.Durations;

/** A plain table that has grown past the row count at which the seed makes partitioning mandatory. */
public record PartitioningRecommended(TableName table, long estimatedRows, long bytes, long thresholdRows) implements HealthFinding {

    @Override
    public Check check() {
        return Check.PARTITIONING;
    }

    @Override
    public String message() {
        return "partitioning recommended: plain table with ~" + estimatedRows + " rows (" + Durations.bytes(bytes)
                + "), past the threshold of " + thresholdRows + " rows";
    }

    @Override
    public String remedy() {
        return "convert it with `mvn partition:convert` (preview with `mvn partition:plan`)";
    }
}
