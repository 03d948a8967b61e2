package io.github.partitionmaven.mojo;

import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.ReviewedPlan;
import java.io.File;
import java.util.Set;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Turns each configured plain table into a table partitioned by range on its time column, online:
 * strategy copy (default) builds it beside, copies in batches while capturing changes, verifies and
 * swaps in one short transaction; strategy attach makes the old table one partition without copying.
 * A killed run is completed by the next; a converted table is left alone.
 */
@Mojo(name = "convert", threadSafe = true, requiresProject = false)
public class ConvertMojo extends AbstractPartitionMojo {

    /**
     * The {@code plan.json} written by {@code partition:plan} and reviewed: the goal replans under each table's lock and
     * refuses, changing nothing, when its steps differ from the file's (see docs/pipelines.md).
     */
    @Parameter(property = "partition.planFile")
    private File planFile;

    @Override
    protected String goalName() {
        return "partition:convert";
    }

    @Override
    protected void run(PartitionEngine engine) {
        if (dryRun) {
            getLog().info("Dry run: printing the conversion steps without running them.");
            print(engine.plan(Set.of(goal())));
            return;
        }
        // Rollback shares this mojo; a reviewed plan holds convert steps only.
        print(engine.apply(goal(), goal() == Goal.CONVERT ? reviewedPlan(planFile) : ReviewedPlan.NONE));
    }

    protected Goal goal() {
        return Goal.CONVERT;
    }
}
