package io.github.partitionmaven.mojo;

import io.github.partitionmaven.policy.TableSpec;

/**
 * One {@code <table>} of the plugin configuration.
 *
 * <pre>{@code
 * <table>
 *   <name>chat_history</name>          <!-- optionally schema-qualified: app.chat_history -->
 *   <column>created_at</column>        <!-- date, timestamp or timestamptz; or bigint/integer with epochUnit -->
 *   <epochUnit>milliseconds</epochUnit> <!-- only for an integer column: seconds, milliseconds, microseconds -->
 *   <interval>month</interval>         <!-- day, week, month, quarter, year -->
 *   <premake>3</premake>               <!-- intervals kept ahead of now -->
 *   <retention>6 months</retention>    <!-- optional, used by prune -->
 *   <widenKeys>true</widenKeys>        <!-- optional, convert: int key columns and their sequences become bigint -->
 *   <addNotNull>true</addNotNull>      <!-- optional, convert: columns holding no NULL become NOT NULL -->
 *   <nullTimes>default</nullTimes>     <!-- optional, convert: rows with a NULL column go to a DEFAULT partition -->
 * </table>
 * }</pre>
 */
public class TableConfig {

    /** The table, optionally schema-qualified; exact catalog spelling. */
    private String name;

    /** The partition key column. */
    private String column;

    /** Partition width: day, week, month, quarter or year. */
    private String interval;

    /** Intervals to keep created ahead of the current one (default 3). */
    private Integer premake;

    /** Partition names: {table} plus java.time patterns in braces, e.g. {table}_{yyyy_MM}. */
    private String namePattern;

    /** How long data is kept, e.g. 6 months, 90 days, 1 year. */
    private String retention;

    /** What prune does past retention: drop (default), detach or archive. */
    private String retentionMode;

    /** With retentionMode detach: the schema detached partitions are moved to. */
    private String retentionSchema;

    /** For a bigint (or, for seconds, integer) column of epoch time: seconds, milliseconds or microseconds. */
    private String epochUnit;

    /** Convert: integer columns of the primary and unique keys, and their sequences, become bigint (default false). */
    private Boolean widenKeys;

    /** Convert: columns that allow NULL but hold none become NOT NULL (default false). */
    private Boolean addNotNull;

    /** Convert: rows with a NULL partition column: refuse (default) or default (a DEFAULT partition holds them). */
    private String nullTimes;

    public TableSpec toSpec() {
        return new TableSpec(name, column, interval, premake, namePattern, retention, retentionMode, retentionSchema, epochUnit, widenKeys,
                addNotNull, nullTimes);
    }

    public void setWidenKeys(Boolean widenKeys) {
        this.widenKeys = widenKeys;
    }

    public void setAddNotNull(Boolean addNotNull) {
        this.addNotNull = addNotNull;
    }

    public void setNullTimes(String nullTimes) {
        this.nullTimes = nullTimes;
    }

    public void setName(String name) {
        this.name = name;
    }

    public void setColumn(String column) {
        this.column = column;
    }

    public void setInterval(String interval) {
        this.interval = interval;
    }

    public void setPremake(Integer premake) {
        this.premake = premake;
    }

    public void setNamePattern(String namePattern) {
        this.namePattern = namePattern;
    }

    public void setRetention(String retention) {
        this.retention = retention;
    }

    public void setRetentionMode(String retentionMode) {
        this.retentionMode = retentionMode;
    }

    public void setRetentionSchema(String retentionSchema) {
        this.retentionSchema = retentionSchema;
    }

    public void setEpochUnit(String epochUnit) {
        this.epochUnit = epochUnit;
    }
}
