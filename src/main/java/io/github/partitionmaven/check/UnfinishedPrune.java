package io.github.partitionmaven.check;

import io.github.partitionmaven.core.TableName;

/**
 * A standalone table prune detached from {@code table} and marked, but did not finish with: its rows are in no partition of
 * the table. In retentionMode archive this is a stuck archive step: the archive was not uploaded (or not verified), so the
 * table was not dropped, typically because the export or the upload failed. In the other modes the drop or move did not
 * happen. Check reads the marker only; it does not contact the archive store.
 *
 * @param mode the table's retentionMode, lower case ({@code archive}, {@code drop}, {@code detach}), or {@code none}
 */
public record UnfinishedPrune(TableName table, TableName detached, long estimatedRows, String mode) implements HealthFinding {

    @Override
    public Check check() {
        return Check.UNFINISHED_PRUNE;
    }

    @Override
    public String message() {
        return detached + " (about " + estimatedRows + " rows) was detached from " + table + " by a prune that did not finish"
                + " and is still marked: its rows are no longer visible through " + table + " and "
                + ("archive".equals(mode) ? "its archive step is stuck (not uploaded and verified, so not dropped)"
                        : "it is neither dropped, archived nor moved");
    }

    @Override
    public String remedy() {
        return "run `mvn partition:prune` again: it finishes marked tables first, as its retentionMode says, resuming from the"
                + " marker (if it fails again, its log names what failed: bucket, permission, space)";
    }
}
