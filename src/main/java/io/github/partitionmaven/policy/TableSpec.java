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
        String retentionSchema,
        String epochUnit) {

    public TableSpec(String name, String column, String interval, Integer premake, String namePattern, String retention,
                     String retentionMode, String retentionSchema) {
        this(name, column, interval, premake, namePattern, retention, retentionMode, retentionSchema, null);
    }

    /** The same table with {@code <epochUnit>} set. */
    public TableSpec withEpochUnit(String unit) {
        return new TableSpec(name, column, interval, premake, namePattern, retention, retentionMode, retentionSchema, unit);
    }
}
