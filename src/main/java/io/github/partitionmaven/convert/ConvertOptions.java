package io.github.partitionmaven.convert;

import io.github.partitionmaven.engine.PartitionException;
import java.util.Locale;

/**
 * How {@code partition:convert} works, for every configured table.
 *
 * @param strategy      {@code copy} (build beside, copy, swap) or {@code attach} (the old table becomes one partition)
 * @param offline       no change capture: the application must not write to the table while it runs (fastest)
 * @param oldTableName  what the old table is renamed to; {@code {table}} is the table's name
 * @param batchSize     rows per copy batch (each batch is its own short transaction)
 * @param copySessions  database sessions copying batches at once
 * @param rollback      swap a converted table back instead (goal {@code partition:rollback})
 */
public record ConvertOptions(Strategy strategy, boolean offline, String oldTableName, int batchSize, int copySessions, boolean rollback) {

    public static final String DEFAULT_OLD_TABLE_NAME = "{table}_old";
    public static final int DEFAULT_BATCH_SIZE = 50_000;
    public static final int DEFAULT_COPY_SESSIONS = 2;
    private static final int MAX_COPY_SESSIONS = 32;

    public static final ConvertOptions DEFAULTS = new ConvertOptions(Strategy.COPY, false, DEFAULT_OLD_TABLE_NAME, DEFAULT_BATCH_SIZE,
            DEFAULT_COPY_SESSIONS, false);

    /** How the rows get into the partitioned table. */
    public enum Strategy {
        /** Build the partitioned table beside the old one, copy in batches while capturing changes, verify, swap. */
        COPY,
        /** The old table becomes one partition holding all existing rows; no copy. */
        ATTACH;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ConvertOptions {
        if (oldTableName == null || oldTableName.isBlank()) {
            oldTableName = DEFAULT_OLD_TABLE_NAME;
        }
        if (!oldTableName.contains("{table}") && oldTableName.contains("{")) {
            throw PartitionException.configuration("<oldTableName>" + oldTableName + "</oldTableName> may only use {table}: e.g. {table}_old.");
        }
        if (batchSize < 100 || batchSize > 10_000_000) {
            throw PartitionException.configuration("<batchSize>" + batchSize + "</batchSize> is out of range: use 100 to 10000000 rows"
                    + " (default " + DEFAULT_BATCH_SIZE + ").");
        }
        if (copySessions < 1 || copySessions > MAX_COPY_SESSIONS) {
            throw PartitionException.configuration("<copySessions>" + copySessions + "</copySessions> is out of range: use 1 to "
                    + MAX_COPY_SESSIONS + " sessions (default " + DEFAULT_COPY_SESSIONS + "; more than the server's cores gains nothing).");
        }
    }

    /** Reads the configuration as written: {@code strategy} is copy or attach (default copy). */
    public static ConvertOptions of(String strategy, boolean offline, String oldTableName, Integer batchSize, Integer copySessions,
                                    boolean rollback) {
        return new ConvertOptions(parseStrategy(strategy), offline, oldTableName, batchSize == null ? DEFAULT_BATCH_SIZE : batchSize,
                copySessions == null ? DEFAULT_COPY_SESSIONS : copySessions, rollback);
    }

    public ConvertOptions withRollback(boolean value) {
        return new ConvertOptions(strategy, offline, oldTableName, batchSize, copySessions, value);
    }

    public ConvertOptions withStrategy(Strategy value) {
        return new ConvertOptions(value, offline, oldTableName, batchSize, copySessions, rollback);
    }

    public ConvertOptions withOffline(boolean value) {
        return new ConvertOptions(strategy, value, oldTableName, batchSize, copySessions, rollback);
    }

    public ConvertOptions withCopySessions(int value) {
        return new ConvertOptions(strategy, offline, oldTableName, batchSize, value, rollback);
    }

    public ConvertOptions withBatchSize(int value) {
        return new ConvertOptions(strategy, offline, oldTableName, value, copySessions, rollback);
    }

    private static Strategy parseStrategy(String value) {
        if (value == null || value.isBlank()) {
            return Strategy.COPY;
        }
        try {
            return Strategy.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw PartitionException.configuration("Unknown <strategy> '" + value + "': use copy (build beside, copy online, swap)"
                    + " or attach (the old table becomes one partition, no copy).");
        }
    }
}
