package io.github.partitionmaven.check;

import io.github.partitionmaven.policy.Interval;
import io.github.partitionmaven.core.TableName;

/** Fewer intervals of partitions exist ahead of now than required. */
public record ShortCoverage(TableName table, Coverage coverage, Interval interval, int requiredIntervals) implements HealthFinding {

    @Override
    public Check check() {
        return Check.COVERAGE;
    }

    @Override
    public String message() {
        if (!coverage.coversNow()) {
            return "no partition holds now (" + coverage.nowText() + "): new rows go to the default partition, or fail without one";
        }
        return "partitions reach only " + coverage.intervalsAhead() + " " + interval.unit() + "(s) past the current one (until "
                + coverage.untilText() + "); at least " + requiredIntervals + " are required";
    }

    @Override
    public String remedy() {
        return "run `mvn partition:premake` (schedule it, e.g. daily, so premake keeps partitions ahead)";
    }
}
