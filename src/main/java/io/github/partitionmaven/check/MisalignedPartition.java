package io.github.partitionmaven.check;

import io.github.partitionmaven.policy.Interval;
import io.github.partitionmaven.core.TableName;
import java.time.ZoneId;

/**
 * A partition whose bounds are not interval starts in the configured zone. PostgreSQL refuses
 * overlapping partitions, so this is the form an overlap with the interval grid takes: premake
 * cannot create the interval it cuts into.
 */
public record MisalignedPartition(TableName table, TableName partition, String from, String to, Interval interval, ZoneId zone)
        implements HealthFinding {

    @Override
    public Check check() {
        return Check.ALIGNMENT;
    }

    @Override
    public String message() {
        return "partition " + partition + " covers [" + from + ", " + to + "), which does not start and end on " + interval.unit()
                + " starts in " + zone + ": the " + interval.unit() + "s it cuts into stay partly uncovered";
    }

    @Override
    public String remedy() {
        return "check <interval> and <timeZone> against how the partition was created; if they are right, replace the partition"
                + " with aligned ones";
    }
}
