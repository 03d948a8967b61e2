package io.github.partitionmaven.mojo;

import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.report.PlanReport;
import java.util.Set;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * The family of the goals that change the configured tables (premake, prune, convert, rollback): with
 * {@code dryRun} they print the steps {@code partition:plan} would show for their goal, otherwise they
 * run exactly those steps and print what ran.
 */
public abstract class AbstractApplyMojo extends AbstractTablesMojo {

    /** Prints the steps instead of executing them. */
    @Parameter(property = "partition.dryRun", defaultValue = "false")
    protected boolean dryRun;

    /**
     * What this goal does on a standby: fail (the default) or skip, exiting 0, for schedules that run against every
     * node. plan and check read standbys as they are.
     */
    @Parameter(property = "partition.onStandby", defaultValue = "fail")
    protected String onStandby;

    @Override
    protected PartitionEngine engine() throws MojoFailureException {
        return super.engine().onStandby(onStandby(onStandby));
    }

    /** The goal whose steps this mojo runs. */
    protected abstract Goal goal();

    /** What the dry-run line calls the steps, e.g. "premake". */
    protected abstract String stepsName();

    @Override
    protected final void run(PartitionEngine engine) {
        if (dryRun) {
            getLog().info("Dry run: printing the " + stepsName() + " steps without running them.");
            print(engine.plan(Set.of(goal())));
            return;
        }
        printExecuted(engine.apply(goal()));
    }

    /** Prints the plan that was executed. */
    protected void printExecuted(PartitionPlan executed) {
        new PlanReport(executed, pluginVersion).printApplied(goalName(), getLog()::info, getLog()::warn);
    }
}
