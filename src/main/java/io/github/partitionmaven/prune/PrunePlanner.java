package io.github.partitionmaven.prune;

import io.github.partitionmaven.catalog.Catalog;
import io.github.partitionmaven.catalog.CitusTable;
import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.catalog.PartitionInfo;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.plan.LockMode;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.plan.RetentionRule;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.plan.TablePlan;
import io.github.partitionmaven.plan.TableRequirements;
import io.github.partitionmaven.policy.RetentionMode;
import io.github.partitionmaven.policy.RetentionPolicy;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.core.Durations;
import io.github.partitionmaven.core.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Plans retention: every partition whose whole range ends at or before {@code now - retention}
 * (judged by {@link RetentionRule} from catalog bounds) is detached, CONCURRENTLY when the parent
 * has no default partition and is not a Citus table (Citus refuses CONCURRENTLY and FINALIZE: there it is a
 * plain DETACH under lock_timeout), and then dropped, kept (optionally in another schema) or archived to a
 * verified file and dropped. Work an interrupted run left behind comes first: a detach-pending
 * partition is finalized, and tables carrying prune's {@link DetachMarker} are finished.
 */
public final class PrunePlanner implements Planner {

    private final PruneOptions options;
    private final PruneFacts facts;
    /** Whether the archive location passed {@link ArchiveFiles#requireWritable} in this run: checked once, not per table. */
    private final AtomicBoolean writable = new AtomicBoolean();

    public PrunePlanner(PruneOptions options) {
        this(options, PruneFacts.NONE);
    }

    private PrunePlanner(PruneOptions options, PruneFacts facts) {
        this.options = options;
        this.facts = facts;
    }

    @Override
    public Goal goal() {
        return Goal.PRUNE;
    }

    @Override
    public boolean appliesTo(TableState state) {
        return state.kind() == TableState.Kind.PARTITIONED;
    }

    @Override
    public Planner prepare(Connection connection, Catalog catalog, List<TablePolicy> policies, RunSettings settings)
            throws SQLException {
        return new PrunePlanner(options, PruneFacts.read(connection, catalog, policies, settings));
    }

    @Override
    public TablePlan plan(TablePolicy policy, TableState state, RunSettings settings) {
        TableRequirements.requirePartitioned(policy, state);
        List<Finding> findings = new ArrayList<>();
        List<PartitionInfo> expired = policy.retention().map(r -> RetentionRule.expired(state, r.period(), settings)).orElse(List.of());
        refuseReferenced(expired);
        List<Step> steps = new ArrayList<>(finalizeSteps(state, expired, findings, settings));
        if (policy.retention().isEmpty()) {
            if (!facts.unfinished(state.name()).isEmpty()) {
                findings.add(Finding.warning(names(facts.unfinished(state.name()).stream().map(PruneFacts.DetachedTable::name).toList())
                        + " were detached from " + state.name() + " by an earlier prune that did not finish, but the table has no"
                        + " <retention> any more: they are left as they are."));
            }
            return new TablePlan(policy, state, steps, findings);
        }
        RetentionPolicy retention = policy.retention().get();
        if (retention.mode() == RetentionMode.ARCHIVE && (!expired.isEmpty() || !facts.unfinished(state.name()).isEmpty())) {
            if (!writable.get()) {
                ArchiveFiles.requireWritable(options, state.name());
                writable.set(true);
            }
        }
        long cutoff = RetentionRule.cutoffMicros(state.keyType(), retention.period(), settings);
        String why = "past retention (" + retention.period() + "): its range ends at or before the cutoff "
                + state.keyType().display(cutoff, settings.zone()) + "; retentionMode "
                + retention.mode().name().toLowerCase(java.util.Locale.ROOT);
        for (PruneFacts.DetachedTable t : facts.unfinished(state.name())) {
            if (t.marker().upper() <= cutoff) {
                steps.addAll(finishSteps(policy, state, t.asPartition(), t.marker(), true, why + "; detached by an earlier run", settings));
            } else {
                findings.add(Finding.warning(t.name() + " was detached from " + state.name() + " by an earlier prune that did not finish,"
                        + " but with the current <retention> its range " + t.marker().bound() + " is no longer past retention: left"
                        + " as it is. Attach it again (ALTER TABLE " + state.name().sql() + " ATTACH PARTITION " + t.name().sql() + " "
                        + t.marker().bound() + ") or drop it."));
            }
        }
        for (PartitionInfo p : expired) {
            DetachMarker marker = marker(state, p);
            if (!p.detachPending()) {
                steps.add(detachStep(policy, state, p, marker, why, settings));
            }
            steps.addAll(finishSteps(policy, state, p, marker, p.detachPending(), why, settings));
        }
        return new TablePlan(policy, state, steps, findings);
    }

