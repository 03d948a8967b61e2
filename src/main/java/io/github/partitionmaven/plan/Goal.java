package io.github.partitionmaven.plan;

/** The applying goal a step belongs to. */
public enum Goal {
    CONVERT, ROLLBACK, PREMAKE, PRUNE, RESTORE, IMPORT_PARTMAN;

    /** The goals {@code partition:plan} shows: those that follow from the policy alone (rollback and restore are asked for). */
    public static final java.util.Set<Goal> POLICY_GOALS = java.util.Collections.unmodifiableSet(java.util.EnumSet.of(CONVERT, PREMAKE, PRUNE));

    public String goalName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
