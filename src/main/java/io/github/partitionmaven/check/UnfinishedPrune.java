package io.github.partitionmaven.check;

import io.github.partitionmaven.core.TableName;

/**
 * A standalone table prune detached from {@code table} and marked, but did not drop, archive or move: its rows are in no
 * partition of the table, and retention has not happened yet.
 */
public record UnfinishedPrune(TableName table, TableName detached, long estimatedRows) implements HealthFinding {

    @Override
    public Check check() {
        return Check.UNFINISHED_PRUNE;
    }

    @Override
    public String message() {
        return detached + " (about " + estimatedRows + " rows) was detached from " + table + " by a prune that did not finish:"
                + " its rows are no longer visible through " + table + " and it is neither dropped, archived nor moved";
    }

    @Override
    public String remedy() {
        return "run `mvn partition:prune`: it finishes marked tables first, as its retentionMode says";
    }
}
