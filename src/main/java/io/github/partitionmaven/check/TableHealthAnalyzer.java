package io.github.partitionmaven.check;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.catalog.PartitionInfo;
import io.github.partitionmaven.catalog.ReplicaIdentity;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.plan.RetentionRule;
import io.github.partitionmaven.plan.TableRequirements;
import io.github.partitionmaven.policy.Interval;
import io.github.partitionmaven.policy.RetentionPolicy;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.policy.TablePolicy;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Judges one table from its catalog state against the thresholds; reads nothing and changes nothing. */
public final class TableHealthAnalyzer {

    private final CheckThresholds thresholds;
    private final RunSettings settings;

    public TableHealthAnalyzer(CheckThresholds thresholds, RunSettings settings) {
        this.thresholds = thresholds;
        this.settings = settings;
    }

    /** Refuses, like every goal, a table that is missing, not a table, or partitioned other than by range on the column. */
    public TableHealth analyze(TablePolicy policy, TableState state, List<StatementStats> statements) {
        return analyze(policy, state, statements, List.of());
    }

    /** {@code unfinished}: the tables prune detached from this one and marked but did not finish with. */
    public TableHealth analyze(TablePolicy policy, TableState state, List<StatementStats> statements,
                               List<io.github.partitionmaven.catalog.PruneMarks.Unfinished> unfinished) {
        List<HealthFinding> findings = new ArrayList<>();
        unfinished.forEach(u -> findings.add(new UnfinishedPrune(u.parent(), u.table(), u.estimatedRows(),
                policy.retention().map(r -> r.mode().name().toLowerCase(java.util.Locale.ROOT)).orElse("none"))));
        if (state.kind() == TableState.Kind.PLAIN) {
            TableRequirements.requireKeyColumn(policy, state);
            if (state.estimatedRows() >= thresholds.partitioningRowThreshold()) {
                findings.add(new PartitioningRecommended(state.name(), state.estimatedRows(), state.totalBytes(),
                        thresholds.partitioningRowThreshold()));
            }
            findings.addAll(slow(policy, state, statements));
            return new TableHealth(policy, state, Optional.empty(), List.of(), statements, findings);
        }
        TableRequirements.requireKeyColumn(policy, state);
        try {
            TableRequirements.requirePartitioned(policy, state);
        } catch (PartitionException otherKey) {
            findings.add(new OtherPartitionKey(state.name(), otherKey.getMessage()));
            return new TableHealth(policy, state, Optional.empty(), List.of(), statements, findings);
        }
        TableName table = state.name();
        Coverage coverage = Coverage.of(state, policy.interval(), settings);
        if (coverage.intervalsAhead() < thresholds.minCoverageIntervals() || !coverage.coversNow()) {
            findings.add(new ShortCoverage(table, coverage, policy.interval(), thresholds.minCoverageIntervals()));
        }
        // with <nullTimes>default</nullTimes> the DEFAULT partition is where rows with a NULL time belong: only the others count
        long strayDefaultRows = state.defaultContent().rows()
                - (policy.conversion().nullTimesToDefault() ? state.defaultContent().nullKeyRows() : 0);
        state.defaultPartition().filter(d -> strayDefaultRows > thresholds.maxDefaultRows()).ifPresent(d ->
                findings.add(new DefaultPartitionRows(table, d.name(), strayDefaultRows, thresholds.maxDefaultRows())));
        state.partitions().stream().filter(PartitionInfo::detachPending)
                .forEach(p -> findings.add(new DetachPendingPartition(table, p.name())));
        replicaIdentityDrift(state).ifPresent(findings::add);
        if (!state.leafPublications().isEmpty()) {
            findings.add(new LeafPublication(table, state.leafPublications()));
        }
        List<PartitionInfo> overdue = policy.retention().map(RetentionPolicy::period)
                .map(period -> RetentionRule.expired(state, period, settings)).orElse(List.of());
        if (!overdue.isEmpty()) {
            findings.add(new OverdueRetention(table, overdue.stream().map(PartitionInfo::name).toList(),
                    policy.retention().orElseThrow().period()));
        }
        findings.addAll(gaps(state));
        findings.addAll(misaligned(state, policy.interval()));
        state.partitions().stream().filter(p -> p.bytes() > thresholds.maxPartitionBytes())
                .forEach(p -> findings.add(new OversizedPartition(table, p.name(), p.bytes(), thresholds.maxPartitionBytes())));
        state.defaultPartition().filter(p -> p.bytes() > thresholds.maxPartitionBytes())
                .ifPresent(p -> findings.add(new OversizedPartition(table, p.name(), p.bytes(), thresholds.maxPartitionBytes())));
        findings.addAll(slow(policy, state, statements));
        return new TableHealth(policy, state, Optional.of(coverage), overdue, statements, findings);
    }

    private List<HealthFinding> gaps(TableState state) {
        KeyType keyType = state.keyType();
        ZoneId zone = settings.zone();
        List<HealthFinding> out = new ArrayList<>();
        List<PartitionInfo> ranges = state.partitions();
        for (int i = 1; i < ranges.size(); i++) {
            PartitionInfo before = ranges.get(i - 1);
            PartitionInfo after = ranges.get(i);
            if (before.upper() < after.lower()) {
                out.add(new RangeGap(state.name(), keyType.display(before.upper(), zone), keyType.display(after.lower(), zone),
                        before.name(), after.name()));
            }
        }
        return out;
    }

    private List<HealthFinding> misaligned(TableState state, Interval interval) {
        KeyType keyType = state.keyType();
        ZoneId zone = settings.zone();
        return state.partitions().stream()
                .filter(p -> !onIntervalStart(p.lower(), keyType, interval) || !onIntervalStart(p.upper(), keyType, interval))
                .map(p -> (HealthFinding) new MisalignedPartition(state.name(), p.name(), keyType.display(p.lower(), zone),
                        keyType.display(p.upper(), zone), interval, zone))
                .toList();
    }

    /** MINVALUE and MAXVALUE are open ends, not misalignments. */
    private boolean onIntervalStart(long bound, KeyType keyType, Interval interval) {
        return bound == KeyType.MIN || bound == KeyType.MAX
                || keyType.dayStartingAt(bound, settings.zone()).filter(interval::isBoundary).isPresent();
    }

    private List<HealthFinding> slow(TablePolicy policy, TableState state, List<StatementStats> statements) {
        double limit = thresholds.slowStatementThreshold().toNanos() / 1_000_000.0;
        return statements.stream().filter(s -> s.meanMillis() > limit)
                .map(s -> (HealthFinding) new SlowStatement(state.name(), s, thresholds.slowStatementThreshold(), policy.column()))
                .toList();
    }

    /**
     * The partitions without the replica identity of {@link TableState#replicaIdentityReference}, which premake gives each new
     * partition: partitions made by hand or by another tool get DEFAULT, the newest ones included (pg_partman issues #502, #721).
     */
    private static Optional<ReplicaIdentityDrift> replicaIdentityDrift(TableState state) {
        Optional<PartitionInfo> reference = state.replicaIdentityReference();
        if (reference.isEmpty()) {
            return Optional.empty();
        }
        ReplicaIdentity expected = reference.get().replicaIdentity();
        List<TableName> lacking = state.partitions().stream().filter(p -> !p.replicaIdentity().equals(expected)).map(PartitionInfo::name).toList();
        return lacking.isEmpty() ? Optional.empty() : Optional.of(new ReplicaIdentityDrift(state.name(), reference.get().name(), expected, lacking));
    }
}
