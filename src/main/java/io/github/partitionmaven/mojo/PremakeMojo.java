package io.github.partitionmaven.mojo;

import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import java.util.Set;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Creates the partitions for the current and the next {@code premake} intervals and fills gaps,
 * each as a standalone table attached under SHARE UPDATE EXCLUSIVE. Runs exactly the premake steps
 * {@code partition:plan} shows; a second run does nothing.
 */
@Mojo(name = "premake", threadSafe = true, requiresProject = false)
public class PremakeMojo extends AbstractPartitionMojo {

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
        printApplied(engine.apply(Goal.PREMAKE));
    }
}
