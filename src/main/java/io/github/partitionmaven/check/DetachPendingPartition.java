package io.github.partitionmaven.check;

import io.github.partitionmaven.core.TableName;

/** A partition left detach-pending by an interrupted DETACH CONCURRENTLY: inserts into its range fail. */
public record DetachPendingPartition(TableName table, TableName partition) implements HealthFinding {

    @Override
    public Check check() {
        return Check.DETACH_PENDING;
    }

    @Override
    public String message() {
        return "partition " + partition + " is detach-pending (an interrupted DETACH CONCURRENTLY): its rows are invisible through "
                + table + " and inserts into its range fail";
    }

    @Override
    public String remedy() {
        return "run `mvn partition:prune` to finalize it, or ALTER TABLE " + table.sql() + " DETACH PARTITION " + partition.sql()
                + " FINALIZE";
    }
}
