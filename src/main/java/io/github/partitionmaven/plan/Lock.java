package io.github.partitionmaven.plan;

import io.github.partitionmaven.core.TableName;

/** A lock a step takes on a relation. */
public record Lock(TableName relation, LockMode mode) {

    @Override
    public String toString() {
        return mode.sqlName() + " on " + relation.sql() + " (" + mode.effect() + ")";
    }
}
