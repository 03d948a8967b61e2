package io.github.partitionmaven.mojo;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.plan.PartitionPlan;
import org.apache.maven.plugins.annotations.Parameter;

/** The family of partition:convert and partition:rollback: how a table is converted, and so how it is rolled back. */
public abstract class AbstractConvertMojo extends AbstractApplyMojo {

    /** How partition:convert moves the rows: copy (build beside, copy online, verify, swap) or attach (no copy). */
    @Parameter(property = "partition.strategy", defaultValue = "copy")
    protected String strategy;

    /** partition:convert without change capture, for a maintenance window: fastest, but writes meanwhile stop it at verification. */
    @Parameter(property = "partition.offline", defaultValue = "false")
    protected boolean offline;

    /** What partition:convert renames the old table to ({table} is its name); partition:rollback swaps it back. */
    @Parameter(property = "partition.oldTableName", defaultValue = ConvertOptions.DEFAULT_OLD_TABLE_NAME)
    protected String oldTableName;

    /** Rows per batch of partition:convert's copy; each batch is one short transaction. */
    @Parameter(property = "partition.batchSize", defaultValue = "50000")
    protected Integer batchSize;

    /**
     * Database sessions (connections) partition:convert copies with at once, each taking the next batch, and then builds
     * partitions' indexes with; 1 does one at a time. Up to the number of cores the server can spare: both are CPU-bound.
     */
    @Parameter(property = "partition.copySessions", defaultValue = "2")
    protected Integer copySessions;

    @Override
    protected ConvertOptions convertOptions() {
        return ConvertOptions.of(strategy, offline, oldTableName, batchSize, copySessions);
    }

    @Override
    protected String stepsName() {
        return "conversion";
    }

    /** A conversion prints its steps with their reasons, as plan does: it is run once per table and worth reading. */
    @Override
    protected void printExecuted(PartitionPlan executed) {
        print(executed);
    }
}