    /** Detaches left pending come first: a parent allows only one, and inserts into its range fail until it is finalized. */
    private List<Step> finalizeSteps(TableState state, List<PartitionInfo> expired, List<Finding> findings, RunSettings settings) {
        List<Step> steps = new ArrayList<>();
        for (PartitionInfo p : state.partitions()) {
            if (!p.detachPending()) {
                continue;
            }
            if (state.citus().managed()) {
                throw PartitionException.databaseState("Partition " + p.name() + " of " + state.name() + " is left detach-pending, but "
                        + state.name() + " is " + state.citus().kind().description() + " and Citus refuses DETACH ... FINALIZE. Finish"
                        + " it outside Citus (undistribute_table, then ALTER TABLE " + state.name().sql() + " DETACH PARTITION "
                        + p.name().sql() + " FINALIZE), then run prune again. Nothing was changed.");
            }
            boolean isExpired = expired.contains(p);
            steps.add(finalizeStep(state, p, isExpired ? Optional.of(marker(state, p).commentPending(p.name())) : Optional.empty(), settings));
            if (!isExpired) {
                findings.add(Finding.warning("Partition " + p.name() + " was left detach-pending by an interrupted DETACH"
                        + " CONCURRENTLY; prune finalizes the detach and keeps it as a standalone table (it is not past retention)."));
            }
        }
        return steps;
    }

    private void refuseReferenced(List<PartitionInfo> expired) {
        for (PartitionInfo p : expired) {
            List<String> refs = facts.referencedBy(p.name());
            if (!refs.isEmpty()) {
                throw PartitionException.databaseState("Partition " + p.name() + " is past retention but rows in other tables still"
                        + " reference it through foreign key " + String.join(" and ", refs) + ": PostgreSQL cannot detach or drop it."
                        + " Delete or re-point those rows (or drop the constraint), then run prune again.");
            }
        }
    }

    private static DetachMarker marker(TableState state, PartitionInfo p) {
        return new DetachMarker(state.name(), p.lower(), p.upper(), p.bound());
    }

    private static String describe(TableState state, PartitionInfo p, RunSettings settings) {
        KeyType k = state.keyType();
        String rows = p.estimatedRows() > 0 ? "~" + p.estimatedRows() + " rows" : "rows not estimated yet (no ANALYZE)";
        return p.name() + " [" + k.display(p.lower(), settings.zone()) + ", " + k.display(p.upper(), settings.zone()) + "), "
                + rows + ", ~" + Durations.bytes(p.bytes());
    }

    private Step finalizeStep(TableState state, PartitionInfo p, Optional<String> marker, RunSettings settings) {
        List<String> sql = new ArrayList<>();
        marker.ifPresent(sql::add);
        sql.add(DetachWork.finalizeDetach(state.name(), p.name()));
        return Step.autocommit(Goal.PRUNE, state.name(), "finalize the interrupted detach of " + p.name(),
                        "an earlier DETACH ... CONCURRENTLY was interrupted: rows of its range are invisible through the parent and"
                                + " inserts into it fail until the detach is finalized; a parent allows only one pending detach",
                        sql, List.of(new Lock(state.name(), LockMode.SHARE_UPDATE_EXCLUSIVE), new Lock(p.name(), LockMode.ACCESS_EXCLUSIVE)),
                        p.estimatedRows())
                .withWork(new DetachWork(state.name(), p.name(), marker, DetachWork.finishWait(settings)));
    }

