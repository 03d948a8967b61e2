package io.github.partitionmaven.policy;

/** One {@code <table>} element as written in the POM, before validation. Null means not set. */
public record TableSpec(
        String name,
        String column,
        String interval,
        Integer premake,
        String namePattern,
        String retention,
        String retentionMode,
        String retentionSchema) {
}
