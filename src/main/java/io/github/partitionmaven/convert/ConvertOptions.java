package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.execute.ThrottleLimits;
import io.github.partitionmaven.policy.PolicyReader;
import java.time.Duration;
import java.util.Locale;

/**
 * How {@code partition:convert} works, for every configured table.
 *
 * @param strategy      {@code copy} (build beside, copy, swap) or {@code attach} (the old table becomes one partition)
 * @param offline       no change capture: the application must not write to the table while it runs (fastest)
 * @param oldTableName  what the old table is renamed to; {@code {table}} is the table's name
 * @param batchSize     rows per copy batch (each batch is its own short transaction)
 * @param copySessions  database sessions copying batches at once
 * @param rollbackMaxRows the most rows the rollback of an attach moves under its exclusive lock (rows written to the
 *                      partitions after the old one); more are refused
 * @param rollbackDeletesPruned whether rollback also deletes from the old table the rows retention removed from the
 *                      partitioned one (partitions prune dropped since the conversion); by default it keeps them
 * @param copyPause     how long each copy session waits after each batch (zero: none), leaving the disk to the application
 * @param throttle      when the copy and the index builds wait for the database to be healthy again
 */
public record ConvertOptions(Strategy strategy, boolean offline, String oldTableName, int batchSize, int copySessions,
                             long rollbackMaxRows, boolean rollbackDeletesPruned, Duration copyPause,
                             ThrottleLimits throttle) {

    public static final String DEFAULT_OLD_TABLE_NAME = "{table}_old";
    public static final int DEFAULT_BATCH_SIZE = 50_000;
    public static final int DEFAULT_COPY_SESSIONS = 2;
    private static final int MAX_COPY_SESSIONS = 32;
    public static final long DEFAULT_ROLLBACK_MAX_ROWS = 100_000;

    private static final Duration MAX_COPY_PAUSE = Duration.ofMinutes(10);

    public static final ConvertOptions DEFAULTS = new ConvertOptions(Strategy.COPY, false, DEFAULT_OLD_TABLE_NAME, DEFAULT_BATCH_SIZE,
            DEFAULT_COPY_SESSIONS, DEFAULT_ROLLBACK_MAX_ROWS, false, Duration.ZERO, ThrottleLimits.DEFAULTS);

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
        if (copyPause == null) {
            copyPause = Duration.ZERO;
        }
        if (copyPause.isNegative() || copyPause.compareTo(MAX_COPY_PAUSE) > 0) {
            throw PartitionException.configuration("<copyPause>" + copyPause.toMillis() + "ms</copyPause> is out of range: use 0ms to 10min"
                    + " (default 0ms: no pause between batches).");
        }
        if (throttle == null) {
            throw new IllegalArgumentException("throttle");
        }
        if (rollbackMaxRows < 0) {
            throw PartitionException.configuration("<rollbackMaxRows>" + rollbackMaxRows + "</rollbackMaxRows> is negative: use 0 or more"
                    + " rows (default " + DEFAULT_ROLLBACK_MAX_ROWS + ").");
        }
    }

    /** Reads the configuration as written: {@code strategy} is copy or attach (default copy). */
    public static ConvertOptions of(String strategy, boolean offline, String oldTableName, Integer batchSize, Integer copySessions) {
        return new ConvertOptions(parseStrategy(strategy), offline, oldTableName, batchSize == null ? DEFAULT_BATCH_SIZE : batchSize,
                copySessions == null ? DEFAULT_COPY_SESSIONS : copySessions, DEFAULT_ROLLBACK_MAX_ROWS, false, Duration.ZERO, ThrottleLimits.DEFAULTS);
    }

    /** As above, with {@code copyPause} as written ({@code 200ms}, {@code 1s}; null or blank: none). */
    public static ConvertOptions of(String strategy, boolean offline, String oldTableName, Integer batchSize, Integer copySessions,
                                    String copyPause) {
        return of(strategy, offline, oldTableName, batchSize, copySessions)
                .withCopyPause(copyPause == null || copyPause.isBlank() ? null : PolicyReader.parseDuration(copyPause, "copyPause"));
    }

    /** {@code value} null keeps the default. */
    public ConvertOptions withRollbackMaxRows(Long value) {
        return new ConvertOptions(strategy, offline, oldTableName, batchSize, copySessions,
                value == null ? DEFAULT_ROLLBACK_MAX_ROWS : value, rollbackDeletesPruned, copyPause, throttle);
    }

    public ConvertOptions withRollbackDeletesPruned(boolean value) {
        return new ConvertOptions(strategy, offline, oldTableName, batchSize, copySessions, rollbackMaxRows, value, copyPause, throttle);
    }

    public ConvertOptions withStrategy(Strategy value) {
        return new ConvertOptions(value, offline, oldTableName, batchSize, copySessions, rollbackMaxRows, rollbackDeletesPruned, copyPause, throttle);
    }

    public ConvertOptions withOffline(boolean value) {
        return new ConvertOptions(strategy, value, oldTableName, batchSize, copySessions, rollbackMaxRows, rollbackDeletesPruned, copyPause, throttle);
    }

    public ConvertOptions withCopySessions(int value) {
        return new ConvertOptions(strategy, offline, oldTableName, batchSize, value, rollbackMaxRows, rollbackDeletesPruned, copyPause, throttle);
    }

    /** {@code value} null keeps none. */
    public ConvertOptions withCopyPause(Duration value) {
        return new ConvertOptions(strategy, offline, oldTableName, batchSize, copySessions, rollbackMaxRows, rollbackDeletesPruned,
                value == null ? Duration.ZERO : value, throttle);
    }

    public ConvertOptions withThrottle(ThrottleLimits value) {
        return new ConvertOptions(strategy, offline, oldTableName, batchSize, copySessions, rollbackMaxRows, rollbackDeletesPruned, copyPause, value);
    }

    public ConvertOptions withBatchSize(int value) {
        return new ConvertOptions(strategy, offline, oldTableName, value, copySessions, rollbackMaxRows, rollbackDeletesPruned, copyPause, throttle);
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