    private Step detachStep(TablePolicy policy, TableState state, PartitionInfo p, DetachMarker marker, String why,
                            RunSettings settings) {
        RetentionPolicy retention = policy.retention().orElseThrow();
        boolean keptInPlace = retention.mode() == RetentionMode.DETACH && !movesSchema(retention, p.name());
        String comment = keptInPlace ? marker.commentKept(p.name()) : marker.commentPending(p.name());
        TableName parent = state.name();
        String action = "detach partition " + describe(state, p, settings);
        if (state.citus().managed()) {
            return citusDetach(state, p, comment, why, action);
        }
        if (state.defaultPartition().isEmpty()) {
            return Step.autocommit(Goal.PRUNE, parent, action + ", CONCURRENTLY", why + "; CONCURRENTLY: reads and writes continue;"
                            + " a detach left pending behind an older transaction is finalized before the run ends (waiting up to "
                            + Durations.format(DetachWork.finishWait(settings)) + ")",
                            List.of(comment, DetachWork.detachConcurrently(parent, p.name())),
                            List.of(new Lock(parent, LockMode.SHARE_UPDATE_EXCLUSIVE), new Lock(p.name(), LockMode.ACCESS_EXCLUSIVE)),
                            p.estimatedRows())
                    .withWork(new DetachWork(parent, p.name(), Optional.of(comment), DetachWork.finishWait(settings)));
        }
        PartitionInfo def = state.defaultPartition().get();
        return Step.transactional(Goal.PRUNE, parent, action, why + "; a plain DETACH (under lock_timeout) because the default"
                        + " partition " + def.name() + " forbids DETACH CONCURRENTLY",
                List.of(comment, "ALTER TABLE " + parent.sql() + " DETACH PARTITION " + p.name().sql()),
                List.of(new Lock(parent, LockMode.ACCESS_EXCLUSIVE), new Lock(p.name(), LockMode.ACCESS_EXCLUSIVE),
                        new Lock(def.name(), LockMode.ACCESS_EXCLUSIVE)), p.estimatedRows());
    }

    /**
     * Citus refuses {@code DETACH ... CONCURRENTLY} and {@code FINALIZE} on its tables ("... commands are currently
     * unsupported", SQLSTATE XX000), so the detach is a plain one: ACCESS EXCLUSIVE on the parent for as long as the
     * coordinator and every worker take to detach the shards (tens of milliseconds on an idle cluster), bounded by
     * lock_timeout, which the executor makes bind on the workers' shards too, then retried with backoff. The worker
     * connections are opened before the DETACH ({@link CitusTable#beforeLockingDdl}); the drop or archive is a later step.
     */
    private static Step citusDetach(TableState state, PartitionInfo p, String comment, String why, String action) {
        TableName parent = state.name();
        List<Lock> locks = new ArrayList<>(List.of(new Lock(parent, LockMode.ACCESS_EXCLUSIVE), new Lock(p.name(), LockMode.ACCESS_EXCLUSIVE)));
        state.defaultPartition().ifPresent(d -> locks.add(new Lock(d.name(), LockMode.ACCESS_EXCLUSIVE)));
        List<String> sql = new ArrayList<>(List.of(comment));
        sql.addAll(CitusTable.beforeLockingDdl(p.name()));
        sql.add("ALTER TABLE " + parent.sql() + " DETACH PARTITION " + p.name().sql());
        return Step.transactional(Goal.PRUNE, parent, action, why + "; a plain DETACH (under lock_timeout, on the coordinator and"
                        + " the workers' shards) because " + parent + " is " + state.citus().kind().description()
                        + " and Citus refuses DETACH ... CONCURRENTLY; it is the transaction's last statement, over one connection"
                        + " per worker opened before it, so writers wait only for Citus' detach of the shards and the commit",
                sql, locks, p.estimatedRows());
    }

