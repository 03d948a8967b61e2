package io.github.partitionmaven.mojo;

import io.github.partitionmaven.convert.ConvertOptions;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Undoes partition:convert (strategy copy) while the old table still exists: rows written, changed
 * or deleted in the partitioned table since the swap are carried back, then the names are swapped
 * back in one short transaction and the partitioned table is dropped.
 */
@Mojo(name = "rollback", threadSafe = true, requiresProject = false)
public class RollbackMojo extends ConvertMojo {

    @Override
    protected String goalName() {
        return "partition:rollback";
    }

    @Override
    protected ConvertOptions convertOptions() {
        return super.convertOptions().withRollback(true);
    }
}
