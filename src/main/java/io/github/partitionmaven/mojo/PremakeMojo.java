package io.github.partitionmaven.mojo;

import io.github.partitionmaven.plan.Goal;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Creates the partitions for the current and the next {@code premake} intervals and fills gaps,
 * each as a standalone table attached under SHARE UPDATE EXCLUSIVE. Runs exactly the premake steps
 * {@code partition:plan} shows; a second run does nothing.
 */
@Mojo(name = "premake", threadSafe = true, requiresProject = false)
public class PremakeMojo extends AbstractApplyMojo {

    @Override
    protected String goalName() {
        return "partition:premake";
    }

    @Override
    protected Goal goal() {
        return Goal.PREMAKE;
    }

    @Override
    protected String stepsName() {
        return "premake";
    }
}
