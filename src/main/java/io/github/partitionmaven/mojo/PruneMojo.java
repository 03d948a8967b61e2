package io.github.partitionmaven.mojo;

import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import java.io.File;
import java.util.Set;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Applies retention: partitions whose whole range ends at or before now minus {@code retention}
 * are detached (CONCURRENTLY where PostgreSQL allows it) and dropped, kept, or archived to a
 * verified file and dropped. Finishes first whatever an interrupted run left. Runs exactly the prune
 * steps {@code partition:plan} shows; a second run does nothing.
 */
@Mojo(name = "prune", threadSafe = true, requiresProject = false)
public class PruneMojo extends AbstractPartitionMojo {

    /**
     * The {@code plan.json} written by {@code partition:plan} and reviewed: the goal replans under each table's lock and
     * refuses, changing nothing, when its steps differ from the file's (see docs/pipelines.md).
     */
    @Parameter(property = "partition.planFile")
    private File planFile;

    @Override
    protected String goalName() {
        return "partition:prune";
    }

    @Override
    protected void run(PartitionEngine engine) {
        if (dryRun) {
            getLog().info("Dry run: printing the prune steps without running them.");
            print(engine.plan(Set.of(Goal.PRUNE)));
            return;
        }
        printApplied(engine.apply(Goal.PRUNE, reviewedPlan(planFile)));
    }
}
