package io.github.partitionmaven.check;

import io.github.partitionmaven.core.TableName;

/**
 * A configured table partitioned otherwise than the configuration says (by list, hash, an expression or another column):
 * every goal refuses it; check reports it for that table alone and goes on with the others.
 */
public record OtherPartitionKey(TableName table, String refusal) implements HealthFinding {

    @Override
    public Check check() {
        return Check.PARTITION_KEY;
    }

    @Override
    public String message() {
        return refusal;
    }

    @Override
    public String remedy() {
        return "fix <column> of " + table + ", or remove it from <tables>";
    }
}
