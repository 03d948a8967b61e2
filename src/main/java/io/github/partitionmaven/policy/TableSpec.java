package io.github.partitionmaven.policy;

/**
 * One {@code <table>} element as written in the POM, before validation. Null means not set.
 *
 * @param widenKeys  convert: integer key columns (and their sequences) become bigint on the new table
 * @param addNotNull convert: columns that allow NULL but hold none become NOT NULL on the new table
 * @param nullTimes  convert: {@code refuse} (default) or {@code default}, rows with a NULL partition column go to a DEFAULT partition
 */
public record TableSpec(
        String name,
        String column,
        String interval,
        Integer premake,
        String namePattern,
        String retention,
        String retentionMode,
        String retentionSchema,
        String epochUnit,
        Boolean widenKeys,
        Boolean addNotNull,
        String nullTimes) {

    public TableSpec(String name, String column, String interval, Integer premake, String namePattern, String retention,
                     String retentionMode, String retentionSchema) {
        this(name, column, interval, premake, namePattern, retention, retentionMode, retentionSchema, null, null, null, null);
    }

    /** The same table with {@code <epochUnit>} set. */
    public TableSpec withEpochUnit(String unit) {
        return new TableSpec(name, column, interval, premake, namePattern, retention, retentionMode, retentionSchema, unit, widenKeys,
                addNotNull, nullTimes);
    }

    /** This table with the column changes a conversion makes. */
    public TableSpec withConversion(Boolean widenKeys, Boolean addNotNull, String nullTimes) {
        return new TableSpec(name, column, interval, premake, namePattern, retention, retentionMode, retentionSchema, epochUnit, widenKeys,
                addNotNull, nullTimes);
    }
}
