package io.github.partitionmaven.convert;

import io.github.partitionmaven.policy.NamePattern;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.core.Sql;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The names of everything a conversion creates next to table {@code t}: the partitioned table being
 * built ({@code t_new}), the change log ({@code t_changes}), the progress record ({@code t_conversion}),
 * the capture function, and what the old table is renamed to. All fit PostgreSQL's 63 bytes.
 */
public record ConvertNames(TableName table, String oldTableName) {

    public static final String CAPTURE_TRIGGER = "partition_convert_capture";
    public static final String TRUNCATE_GUARD = "partition_convert_no_truncate";

    public ConvertNames(TableName table, ConvertOptions options) {
        this(table, NamePattern.oldTableName(options.oldTableName(), table.name()));
    }

    public TableName shadow() {
        return sibling("_new");
    }

    public TableName changeLog() {
        return sibling("_changes");
    }

    public TableName progress() {
        return sibling("_conversion");
    }

    public TableName captureFunction() {
        return sibling("_capture");
    }

    /** Creates the progress record: which strategy runs, which key ranges (lower, upper] the copy has done. */
    public List<String> createProgress(String strategy, boolean offline) {
        return List.of("CREATE TABLE " + progress().sql() + " (strategy text NOT NULL, offline boolean NOT NULL,"
                        + " copied_from text[] NOT NULL DEFAULT '{}', copied_to text[] NOT NULL DEFAULT '{}', copied_rows bigint NOT NULL DEFAULT 0, copy_done boolean NOT NULL DEFAULT false, started_at timestamptz NOT NULL DEFAULT pg_catalog.now(),"
                        + " last_error text, last_error_at timestamptz)",
                "COMMENT ON TABLE " + progress().sql() + " IS " + Sql.literal("partition-maven-plugin: progress of the " + strategy + " of "
                        + table.sql() + "; dropped when it completes"),
                "INSERT INTO " + progress().sql() + " (strategy, offline) VALUES (" + Sql.literal(strategy) + ", " + offline + ")");
    }

    public TableName old() {
        return new TableName(table.schema(), oldTableName);
    }

    /** The CHECK constraint proving the old table's rows fit its partition (attach). */
    public String boundConstraint() {
        return fit(table.name(), "_partition_bound");
    }

    /** The unique index on (primary key, partition column) built on the old table before it is attached. */
    public String attachKeyIndex() {
        return unique(table.name(), "_partition_key");
    }

    /** The unique index on the original primary key built on the old partition before an attach is rolled back. */
    public String rollbackKeyIndex() {
        return unique(table.name(), "_rollback_key");
    }

    /** The name an index of the new table carries until the swap gives it the old index's name. */
    public static String building(String index) {
        return fit(index, "_new");
    }

    /** The name an index of the old table carries after the swap. */
    public static String retired(String index) {
        return fit(index, "_old");
    }

    /**
     * {@code table + suffix} in the table's schema; see {@link #unique}.
     */
    private TableName sibling(String suffix) {
        return new TableName(table.schema(), unique(table.name(), suffix));
    }

    /**
     * {@code base + suffix}; a name too long for that is cut and made unique with a hash of the whole base, so two long
     * tables differing only past the cut never share (and "resume" or abandon) each other's helpers.
     */
    static String unique(String base, String suffix) {
        if ((base + suffix).getBytes(StandardCharsets.UTF_8).length <= NamePattern.MAX_IDENTIFIER_BYTES) {
            return base + suffix;
        }
        return fit(base, String.format("_%08x", base.hashCode()) + suffix);
    }

    /**
     * The name of the new table's {@code ordinal}-th index on one of its partitions, e.g. {@code chat_history_2026_01_pkey}:
     * a partition name too long to take the suffix is cut and made unique with a hash of it, so partitions whose names
     * differ only in their last characters never get the same index name.
     */
    public static String partitionIndex(TableName partition, ConvertFacts.IndexDef index, int ordinal) {
        return partitionObject(partition, index.primary() ? "_pkey" : (index.unique() ? "_key" : "_idx") + ordinal);
    }

    /** The name of the table's {@code ordinal}th extended statistics object on {@code partition}, unique as its indexes' are. */
    static String partitionStatistics(TableName partition, int ordinal) {
        return partitionObject(partition, "_stat" + ordinal);
    }

    private static String partitionObject(TableName partition, String suffix) {
        String name = partition.name();
        if ((name + suffix).getBytes(StandardCharsets.UTF_8).length <= NamePattern.MAX_IDENTIFIER_BYTES) {
            return name + suffix;
        }
        return fit(name, String.format("_%08x", name.hashCode()) + suffix);
    }

    /** {@code base + suffix}, cutting {@code base} so the whole stays within 63 bytes. */
    static String fit(String base, String suffix) {
        String b = base;
        while ((b + suffix).getBytes(StandardCharsets.UTF_8).length > NamePattern.MAX_IDENTIFIER_BYTES) {
            b = b.substring(0, b.length() - 1);
        }
        return b + suffix;
    }
}
