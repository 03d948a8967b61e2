package io.github.partitionmaven.check;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.policy.PolicyReader;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;

/**
 * The limits {@code partition:check} judges against, with the seed's alerts as defaults, and which
 * checks fail the goal ({@code failOn}) instead of warning.
 */
public record CheckThresholds(
        long maxPartitionBytes,
        int minCoverageIntervals,
        long maxDefaultRows,
        long partitioningRowThreshold,
        Duration slowStatementThreshold,
        int statementsPerTable,
        Set<Check> failOn) {

    public static final long GIGABYTE = 1024L * 1024 * 1024;
    public static final CheckThresholds DEFAULTS = new CheckThresholds(10 * GIGABYTE, 2, 0, 10_000_000, Duration.ofMillis(500), 5,
            Check.DEFAULT_GATE);


    public CheckThresholds {
        failOn = failOn.isEmpty() ? EnumSet.noneOf(Check.class) : EnumSet.copyOf(failOn);
    }

    public boolean fails(Check check) {
        return failOn.contains(check);
    }

    public CheckThresholds withFailOn(Set<Check> checks) {
        return new CheckThresholds(maxPartitionBytes, minCoverageIntervals, maxDefaultRows, partitioningRowThreshold,
                slowStatementThreshold, statementsPerTable, checks);
    }

    /** Validates the goal's parameters as written; null means the default. */
    public static CheckThresholds parse(String maxPartitionSize, Integer minCoverage, Long maxDefaultRows, Long partitioningThreshold,
                                        String slowStatementThreshold, Integer statementsPerTable, Collection<String> failOn) {
        long bytes = maxPartitionSize == null || maxPartitionSize.isBlank() ? DEFAULTS.maxPartitionBytes : parseSize(maxPartitionSize);
        int coverage = minCoverage == null ? DEFAULTS.minCoverageIntervals : minCoverage;
        if (coverage < 0 || coverage > 1000) {
            throw PartitionException.configuration("<minCoverage>" + coverage + "</minCoverage> is out of range: use 0 to 1000"
                    + " intervals of partitions ahead of now (the seed alerts under 2).");
        }
        long defaultRows = maxDefaultRows == null ? DEFAULTS.maxDefaultRows : maxDefaultRows;
        long partitioning = partitioningThreshold == null ? DEFAULTS.partitioningRowThreshold : partitioningThreshold;
        if (defaultRows < 0 || partitioning < 0) {
            throw PartitionException.configuration("<maxDefaultRows> and <partitioningThreshold> count rows: use 0 or more.");
        }
        Duration slow = slowStatementThreshold == null || slowStatementThreshold.isBlank() ? DEFAULTS.slowStatementThreshold
                : PolicyReader.parseDuration(slowStatementThreshold, "slowStatementThreshold");
        int perTable = statementsPerTable == null ? DEFAULTS.statementsPerTable : statementsPerTable;
        if (perTable < 0 || perTable > 100) {
            throw PartitionException.configuration("<slowStatementsPerTable>" + perTable + "</slowStatementsPerTable> is out of range:"
                    + " use 0 to 100.");
        }
        return new CheckThresholds(bytes, coverage, defaultRows, partitioning, slow, perTable, Check.parseList(failOn));
    }

    /** Reads {@code 10GB}, {@code 500 MB}, {@code 1TB} or a plain number of bytes; units are 1024-based, as pg_size_pretty. */
    static long parseSize(String text) {
        return PolicyReader.parseSize(text, "maxPartitionSize");
    }
}
