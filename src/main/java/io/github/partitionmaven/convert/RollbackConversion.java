package io.github.partitionmaven.convert;

import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.plan.LockMode;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.plan.TablePlan;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.core.Sql;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Swaps a converted table back to its old plain table; one converted with strategy attach is
 * handed to {@link AttachRollback}. Strategy copy: changes to the partitioned
 * table are captured from the start, every row that differs between the two (written, changed or
 * deleted since the swap) is replayed into the old table, both are verified, and one short
 * transaction exchanges the names again and drops the partitioned table. Nothing written after the
 * conversion is lost.
 */
final class RollbackConversion {

    private final TablePolicy policy;
    private final TableState state;
    private final ConvertFacts facts;
    private final Optional<AttachRollbackFacts> attached;
    private final ConvertNames names;
    private final RunSettings settings;
    private final long attachMaxRows;
    private final boolean deletesPruned;

    RollbackConversion(TablePolicy policy, TableState state, ConvertFacts facts, Optional<AttachRollbackFacts> attached, ConvertNames names,
                       RunSettings settings, long attachMaxRows, boolean deletesPruned) {
        this.deletesPruned = deletesPruned;
        this.policy = policy;
        this.state = state;
        this.facts = facts;
        this.attached = attached;
        this.names = names;
        this.settings = settings;
        this.attachMaxRows = attachMaxRows;
    }