    /**
     * What follows the detach: drop, keep (moving or re-marking the table) or archive then drop.
     * {@code resumed}: the table was detached by an earlier run (or finalized by this one) and still carries the pending marker.
     */
    private List<Step> finishSteps(TablePolicy policy, TableState state, PartitionInfo p, DetachMarker marker, boolean resumed,
                                   String why, RunSettings settings) {
        RetentionPolicy retention = policy.retention().orElseThrow();
        TableName t = p.name();
        String what = describe(state, p, settings);
        List<Lock> exclusive = List.of(new Lock(t, LockMode.ACCESS_EXCLUSIVE));
        return switch (retention.mode()) {
            case DROP -> List.of(Step.transactional(Goal.PRUNE, state.name(), "drop detached " + what, why,
                    List.of("DROP TABLE " + t.sql()), exclusive, p.estimatedRows()));
            case DETACH -> keepSteps(retention, state, p, marker, resumed, why, what);
            case ARCHIVE -> {
                ArchiveFiles files = ArchiveFiles.of(options, t);
                refuseForeignArchive(files, t, marker);
                KeyType k = state.keyType();
                ExportWork export = new ExportWork(t, marker, state.insertableColumns(), files, options,
                        k.display(p.lower(), settings.zone()), k.display(p.upper(), settings.zone()), p.estimatedRows(), p.bytes());
                DropArchivedWork drop = new DropArchivedWork(t, files);
                yield List.of(
                        new Step(Goal.PRUNE, state.name(), "archive " + what + " to " + files.dataLocation(), why, export.describe(),
                                List.of(new Lock(t, LockMode.SHARE)), p.estimatedRows(), true, Optional.of(export),
                                Optional.empty(), List.of(), Optional.empty()),
                        new Step(Goal.PRUNE, state.name(), "verify the archive of " + t + " and drop it", why
                                + "; dropped only when the archive read back matches its manifest and the table", drop.describe(),
                                exclusive, p.estimatedRows(), true, Optional.of(drop), Optional.empty(), List.of(), Optional.empty()));
            }
        };
    }

    /** An archive already in the directory (or bucket) must be of this very table, or prune would reuse someone else's file. */
    private void refuseForeignArchive(ArchiveFiles files, TableName table, DetachMarker marker) {
        try (ArchiveStore store = files.open()) {
            if (!store.exists(files.manifest())) {
                return;
            }
            ArchiveManifest.read(store, files.manifest()).mismatch(facts.database(), table, marker.parent(), marker.bound())
                    .ifPresent(problem -> {
                        throw PartitionException.databaseState("The archive location already holds " + files.manifestLocation() + ", but "
                                + problem + ". Move that archive away, or give each database its own <archiveDirectory>.");
                    });
        } catch (java.io.IOException e) {
            throw PartitionException.environment(e.getMessage() + " Nothing was changed.", e);
        }
    }

    private List<Step> keepSteps(RetentionPolicy retention, TableState state, PartitionInfo p, DetachMarker marker, boolean resumed,
                                 String why, String what) {
        TableName t = p.name();
        if (movesSchema(retention, t)) {
            if (!facts.schemas().contains(retention.detachSchema())) {
                throw PartitionException.configuration("<retentionSchema>" + retention.detachSchema() + "</retentionSchema> of table "
                        + state.name() + " does not exist: create it (CREATE SCHEMA " + Sql.ident(retention.detachSchema())
                        + ") or fix <retentionSchema>.");
            }
            TableName moved = new TableName(retention.detachSchema(), t.name());
            if (facts.taken().contains(moved)) {
                throw PartitionException.databaseState(moved + " already exists, so " + t + " cannot be moved to <retentionSchema>"
                        + retention.detachSchema() + "</retentionSchema>: rename or drop " + moved + ", or choose another"
                        + " <retentionSchema>.");
            }
            return List.of(Step.transactional(Goal.PRUNE, state.name(), "move detached " + what + " to schema "
                                    + Sql.ident(retention.detachSchema()), why + "; kept as a standalone table",
                            List.of("ALTER TABLE " + t.sql() + " SET SCHEMA " + Sql.ident(retention.detachSchema()),
                                    marker.commentKept(moved)),
                            List.of(new Lock(t, LockMode.ACCESS_EXCLUSIVE)), p.estimatedRows())
                    .withCreates(List.of(moved)));
        }
        if (!resumed) {
            return List.of();
        }
        return List.of(Step.transactional(Goal.PRUNE, state.name(), "keep detached " + what + " as a standalone table",
                why + "; detached by an earlier run, now marked as kept", List.of(marker.commentKept(t)),
                List.of(new Lock(t, LockMode.SHARE_UPDATE_EXCLUSIVE)), p.estimatedRows()));
    }

    private static boolean movesSchema(RetentionPolicy retention, TableName table) {
        return retention.detachSchema() != null && !retention.detachSchema().equals(table.schema());
    }

    private static String names(List<TableName> names) {
        return String.join(", ", names.stream().map(TableName::sql).toList());
    }
}
