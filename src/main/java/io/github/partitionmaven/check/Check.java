package io.github.partitionmaven.check;

import io.github.partitionmaven.core.PartitionException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** What {@code partition:check} judges; the configuration names are what {@code failOn} lists. */
public enum Check {
    PARTITION_SIZE("partitionSize", "a partition larger than maxPartitionSize"),
    COVERAGE("coverage", "fewer than minCoverage intervals of partitions ahead of now"),
    DEFAULT_ROWS("defaultRows", "more than maxDefaultRows rows in the default partition"),
    RETENTION("retention", "partitions past their retention and not yet pruned"),
    DETACH_PENDING("detachPending", "a partition left detach-pending by an interrupted DETACH CONCURRENTLY"),
    GAPS("gaps", "a range between two partitions that no partition covers"),
    ALIGNMENT("alignment", "a partition whose bounds are not interval starts"),
    PARTITIONING("partitioning", "a plain table past partitioningThreshold rows"),
    SLOW_STATEMENTS("slowStatements", "a statement on the table slower on average than slowStatementThreshold"),
    PARTITION_KEY("partitionKey", "a table partitioned otherwise than by range on the configured column"),
    UNFINISHED_PRUNE("unfinishedPrune", "a partition prune detached and marked but did not finish: a drop or move"
            + " not done, or an archive not uploaded or verified"),
    CONVERSION("conversion", "an unfinished partition:convert (or rollback) whose capture trigger, change log and new table are still in place"),
    REPLICA_IDENTITY("replicaIdentity", "a partition whose replica identity differs from the latest partition's (FULL, NOTHING or USING INDEX)"),
    OLD_TABLE("oldTable", "the table partition:convert replaced and kept for partition:rollback (<oldTableName>), still there: as large as the"
            + " table was, and never pruned"),
    PUBLICATION("publication", "a publication that publishes the table's partitions under their own names (publish_via_partition_root off):"
            + " a subscriber receives nothing of a new partition until it has it and has refreshed its subscription");

    /**
     * What fails the build when {@code failOn} is not set: the findings that break inserts or hide data. No partition
     * for the coming rows makes inserts fail (coverage); a detach-pending partition blocks every later DETACH and
     * pg_dump of the parent until someone finishes it; rows in the default partition are rows the retention and the
     * partition-wise plans do not see, and they block creating the partition they belong in. The rest (size, retention
     * overdue, gaps, alignment, slow statements) are worth a warning, not a red pipeline. An unfinished conversion gates
     * too: its capture trigger costs every application write until it is finished or abandoned.
     */
    public static final Set<Check> DEFAULT_GATE = Collections.unmodifiableSet(EnumSet.of(COVERAGE, DEFAULT_ROWS, DETACH_PENDING,
            CONVERSION));

    private final String configName;
    private final String description;

    Check(String configName, String description) {
        this.configName = configName;
        this.description = description;
    }

    public String configName() {
        return configName;
    }

    public String description() {
        return description;
    }

    /**
     * Reads {@code failOn}: check names, {@code all} or {@code none}, case-insensitive; not set (or blank) means
     * {@link #DEFAULT_GATE}, {@code none} means report only.
     */
    public static Set<Check> parseList(Collection<String> values) {
        EnumSet<Check> out = EnumSet.noneOf(Check.class);
        if (values == null || values.stream().allMatch(v -> v == null || v.isBlank())) {
            return EnumSet.copyOf(DEFAULT_GATE);
        }
        for (String raw : values) {
            for (String part : raw == null ? new String[0] : raw.split(",")) {
                String v = part.trim();
                if (v.isEmpty() || v.equalsIgnoreCase("none")) {
                    continue;
                }
                if (v.equalsIgnoreCase("all")) {
                    out.addAll(EnumSet.allOf(Check.class));
                    continue;
                }
                out.add(Arrays.stream(values()).filter(c -> c.configName.equalsIgnoreCase(v)).findFirst()
                        .orElseThrow(() -> PartitionException.configuration("Unknown check '" + v + "' in <failOn>: use any of "
                                + String.join(", ", Arrays.stream(values()).map(Check::configName).toList())
                                + ", or all / none, e.g. -Dpartition.failOn=coverage,defaultRows.")));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return configName;
    }
}
