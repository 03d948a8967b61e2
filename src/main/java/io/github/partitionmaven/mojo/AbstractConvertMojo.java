package io.github.partitionmaven.mojo;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.plan.PartitionPlan;
import org.apache.maven.plugins.annotations.Parameter;

/** The family of partition:convert and partition:rollback: how a table is converted, and so how it is rolled back. */
public abstract class AbstractConvertMojo extends AbstractApplyMojo {

    /** What partition:convert renames the old table to ({table} is its name); partition:rollback swaps it back. */
    @Parameter(property = "partition.oldTableName", defaultValue = ConvertOptions.DEFAULT_OLD_TABLE_NAME)
    protected String oldTableName;

    @Override
    protected ConvertOptions convertOptions() {
        return ConvertOptions.of(null, false, oldTableName, null, null);
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
