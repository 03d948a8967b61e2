package io.github.partitionmaven.catalog;

import io.github.partitionmaven.core.TableName;
import java.util.List;

/**
 * One partition as the catalog describes it. {@code lower} and {@code upper} are in
 * {@link KeyType} micros ({@link KeyType#MIN}/{@link KeyType#MAX} for MINVALUE/MAXVALUE);
 * a default partition has neither. {@code unlogged}: relpersistence 'u', a partition that writes no WAL and is emptied
 * by a crash (a partitioned table has no storage of its own, so its partitions carry the persistence one by one);
 * {@code replicaIdentity}: its own, which it does not take from its parent either; {@code storage}: its storage parameters, ditto.
 */
public record PartitionInfo(
        TableName name,
        long oid,
        boolean isDefault,
        long lower,
        long upper,
        String bound,
        boolean detachPending,
        long estimatedRows,
        long bytes,
        boolean unlogged,
        ReplicaIdentity replicaIdentity,
        StorageParameters storage,
        List<ColumnTuning> tuning) {

    public boolean overlaps(long lo, long hi) {
        return !isDefault && lower < hi && upper > lo;
    }
}
