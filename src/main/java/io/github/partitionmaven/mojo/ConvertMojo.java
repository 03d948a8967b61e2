package io.github.partitionmaven.mojo;

import io.github.partitionmaven.plan.Goal;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Turns each configured plain table into a table partitioned by range on its time column, online:
 * strategy copy (default) builds it beside, copies in batches while capturing changes, verifies and
 * swaps in one short transaction; strategy attach makes the old table one partition without copying.
 * A killed run is completed by the next; a converted table is left alone.
 */
@Mojo(name = "convert", threadSafe = true, requiresProject = false)
public class ConvertMojo extends AbstractConvertMojo {

    @Override
    protected String goalName() {
        return "partition:convert";
    }

    @Override
    protected Goal goal() {
        return Goal.CONVERT;
    }
}
