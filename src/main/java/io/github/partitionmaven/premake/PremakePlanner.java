package io.github.partitionmaven.premake;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Publications;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.plan.LockMode;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.plan.TablePlan;
import io.github.partitionmaven.plan.TableRequirements;
import io.github.partitionmaven.catalog.CitusTable;
import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.catalog.PartitionInfo;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.policy.Interval;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.core.Sql;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Plans the partitions that must exist: aligned to interval starts in the configured zone,
 * contiguous from the oldest existing partition to {@code premake} intervals past the current one,
 * counted from now (never from the newest row). Existing partitions are never touched.
 */
public final class PremakePlanner implements Planner {

    /** Configured parents some of whose partitions are themselves partitioned (read by {@link #prepare}). */
    private final java.util.Set<Long> subPartitioned;

    public PremakePlanner() {
        this(java.util.Set.of());
    }

    private PremakePlanner(java.util.Set<Long> subPartitioned) {
        this.subPartitioned = subPartitioned;
    }

    /** One query: which configured parents have a partitioned partition. */
    @Override
    public Planner prepare(java.sql.Connection c, io.github.partitionmaven.catalog.Catalog catalog, List<TablePolicy> policies,
                           RunSettings settings) throws java.sql.SQLException {
        Long[] oids = catalog.tables().stream().filter(t -> t.kind() == TableState.Kind.PARTITIONED).map(TableState::oid).toArray(Long[]::new);
        if (oids.length == 0) {
            return this;
        }
        java.util.Set<Long> out = new java.util.HashSet<>();
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT DISTINCT i.inhparent::pg_catalog.int8 FROM pg_catalog.pg_inherits i"
                + " JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid WHERE c.relkind = 'p' AND i.inhparent = ANY (?::pg_catalog.oid[])")) {
            ps.setArray(1, c.createArrayOf("oid", oids));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return new PremakePlanner(java.util.Set.copyOf(out));
    }

    @Override
    public Goal goal() {
        return Goal.PREMAKE;
    }

    @Override
    public boolean appliesTo(TableState state) {
        return state.kind() == TableState.Kind.PARTITIONED;
    }

    @Override
    public TablePlan plan(TablePolicy policy, TableState state, RunSettings settings) {
        TableRequirements.requirePartitioned(policy, state);
        if (subPartitioned.contains(state.oid())) {
            throw PartitionException.databaseState(state.name() + " is sub-partitioned (some of its partitions are partitioned"
                    + " tables themselves): premake would add plain partitions beside them, with another layout. The plugin does"
                    + " not manage sub-partitioned tables: create its partitions with their sub-partitions yourself, or remove it"
                    + " from <tables>. " + PartitionException.NOTHING_CHANGED);
        }
        ZoneId zone = settings.zone();
        KeyType keyType = state.keyType();
        Interval interval = policy.interval();
        LocalDate current = interval.floor(settings.now().toLocalDate());
        LocalDate end = interval.plus(current, policy.premake() + 1);
        List<Finding> findings = new ArrayList<>(alignmentFindings(policy, state, zone));

        LocalDate start = current;
        for (PartitionInfo p : state.partitions()) {
            long from = p.lower() != KeyType.MIN ? p.lower() : p.upper();
            if (from != KeyType.MAX) {
                LocalDate first = ceilToInterval(from, keyType, interval, zone);
                start = first.isBefore(start) ? first : start;
            }
        }

        Map<LocalDate, Long> strayDefaultRows = new TreeMap<>(state.defaultContent().rowsByInterval());
        List<Step> steps = new ArrayList<>();
        int created = 0;
        for (LocalDate day = start; day.isBefore(end); day = interval.next(day)) {
            long lo = keyType.micros(day, zone);
            long hi = keyType.micros(interval.next(day), zone);
            List<PartitionInfo> overlapping = state.partitions().stream().filter(p -> p.overlaps(lo, hi)).toList();
            if (overlapping.isEmpty()) {
                created++;
                long moved = Optional.ofNullable(strayDefaultRows.remove(day)).orElse(0L);
                if (moved == 0 && state.citus().kind() == CitusTable.Kind.DISTRIBUTED && state.citus().distributionColumn() != null) {
                    steps.addAll(citusCreateSteps(policy, state, settings, day, reason(policy, day, current, end)));
                    continue;
                }
                steps.add(createStep(policy, state, settings, day, moved, reason(policy, day, current, end)));
            } else if (!covers(overlapping, lo, hi)) {
                findings.add(Finding.warning("The " + interval.unit() + " starting " + day + " is only partly covered by "
                        + names(overlapping) + "; the rest is left uncovered because a new partition would overlap it."));
            }
        }
        if (created > 0 && !state.leafPublications().isEmpty()) {
            findings.add(Finding.warning(Publications.leafConsequence(state.name(), state.leafPublications(), "the " + created + " partition(s) this run creates") + " "
                    + Publications.leafRemedy(state.name(), state.leafPublications())));
        }
        if (!strayDefaultRows.isEmpty()) {
            long rows = strayDefaultRows.values().stream().mapToLong(Long::longValue).sum();
            findings.add(Finding.warning(rows + " row(s) in the default partition " + state.defaultPartition().orElseThrow().name()
                    + " fall outside the partitions kept by this policy (" + interval.unit() + "s starting "
                    + summarize(strayDefaultRows.keySet()) + "); they stay in the default partition."));
        }
        if (state.defaultContent().nullKeyRows() > 0 && policy.conversion().nullTimesToDefault()) {
            findings.add(Finding.info(state.defaultContent().nullKeyRows() + " row(s) with a NULL " + policy.column() + " are kept in the"
                    + " default partition " + state.defaultPartition().orElseThrow().name() + ", as configured (<nullTimes>default</nullTimes>)."));
        } else if (state.defaultContent().nullKeyRows() > 0) {
            findings.add(Finding.warning(state.defaultContent().nullKeyRows() + " row(s) in the default partition have a NULL "
                    + policy.column() + "; no range partition can hold them."));
        }
        state.partitions().stream().filter(PartitionInfo::detachPending).forEach(p -> findings.add(Finding.warning(
                "Partition " + p.name() + " is left detach-pending by an interrupted DETACH CONCURRENTLY; inserts into its range fail"
                        + " until `mvn partition:prune` finalizes it (or ALTER TABLE " + state.name().sql() + " DETACH PARTITION "
                        + p.name().sql() + " FINALIZE).")));
        if (!state.citus().strayPartitions().isEmpty()) {
            findings.add(Finding.warning(names(state.citus().strayPartitions()) + " of the distributed table " + state.name()
                    + " are not distributed co-located with it (Citus): their rows sit apart from the rest and queries pull them through"
                    + " the coordinator. Distribute them with pg_catalog.create_distributed_table(<partition>, <distribution column>, colocate_with := "
                    + Sql.literal(state.name().sql()) + ")."));
        }
        return new TablePlan(policy, state, steps, findings);
    }

    private static String names(java.util.Collection<TableName> tables) {
        return String.join(", ", tables.stream().map(TableName::sql).toList());
    }

    private static LocalDate ceilToInterval(long micros, KeyType keyType, Interval interval, ZoneId zone) {
        LocalDate floor = interval.floor(keyType.dayOf(micros, zone));
        return keyType.micros(floor, zone) < micros ? interval.next(floor) : floor;
    }

    private static boolean covers(List<PartitionInfo> overlapping, long lo, long hi) {
        long reached = lo;
        for (PartitionInfo p : overlapping) {
            if (p.lower() > reached) {
                return false;
            }
            reached = Math.max(reached, p.upper());
        }
        return reached >= hi;
    }

    private static String reason(TablePolicy policy, LocalDate day, LocalDate current, LocalDate end) {
        String unit = policy.interval().unit();
        if (day.isBefore(current)) {
            return "fills a gap: no partition covers this past " + unit;
        }
        if (day.equals(current)) {
            return "the current " + unit + " has no partition";
        }
        return "keeps " + policy.premake() + " " + unit + "(s) ahead of now: partitions must exist up to " + end;
    }

    private static Step createStep(TablePolicy policy, TableState state, RunSettings settings, LocalDate day, long defaultRows,
                                   String reason) {
        ZoneId zone = settings.zone();
        KeyType keyType = state.keyType();
        LocalDate next = policy.interval().next(day);
        TableName parent = state.name();
        TableName partition = new TableName(parent.schema(), policy.namePattern().format(parent.name(), day));
        String lo = keyType.literal(day, zone);
        String hi = keyType.literal(next, zone);
        List<String> sql = new ArrayList<>();
        List<Lock> locks = new ArrayList<>();
        // LIKE copies no persistence: an UNLOGGED table (a converted UNLOGGED one) keeps writing no WAL only if every new
        // partition is made UNLOGGED like the ones before it; nor storage parameters, nor the replica identity
        Siblings like = Siblings.of(state);
        sql.add(like.create(partition, parent, false));
        sql.addAll(like.tuning(partition));
        locks.add(new Lock(parent, LockMode.SHARE_UPDATE_EXCLUSIVE));
        locks.add(new Lock(partition, LockMode.ACCESS_EXCLUSIVE));
        Optional<PartitionInfo> def = state.defaultPartition();
        String why = reason + like.reason();
        if (def.isPresent()) {
            locks.add(new Lock(def.get().name(), LockMode.ACCESS_EXCLUSIVE));
            if (defaultRows > 0) {
                String column = Sql.ident(policy.column());
                String cols = Sql.identList(state.insertableColumns());
                sql.add("LOCK TABLE " + parent.sql() + " IN SHARE UPDATE EXCLUSIVE MODE");
                sql.add("LOCK TABLE " + def.get().name().sql() + " IN ACCESS EXCLUSIVE MODE");
                sql.add("WITH moved AS (DELETE FROM " + def.get().name().sql() + " WHERE " + column + " >= " + lo + " AND " + column
                        + " < " + hi + " RETURNING " + cols + ") INSERT INTO " + partition.sql() + " (" + cols + ") SELECT " + cols
                        + " FROM moved");
                why += "; moves " + defaultRows + " row(s) out of the default partition first";
            }
        }
        sql.add("ALTER TABLE " + parent.sql() + " ATTACH PARTITION " + partition.sql() + " FOR VALUES FROM (" + lo + ") TO (" + hi + ")"
                + keyType.boundComment(day, next, zone));
        // the parent's grants and owner: made by another role, the partition would be that role's, and the owner's prune fail
        sql.addAll(state.access().statements(partition));
        sql.addAll(like.replicaIdentity(partition));
        if (state.citus().kind() == CitusTable.Kind.DISTRIBUTED) {
            sql.add(requireColocated(parent, partition));
            why += "; the ATTACH distributes the new table co-located with " + parent + " (Citus), which is checked before commit";
        }
        String action = "create " + like.persistence() + "partition " + partition.sql() + " for [" + keyType.display(keyType.micros(day, zone), zone) + ", "
                + keyType.display(keyType.micros(next, zone), zone) + ")";
        return Step.transactional(Goal.PREMAKE, parent, action, why, sql, locks, defaultRows).withCreates(List.of(partition));
    }

    /** The comment a partition premake made carries until it is attached (so a run killed in between resumes). */
    public static String pendingMarker(TableName parent) {
        return "partition-maven-plugin: premake of a partition of " + parent.sql() + ", not attached yet";
    }

    /**
     * A new partition of a distributed table, in two transactions. An ATTACH of a local table distributes it itself, in the
     * ATTACH's transaction, creating its 32 shards on the workers while holding what the attach locks: a writer into the
     * current month stalled 2.2-2.4 s behind each such step on the loaded 2-core test machine. {@code CREATE TABLE ...
     * PARTITION OF} the distributed parent is worse: PostgreSQL takes ACCESS EXCLUSIVE on the parent for it and Citus
     * creates the shards under that lock (a writer stalled 1.9-2.3 s per month at load 7-10). So the first step creates
     * and distributes the table alone, co-located with the parent (no lock on the parent or its partitions), and marks it;
     * the second only attaches the ready shards, checks co-location and clears the mark. Both steps can run again: a table
     * left by a run killed between them carries the mark, which the engine accepts as no stranger, and is reused.
     *
     * <p>What is left is Citus': after any ATTACH to a distributed parent with indexes it runs
     * {@code FixPartitionShardIndexNames}, one task per parent shard, each calling {@code worker_fix_partition_shard_index_names},
     * which locks the child indexes of the parent shard's index ({@code find_inheritance_children(..., ShareRowExclusiveLock)}):
     * every partition's shard index in that shard group, the current month's too, until the two-phase commit. It does so
     * whatever the indexes are named (the renaming is then a no-op), no GUC skips it, and in parallel mode (more connections
     * per worker) the tasks contend for the 2 cores and the stall grew to 1.4-2.0 s. Measured with {@code
     * citus.log_remote_commands} at load 5-10: 16 sequential round trips per worker, 50-135 ms, then 4-10 ms of two-phase commit.
     */
    private static List<Step> citusCreateSteps(TablePolicy policy, TableState state, RunSettings settings, LocalDate day, String reason) {
        ZoneId zone = settings.zone();
        KeyType keyType = state.keyType();
        LocalDate next = policy.interval().next(day);
        TableName parent = state.name();
        TableName partition = new TableName(parent.schema(), policy.namePattern().format(parent.name(), day));
        String range = "[" + keyType.display(keyType.micros(day, zone), zone) + ", " + keyType.display(keyType.micros(next, zone), zone) + ")";
        String table = Sql.literal(partition.sql());
        // the shards are made with the table's storage parameters, persistence and replica identity (FULL, NOTHING); USING
        // INDEX names the index attached to the parent's, which exists once the partition is attached
        Siblings like = Siblings.of(state);
        List<String> createSql = new ArrayList<>(List.of(like.create(partition, parent, true),
                "COMMENT ON TABLE " + partition.sql() + " IS " + Sql.literal(pendingMarker(parent))));
        createSql.addAll(like.tuning(partition));
        if (!like.identityNeedsAttach()) {
            createSql.addAll(like.replicaIdentity(partition));
        }
        createSql.add(CitusTable.SEQUENTIAL);
        createSql.add("DO $citus$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = " + table + "::regclass)"
                + " THEN PERFORM pg_catalog.create_distributed_table(" + table + ", " + Sql.literal(state.citus().distributionColumn())
                + ", colocate_with := " + Sql.literal(parent.sql()) + "); END IF; END $citus$");
        Step create = Step.transactional(Goal.PREMAKE, parent, "create and distribute " + like.persistence() + partition.sql() + " for " + range,
                reason + "; distributed co-located with " + parent + " (Citus) before it is attached, so its shards are made"
                        + " while nothing of " + parent + " is locked, over one connection per worker (no burst of new worker"
                        + " backends beside the application's)" + like.reason(),
                createSql, List.of(new Lock(partition, LockMode.ACCESS_EXCLUSIVE)), 0).withCreates(List.of(partition));
        List<Lock> locks = new ArrayList<>(List.of(new Lock(parent, LockMode.SHARE_UPDATE_EXCLUSIVE), new Lock(partition, LockMode.ACCESS_EXCLUSIVE)));
        state.defaultPartition().ifPresent(d -> locks.add(new Lock(d.name(), LockMode.ACCESS_EXCLUSIVE)));
        // the ATTACH last: Citus locks every partition's shard index against inserts from its index renaming until commit
        List<String> sql = new ArrayList<>(List.of(requireColocated(parent, partition), "COMMENT ON TABLE " + partition.sql() + " IS NULL"));
        sql.addAll(CitusTable.beforeLockingDdl(partition));
        sql.add("ALTER TABLE " + parent.sql() + " ATTACH PARTITION " + partition.sql() + " FOR VALUES FROM ("
                + keyType.literal(day, zone) + ") TO (" + keyType.literal(next, zone) + ")");
        if (like.identityNeedsAttach()) {
            // one more DDL on every shard of the partition, under what the ATTACH locks: only for a USING INDEX identity
            sql.addAll(like.replicaIdentity(partition));
        }
        Step attach = Step.transactional(Goal.PREMAKE, parent, "attach partition " + partition.sql() + " for " + range,
                reason + "; checks co-location, then attaches the shards made in the step before as the transaction's last"
                        + " statement, over one connection per worker opened before it. Writers into " + parent + " still wait"
                        + " for the rest of this transaction once Citus renames the new shards' indexes: its"
                        + " worker_fix_partition_shard_index_names locks every partition's shard indexes (SHARE ROW EXCLUSIVE) until"
                        + " the two-phase commit, one round trip per shard on each worker (measured 50-135 ms on a loaded 2-core"
                        + " machine with 32 shards; Citus' create_time_partitions blocks them for all of its work)",
                sql, locks, 0);
        return List.of(create, attach);
    }

    /**
     * On Citus, ATTACH of a local table to a distributed parent distributes it into the parent's co-location group. Should
     * it not (a Citus setting, an extension hook, a future release), the parent would hold a partition whose rows sit on
     * the coordinator alone and every query would pull them through it: fail the step, so the transaction rolls back.
     */
    public static String requireColocated(TableName parent, TableName partition) {
        String child = Sql.literal(partition.sql()) + "::regclass";
        String message = Sql.literal("Citus did not distribute " + partition + " co-located with " + parent + "."
                + " Check citus.* settings on the coordinator, or create it with pg_catalog.create_distributed_table("
                + partition.sql().replace("%", "%%") + ", <distribution column>, colocate_with := " + parent.sql().replace("%", "%%")
                + ") first.");
        return "DO $citus$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_dist_partition c JOIN pg_dist_partition p ON p.logicalrelid = "
                + Sql.literal(parent.sql()) + "::regclass WHERE c.logicalrelid = " + child + " AND c.partmethod = 'h' AND p.partmethod = 'h'"
                + " AND c.colocationid = p.colocationid AND c.colocationid <> 0) THEN RAISE EXCEPTION " + message
                + "; END IF; END $citus$";
    }

    private static List<Finding> alignmentFindings(TablePolicy policy, TableState state, ZoneId zone) {
        KeyType keyType = state.keyType();
        Interval interval = policy.interval();
        List<Finding> findings = new ArrayList<>();
        for (PartitionInfo p : state.partitions()) {
            Optional<LocalDate> lo = keyType.dayStartingAt(p.lower(), zone).filter(interval::isBoundary);
            Optional<LocalDate> hi = keyType.dayStartingAt(p.upper(), zone).filter(interval::isBoundary);
            String range = "[" + keyType.display(p.lower(), zone) + ", " + keyType.display(p.upper(), zone) + ")";
            if (lo.isEmpty() || hi.isEmpty()) {
                findings.add(Finding.warning("Partition " + p.name() + " covers " + range + ", which is not aligned to "
                        + interval.unit() + " starts in " + zone + ": left as it is, and no partition is created over it."));
            } else if (!interval.next(lo.get()).equals(hi.get())) {
                findings.add(Finding.info("Partition " + p.name() + " covers " + range + ", several " + interval.unit() + "s."));
            }
        }
        return findings;
    }

    private static String names(List<PartitionInfo> partitions) {
        return String.join(", ", partitions.stream().map(p -> p.name().sql()).toList());
    }

    private static String summarize(java.util.Collection<LocalDate> days) {
        List<String> all = days.stream().map(LocalDate::toString).toList();
        return all.size() <= 5 ? String.join(", ", all) : String.join(", ", all.subList(0, 5)) + " and " + (all.size() - 5) + " more";
    }
}
