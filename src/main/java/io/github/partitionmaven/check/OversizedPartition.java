package io.github.partitionmaven.check;

import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.core.Durations;

/** A partition larger on disk (with indexes and TOAST) than the configured limit. */
public record OversizedPartition(TableName table, TableName partition, long bytes, long limitBytes) implements HealthFinding {

    @Override
    public Check check() {
        return Check.PARTITION_SIZE;
    }

    @Override
    public String message() {
        return "partition " + partition + " takes " + Durations.bytes(bytes) + ", over the limit of " + Durations.bytes(limitBytes);
    }

    @Override
    public String remedy() {
        return "consider a shorter <interval> (existing partitions keep their size), or raise partition.maxPartitionSize";
    }
}
