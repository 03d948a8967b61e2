package io.github.partitionmaven.mojo;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.plan.Goal;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Undoes partition:convert while the old table still exists, keeping every row written since the swap.
 * Strategy copy: rows written, changed or deleted in the partitioned table are carried back, then the
 * names are swapped back in one short transaction and the partitioned table is dropped. Strategy
 * attach: one short transaction moves the rows of the newer partitions into the old one, detaches it,
 * drops the partitioned table and renames it back.
 */
@Mojo(name = "rollback", threadSafe = true, requiresProject = false)
public class RollbackMojo extends AbstractConvertMojo {

    /** The most rows a rollback of strategy attach moves while the table is locked (default 100000, about 0.7 s of lock for seed-shaped rows on 2 vCPU); more are refused. */
    @Parameter(property = "partition.rollbackMaxRows")
    Long rollbackMaxRows;

    /**
     * Whether the rollback (strategy copy) also deletes from the old table the rows retention removed from the partitioned one
     * since the conversion. Default false: they stay in the old table, the backup the user rolls back to; the plan says so.
     */
    @Parameter(property = "partition.rollbackDeletesPruned", defaultValue = "false")
    boolean rollbackDeletesPruned;

    @Override
    protected String goalName() {
        return "partition:rollback";
    }

    @Override
    protected Goal goal() {
        return Goal.ROLLBACK;
    }

    @Override
    protected ConvertOptions convertOptions() {
        return super.convertOptions().withRollbackMaxRows(rollbackMaxRows).withRollbackDeletesPruned(rollbackDeletesPruned);
    }
}