    TablePlan plan() {
        TableName t = state.name();
        TableName old = names.old();
        if (state.kind() != TableState.Kind.PARTITIONED || !facts.exists(old)) {
            throw PartitionException.databaseState("There is nothing to roll back for " + t + ": " + (state.kind() != TableState.Kind.PARTITIONED
                    ? "it is not partitioned." : old + " (the old table a conversion keeps) does not exist; it may have been dropped,"
                    + " or <oldTableName> differs from the conversion's."));
        }
        List<String> publishing = facts.carried().publicationProblems("the rollback's writes to " + old + " and its own tables", false);
        if (!publishing.isEmpty()) {
            throw PartitionException.databaseState(t + " is published by logical replication, and " + String.join("; ", publishing)
                    + ". Then roll back.");
        }
        // after <widenKeys> a view of the partitioned table may show bigint ids, which the old table's integer ones cannot replace
        DependentViews.refuseUnfollowed(t, facts, "roll back", facts.retyped(old));
        if (!facts.boundObjects().isEmpty()) {
            throw PartitionException.databaseState("PostgreSQL binds these to " + t + " by its identity, not its name, and the rollback"
                    + " drops the partitioned " + t + ", which they hold on to (the swap back would fail on them, or leave them reading"
                    + " nothing): " + String.join("; ", facts.boundObjects("roll back")) + ". Then roll back.");
        }
        if (facts.isPartition(old)) {
            return new AttachRollback(policy, state, facts, attached.orElseThrow(() -> PartitionException.databaseState(old + " is a"
                    + " partition, but not of " + t + "; rollback only swaps back the table <oldTableName> names. Check <oldTableName>.")),
                    names, attachMaxRows).plan();
        }
        List<ConvertFacts.Column> key = replayKey();
        if (key.size() != 1) {
            throw PartitionException.databaseState(t + " has no primary key of one column plus " + policy.column()
                    + "; rollback replays rows by that column. Copy the rows back by hand.");
        }
        // the old table's self-references are the new table's (they were recreated from them): its replay keeps them too
        Transfer transfer = new Transfer(t, old, key.get(0).name(), key.get(0).type(), state.insertableColumns(), names.changeLog(),
                names.captureFunction()).withSelfReferences(CopyConversion.selfReferences(facts, t));
        List<Step> steps = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        Optional<LocalDate> pruned = prunedBefore();
        String keptLiteral = null;
        if (pruned.isPresent() && !deletesPruned) {
            keptLiteral = state.keyType().literal(pruned.get(), settings.zone()) + "::" + state.keyType().sqlName();
            findings.add(Finding.info("Rows of " + old + " before " + pruned.get() + " are kept: " + t + " has no partition before"
                    + " then (retention removed them since the conversion, or they were never converted), so rollback does not"
                    + " replay their absence as deletes. Set <rollbackDeletesPruned>true</rollbackDeletesPruned> to delete them."));
        } else if (pruned.isPresent()) {
            findings.add(Finding.warning("Rows of " + old + " before " + pruned.get() + " are DELETED by the rollback"
                    + " (<rollbackDeletesPruned>true</rollbackDeletesPruned>): " + t + " no longer holds them."));
        }
        boolean prepared = facts.exists(names.progress());
        if (!prepared) {
            List<String> sql = new ArrayList<>(names.createProgress("rollback", false));
            sql.addAll(transfer.captureDdl());
            steps.add(Step.transactional(Goal.ROLLBACK, t, "capture changes to " + t + " for the rollback",
                    "a trigger logs every key written from now on, so nothing written during the rollback is lost", sql,
                    List.of(new Lock(t, LockMode.SHARE_ROW_EXCLUSIVE)), 0).withCreates(List.of(names.progress(), names.changeLog())));
        }
        if (!facts.progress().map(ConvertFacts.Progress::copyDone).orElse(false)) {
            List<String> sql = List.of(transfer.captureDifferences(policy.column(), keptLiteral),
                    "UPDATE " + names.progress().sql() + " SET copy_done = true");
            steps.add(Step.transactional(Goal.ROLLBACK, t, "find the rows written, changed or deleted in " + t + " since the conversion",
                    "compares every row of " + t + " with " + old + " by " + transfer.key() + " and logs the keys that differ;"
                            + " reads and writes continue", sql,
                    List.of(new Lock(t, LockMode.ACCESS_SHARE), new Lock(old, LockMode.ACCESS_SHARE)), facts.stats().rows()));
        }
        steps.add(replay(transfer));
        Verification verification = new Verification(transfer, policy.column(), state.keyType(), policy.interval(), settings.zone(), true,
                facts.rowHash(), String.join("; ", transfer.dropCapture()) + "; DROP TABLE " + names.progress().sql() + ";",
                deletesPruned ? Optional.empty() : pruned);
        steps.add(Step.autocommit(Goal.ROLLBACK, t, "verify " + old + " against " + t, "row count and checksum per "
                        + policy.interval().unit() + "; a difference stops here with nothing swapped", verification.statements(),
                List.of(new Lock(t, LockMode.ACCESS_SHARE), new Lock(old, LockMode.ACCESS_SHARE)), 0)
                .withWork(verification));
        steps.add(replay(transfer));
        List<ColumnChanges.Narrowing> narrowings = ColumnChanges.Narrowing.of(facts, old, t);
        // the fix it names runs after the rollback, when the old table is called t again
        narrowings.stream().filter(n -> !n.fits()).forEach(n -> findings.add(Finding.warning(n.staysBigint(t))));
        steps.add(swapBack(transfer, narrowings.stream().filter(ColumnChanges.Narrowing::fits).toList()));
        OldForeignKeys.validateAfterSwapBack(t, facts, old).ifPresent(steps::add);
        return new TablePlan(policy, state, steps, findings);
    }

    /**
     * The column the rollback replays rows by: the primary key's besides the partition column, or, for a table converted
     * with {@code <nullTimes>default</nullTimes>} (whose key is UNIQUE, as a primary key cannot include a column holding
     * NULLs), that unique constraint's.
     */
    private List<ConvertFacts.Column> replayKey() {
        if (!facts.primaryKey().isEmpty()) {
            return facts.primaryKey().stream().filter(c -> !c.name().equals(policy.column())).toList();
        }
        return facts.indexes().stream().filter(i -> i.unique() && i.constraint().isPresent() && i.columns().size() == 2
                        && i.columns().get(1).equals(policy.column()))
                .flatMap(i -> facts.column(i.columns().get(0)).stream()).map(c -> new ConvertFacts.Column(c.name(), c.type()))
                .filter(c -> facts.column(c.name()).map(ConvertFacts.ColumnDef::notNull).orElse(false)).limit(1).toList();
    }

