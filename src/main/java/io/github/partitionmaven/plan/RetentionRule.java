package io.github.partitionmaven.plan;

import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.catalog.PartitionInfo;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.policy.RetentionPeriod;
import io.github.partitionmaven.policy.RunSettings;
import java.util.List;

/**
 * Which partitions are past retention: those whose whole range ends at or before
 * {@code now - retention} (now in the configured zone), judged from catalog bounds only. The
 * partition holding now and every later one can never qualify, because the cutoff is in the past.
 */
public final class RetentionRule {


    private RetentionRule() {
    }

    public static long cutoffMicros(KeyType keyType, RetentionPeriod period, RunSettings settings) {
        return keyType.micros(period.cutoff(settings.now()));
    }

    public static boolean expired(PartitionInfo p, KeyType keyType, RetentionPeriod period, RunSettings settings) {
        return !p.isDefault() && p.upper() != KeyType.MAX && p.upper() <= cutoffMicros(keyType, period, settings);
    }

    /** The expired partitions of a partitioned table, oldest first. */
    public static List<PartitionInfo> expired(TableState state, RetentionPeriod period, RunSettings settings) {
        long cutoff = cutoffMicros(state.keyType(), period, settings);
        return state.partitions().stream()
                .filter(p -> p.upper() != KeyType.MAX && p.upper() <= cutoff)
                .toList();
    }
}
