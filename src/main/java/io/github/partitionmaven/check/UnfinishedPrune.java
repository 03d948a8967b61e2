package io.github.partitionmaven.check;

import io.github.partitionmaven.core.TableName;

/**
 * A table prune detached from {@code table} and marked, but did not finish with: in retentionMode
 * archive, its archive was not uploaded (or not verified) and it was not dropped, typically because
 * the export or the upload failed. Check reads the marker only; it does not contact the archive store.
 */
public record UnfinishedPrune(TableName table, TableName detached, String mode) implements HealthFinding {

    @Override
    public Check check() {
        return Check.UNFINISHED_PRUNE;
    }

    @Override
    public String message() {
        return detached + " was detached from " + table + " by prune and is still marked: " + ("archive".equals(mode)
                ? "its archive step is stuck (not uploaded and verified, so not dropped)" : "prune did not finish with it");
    }

    @Override
    public String remedy() {
        return "run `mvn partition:prune` again (its log names what failed: bucket, permission, space); it resumes from the marker";
    }
}
