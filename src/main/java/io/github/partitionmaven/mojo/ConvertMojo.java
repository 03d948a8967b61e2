package io.github.partitionmaven.mojo;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.convert.ConvertPlanner;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Planner;
import java.util.List;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Turns each configured plain table into a table partitioned by range on its time column, online:
 * strategy copy (default) builds it beside, copies in batches while capturing changes, verifies and
 * swaps in one short transaction; strategy attach makes the old table one partition without copying.
 * A killed run is completed by the next; a converted table is left alone. With {@code -Dpartition.abandon} it
 * removes instead what an unfinished conversion created (see docs/convert.md).
 */
@Mojo(name = "convert", threadSafe = true, requiresProject = false)
public class ConvertMojo extends AbstractConvertMojo {

    /** How partition:convert moves the rows: copy (build beside, copy online, verify, swap) or attach (no copy). */
    @Parameter(property = "partition.strategy", defaultValue = "copy")
    protected String strategy;

    /** partition:convert without change capture, for a maintenance window: fastest, but writes meanwhile stop it at verification. */
    @Parameter(property = "partition.offline", defaultValue = "false")
    protected boolean offline;

    /** Rows per batch of partition:convert's copy; each batch is one short transaction. */
    @Parameter(property = "partition.batchSize", defaultValue = "50000")
    protected Integer batchSize;

    /**
     * Database sessions (connections) partition:convert copies with at once, each taking the next batch, and then builds
     * partitions' indexes with; 1 does one at a time. Up to the number of cores the server can spare: both are CPU-bound.
     */
    @Parameter(property = "partition.copySessions", defaultValue = "2")
    protected Integer copySessions;

    /**
     * How long each copy session of partition:convert waits after each batch (e.g. 200ms; default 0ms, no pause). Each batch
     * writes its rows into the WAL at full speed and every commit of the application waits for the WAL before it: a pause
     * makes the copy slower and the application's commits faster. The plan shows it and adds it to the estimate.
     */
    @Parameter(property = "partition.copyPause", defaultValue = "0ms")
    protected String copyPause;

    /**
     * When partition:convert's copy and index builds wait for the database to be healthy again: a standby's replay lag, WAL
     * waiting for the archive, autovacuum on the table, the WAL rate (see {@link ThrottleConfig}; defaults without it).
     */
    @Parameter
    protected ThrottleConfig throttle;

    /** Remove what an unfinished conversion created (capture trigger, change log, new table, progress record) instead of continuing it. */
    @Parameter(property = "partition.abandon", defaultValue = "false")
    boolean abandon;

    @Override
    protected List<Planner> planners() {
        return abandon && goal() == Goal.CONVERT ? List.of(ConvertPlanner.abandoning(convertOptions())) : super.planners();
    }

    @Override
    protected ConvertOptions convertOptions() {
        return ConvertOptions.of(strategy, offline, oldTableName, batchSize, copySessions, copyPause)
                .withThrottle(ThrottleConfig.limits(throttle));
    }

    @Override
    protected String goalName() {
        return "partition:convert";
    }

    @Override
    protected Goal goal() {
        return Goal.CONVERT;
    }
}
