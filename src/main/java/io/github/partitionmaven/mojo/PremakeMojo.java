package io.github.partitionmaven.mojo;

import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import java.io.File;
import java.util.Set;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Creates the partitions for the current and the next {@code premake} intervals and fills gaps,
 * each as a standalone table attached under SHARE UPDATE EXCLUSIVE. Runs exactly the premake steps
 * {@code partition:plan} shows; a second run does nothing.
 */
@Mojo(name = "premake", threadSafe = true, requiresProject = false)
public class PremakeMojo extends AbstractPartitionMojo {

    /**
     * The {@code plan.json} written by {@code partition:plan} and reviewed: the goal replans under each table's lock and
     * refuses, changing nothing, when its steps differ from the file's (see docs/pipelines.md).
     */
    @Parameter(property = "partition.planFile")
    private File planFile;

    @Override
    protected String goalName() {
        return "partition:premake";
    }

    @Override
    protected void run(PartitionEngine engine) {
        if (dryRun) {
            getLog().info("Dry run: printing the premake steps without running them.");
            print(engine.plan(Set.of(Goal.PREMAKE)));
            return;
        }
        printApplied(engine.apply(Goal.PREMAKE, reviewedPlan(planFile)));
    }
}
