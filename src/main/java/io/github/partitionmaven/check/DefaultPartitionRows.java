package io.github.partitionmaven.check;

import io.github.partitionmaven.core.TableName;

/** Rows sit in the default partition: they block creating partitions for their range and are never pruned. */
public record DefaultPartitionRows(TableName table, TableName partition, long rows, long allowedRows) implements HealthFinding {

    @Override
    public Check check() {
        return Check.DEFAULT_ROWS;
    }

    @Override
    public String message() {
        return rows + " row(s) in the default partition " + partition + (allowedRows > 0 ? " (allowed: " + allowedRows + ")" : "");
    }

    @Override
    public String remedy() {
        return "run `mvn partition:premake`: it creates the missing partitions and moves their rows out of the default partition"
                + " (`mvn partition:plan` shows which rows stay)";
    }
}
