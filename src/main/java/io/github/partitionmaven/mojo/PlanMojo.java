package io.github.partitionmaven.mojo;

import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Shows, without changing anything, what convert, premake and prune would run: every statement,
 * the locks it takes, the rows it touches and why. Writes {@code plan.sql} (runnable with psql) and
 * {@code plan.json} to the output directory.
 */
@Mojo(name = "plan", threadSafe = true, requiresProject = false)
public class PlanMojo extends AbstractPartitionMojo {

    /** Fails the build when the plan is not empty, so a pipeline can detect drift. */
    @Parameter(property = "partition.failOnChanges", defaultValue = "false")
    private boolean failOnChanges;

    @Override
    protected String goalName() {
        return "partition:plan";
    }

    @Override
    protected void run(PartitionEngine engine) throws MojoExecutionException, MojoFailureException {
        PartitionPlan plan = engine.plan(Goal.POLICY_GOALS);
        print(plan);
        writeReport(plan);
        if (failOnChanges && !plan.isEmpty()) {
            throw new MojoFailureException("The database differs from the policy: " + plan.steps().size() + " step(s) pending"
                    + " (failOnChanges is set). See " + outputDirectory() + "/plan.sql; run the goals to apply them.");
        }
    }
}
