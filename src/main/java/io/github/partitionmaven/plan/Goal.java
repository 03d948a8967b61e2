package io.github.partitionmaven.plan;

/** The applying goal a step belongs to. */
public enum Goal {
    CONVERT, PREMAKE, PRUNE;

    public String goalName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
