package io.github.partitionmaven.mojo;

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

    /** Remove what an unfinished conversion created (capture trigger, change log, new table, progress record) instead of continuing it. */
    @Parameter(property = "partition.abandon", defaultValue = "false")
    boolean abandon;

    @Override
    protected List<Planner> planners() {
        return abandon && goal() == Goal.CONVERT ? List.of(ConvertPlanner.abandoning(convertOptions())) : super.planners();
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
