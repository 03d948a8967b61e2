package io.github.partitionmaven.mojo;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import java.util.Set;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Undoes partition:convert (strategy copy) while the old table still exists: rows written, changed
 * or deleted in the partitioned table since the swap are carried back, then the names are swapped
 * back in one short transaction and the partitioned table is dropped.
 */
@Mojo(name = "rollback", threadSafe = true, requiresProject = false)
public class RollbackMojo extends AbstractPartitionMojo {

    @Override
    protected String goalName() {
        return "partition:rollback";
    }

    @Override
    protected ConvertOptions convertOptions() {
        return super.convertOptions().withRollback(true);
    }

    @Override
    protected void run(PartitionEngine engine) {
        if (dryRun) {
            getLog().info("Dry run: printing the rollback steps without running them.");
            print(engine.plan(Set.of(Goal.CONVERT)));
            return;
        }
        print(engine.apply(Goal.CONVERT));
    }
}
