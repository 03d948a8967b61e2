package io.github.partitionmaven.check;

import io.github.partitionmaven.catalog.PartitionInfo;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.policy.TablePolicy;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What {@code partition:check} found for one table. {@code coverage} is empty for a plain table;
 * {@code overdue} lists partitions past retention (empty without a retention).
 */
public record TableHealth(
        TablePolicy policy,
        TableState state,
        Optional<Coverage> coverage,
        List<PartitionInfo> overdue,
        List<StatementStats> statements,
        List<HealthFinding> findings) {

    public TableHealth {
        overdue = List.copyOf(overdue);
        statements = List.copyOf(statements);
        findings = List.copyOf(findings);
    }

    public boolean partitioned() {
        return state.kind() == TableState.Kind.PARTITIONED;
    }

    /** Range partitions, the default partition not counted. */
    public int partitionCount() {
        return state.partitions().size();
    }

    /** The largest partition on disk, the default partition included; 0 without partitions. */
    public long largestPartitionBytes() {
        return allPartitions().mapToLong(PartitionInfo::bytes).max().orElse(0);
    }

    public long defaultRows() {
        return state.defaultContent().rows();
    }

    public List<PartitionInfo> detachPending() {
        return state.partitions().stream().filter(PartitionInfo::detachPending).toList();
    }

    public long count(Check check) {
        return findings.stream().filter(f -> f.check() == check).count();
    }

    public CheckStatus status(CheckThresholds thresholds) {
        CheckStatus s = CheckStatus.OK;
        for (HealthFinding f : findings) {
            s = CheckStatus.worst(s, thresholds.fails(f.check()) ? CheckStatus.FAILING : CheckStatus.WARNING);
        }
        return s;
    }

    private Stream<PartitionInfo> allPartitions() {
        return Stream.concat(state.partitions().stream(), state.defaultPartition().stream());
    }
}
