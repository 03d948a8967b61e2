package io.github.partitionmaven.check;

import io.github.partitionmaven.core.TableName;

/** One thing {@code partition:check} found wrong with a table: which check it trips, what it is, and how to fix it. */
public sealed interface HealthFinding permits OversizedPartition, ShortCoverage, DefaultPartitionRows, OverdueRetention,
        DetachPendingPartition, RangeGap, MisalignedPartition, PartitioningRecommended, SlowStatement,
        OtherPartitionKey, UnfinishedPrune, UnfinishedConversion, ReplicaIdentityDrift, KeptOldTable,
        LeafPublication {

    Check check();

    TableName table();

    String message();

    String remedy();
}
