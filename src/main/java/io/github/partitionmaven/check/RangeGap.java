package io.github.partitionmaven.check;

import io.github.partitionmaven.core.TableName;

/** A range between two existing partitions that no partition covers. */
public record RangeGap(TableName table, String from, String to, TableName before, TableName after) implements HealthFinding {

    @Override
    public Check check() {
        return Check.GAPS;
    }

    @Override
    public String message() {
        return "no partition covers [" + from + ", " + to + ") between " + before + " and " + after
                + ": rows in it go to the default partition, or fail without one";
    }

    @Override
    public String remedy() {
        return "run `mvn partition:premake`: it fills gaps between existing partitions";
    }
}