    /**
     * The start of the partitioned table's first partition: everything before it was converted into partitions that are
     * gone (dropped, detached or archived by prune). None with a default partition, which would have taken such rows.
     */
    private Optional<LocalDate> prunedBefore() {
        // the DEFAULT partition of <nullTimes>default</nullTimes> holds only NULL times (its CHECK), no pruned range
        if (state.defaultPartition().isPresent() && !policy.conversion().nullTimesToDefault() || state.partitions().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(state.keyType().dayOf(state.partitions().get(0).lower(), settings.zone()));
    }

    private Step replay(Transfer transfer) {
        return Step.autocommit(Goal.ROLLBACK, state.name(), "replay captured changes into " + names.old(),
                "makes each logged key's row in " + names.old() + " equal the one in " + state.name(),
                ChangeReplay.statements(transfer),
                List.of(new Lock(names.old(), LockMode.ROW_EXCLUSIVE)), 0)
                .withWork((c, log) -> ChangeReplay.catchUp(c, transfer, 100, log));
    }

    /**
     * @param narrowed the sequences {@code <widenKeys>} made bigint, given their type back with the names: an instant (ALTER
     *                 SEQUENCE ... AS rewrites nothing), and in the same transaction so that a stopped rollback never leaves the
     *                 partitioned table fed by an integer sequence
     */
    private Step swapBack(Transfer transfer, List<ColumnChanges.Narrowing> narrowed) {
        TableName t = state.name();
        TableName old = names.old();
        PartitionedTableDdl ddl = new PartitionedTableDdl(policy, state, facts, settings, false);
        List<String> lock = new ArrayList<>(SwapLock.statements(t));
        lock.addAll(SwapLock.statements(old));
        List<String> after = new ArrayList<>(transfer.dropCapture());
        after.add("DROP TABLE " + names.progress().sql());
        after.addAll(ddl.sequenceHandoff(old, t));
        narrowed.forEach(n -> after.add(n.statement()));
        after.addAll(OldForeignKeys.restoreNotValid(t, facts, old, ddl));
        after.addAll(DependentViews.swapBack(t, old, names.shadow(), facts));
        after.addAll(ddl.restoreIdentitySequenceNames());
        after.addAll(facts.carried().restoreStatisticsNames((i, name) -> ConvertNames.retired(name)));
        after.addAll(facts.carried().rejoinPublications(t));
        for (ConvertFacts.IndexDef index : facts.indexes()) {
            after.add("ALTER INDEX IF EXISTS " + new TableName(t.schema(), ConvertNames.retired(index.name())).sql() + " RENAME TO "
                    + Sql.ident(index.name()));
        }
        List<String> sql = new ArrayList<>(lock);
        sql.add("-- replay every change still captured");
        sql.addAll(after);
        StepWork work = (Connection c, EngineLog log) -> {
            try (Statement st = c.createStatement()) {
                for (String statement : lock) {
                    st.execute(statement);
                }
                long replayed = ChangeReplay.drain(c, transfer);
                for (String statement : after) {
                    st.execute(statement);
                }
                log.info("      swapped back; " + replayed + " last change(s) replayed under the lock");
            }
        };
        List<Lock> locks = new ArrayList<>(List.of(new Lock(t, LockMode.ACCESS_EXCLUSIVE), new Lock(old, LockMode.ACCESS_EXCLUSIVE)));
        locks.addAll(OldForeignKeys.referencedByTheDrop(t, facts));
        narrowed.forEach(n -> locks.add(new Lock(n.sequence().sequence(), LockMode.SHARE_ROW_EXCLUSIVE)));
        locks.addAll(DependentViews.locks(facts));
        return Step.transactional(Goal.ROLLBACK, t, "swap back: " + old + " becomes " + t + " again; the partitioned table is dropped",
                "one short transaction under lock_timeout: last changes replayed, sequences handed back" + (narrowed.isEmpty() ? ""
                        : " (" + String.join(", ", narrowed.stream().map(n -> n.sequence().sequence().sql() + " back to " + n.type()).toList())
                        + ", as before <widenKeys> widened it)") + ", names restored" + (OldForeignKeys.restoreNotValid(t, facts, old, ddl)
                        .isEmpty() ? "" : "; " + old + " gets back its foreign keys to other tables, which the conversion dropped after"
                        + " its swap, NOT VALID (an instant: DROP TABLE " + t + " holds the tables they reference), validated next") + (facts.carried().listedPublications().isEmpty() ? ""
                        : "; it rejoins publication(s) " + facts.carried().listedNames() + ", which the swap took it out of")
                        + DependentViews.reason(facts),
                sql, locks, 0).withWork(work);
    }
}
