package io.github.partitionmaven.convert;

import io.github.partitionmaven.catalog.ServerInfo;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.execute.AlongsideWork;
import io.github.partitionmaven.execute.Throttle;
import io.github.partitionmaven.execute.ThrottleLimits;
import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.plan.LockMode;
import io.github.partitionmaven.plan.Requirement;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.plan.TablePlan;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.core.Durations;
import io.github.partitionmaven.core.Sql;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Strategy copy: the partitioned table is built beside the old one and filled in key order while a
 * trigger captures every change to the old table (installed before the first batch, so a row
 * committed late is captured too); indexes and foreign keys come after the bulk copy; captured
 * changes are replayed; every interval is verified; then one short transaction swaps the names.
 * Each step's effect is visible in the catalog, so the plan of a rerun starts where a killed run stopped.
 */
final class CopyConversion {

    /** Conservative throughputs for the plan's estimates (2 vCPU, see docs/postgres-facts.md). */
    private static final long COPY_BYTES_PER_SECOND = 120L << 20;
    private static final long INDEX_ROWS_PER_SECOND = 1_000_000;
    private static final long VERIFY_BYTES_PER_SECOND = 300L << 20;
    private final TablePolicy policy;
    private final TableState state;
    private final ConvertFacts facts;
    private final ConvertNames names;
    private final ConvertOptions options;
    private final PartitionedTableDdl ddl;
    private final boolean offline;
    private final Transfer transfer;
    private final ServerInfo server;
    private final ColumnChanges changes;

    CopyConversion(TablePolicy policy, TableState state, ConvertFacts facts, ConvertNames names, RunSettings settings, ConvertOptions options,
                   ServerInfo server, boolean unlogged) {
        this.policy = policy;
        this.state = state;
        this.facts = facts;
        this.names = names;
        this.options = options;
        this.ddl = new PartitionedTableDdl(policy, state, facts, settings, unlogged);
        this.server = server;
        this.changes = ColumnChanges.of(policy.conversion(), facts, policy.column());
        this.offline = facts.progress().map(ConvertFacts.Progress::offline).orElse(options.offline());
        ConvertFacts.Column key = facts.primaryKey().get(0);
        this.transfer = new Transfer(state.name(), names.shadow(), key.name(), key.type(), state.insertableColumns(), names.changeLog(),
                names.captureFunction()).withSelfReferences(selfReferences(facts, state.name()));
    }

    /** The table's foreign keys referencing itself, which the replay keeps satisfied on source and target alike. */
    static List<Transfer.SelfReference> selfReferences(ConvertFacts facts, TableName table) {
        return facts.foreignKeys().stream().filter(fk -> fk.selfReferencing(table))
                .map(fk -> new Transfer.SelfReference(fk.columns(), fk.refColumns())).toList();
    }

    TablePlan plan() {
        List<Step> steps = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        TableName t = state.name();
        TableName s = names.shadow();
        boolean prepared = facts.exists(s) && facts.exists(names.progress());
        if (!prepared) {
            steps.add(prepare());
        }
        if (!facts.progress().map(ConvertFacts.Progress::copyDone).orElse(false)) {
            steps.add(copy());
            findings.addAll(space());
        }
        steps.addAll(indexSteps());
        List<ConvertFacts.ForeignKey> selfReferences = facts.foreignKeys().stream().filter(fk -> fk.selfReferencing(t)).toList();
        facts.foreignKeys().stream().filter(fk -> !fk.selfReferencing(t)).forEach(fk -> foreignKeyStep(fk).ifPresent(steps::add));
        if (!offline) {
            // a self-reference is added once the new table holds every row the copied ones refer to: the rows copied in early
            // batches may refer to rows inserted later, which only the replay brings over
            steps.add(selfReferences.isEmpty() ? catchUp(1000, "apply the changes captured while copying")
                    : catchUp(0, "apply every change captured while copying, so that each row a copied row refers to is there"));
        }
        selfReferences.forEach(fk -> foreignKeyStep(fk).ifPresent(steps::add));
        steps.add(verify());
        foreignKeysOnTheParent().ifPresent(steps::add);
        if (!offline) {
            steps.add(catchUp(100, "apply the changes captured while verifying, so the swap has little left"));
        }
        steps.add(Step.autocommit(Goal.CONVERT, t, "give the partitions of " + s.sql() + " back to autovacuum",
                "kept off them while they were filled and indexed; autovacuum now sets their visibility maps in the background"
                        + (ddl.ownAutovacuumSetting() ? "; where " + t + " had its own autovacuum_enabled, the partitions get that instead" : ""),
                List.of(ddl.giveBackToAutovacuum(s)), List.of(new Lock(s, LockMode.SHARE_UPDATE_EXCLUSIVE)), 0));
        widenSequences().ifPresent(steps::add);
        steps.add(swap());
        if (prepared) {
            findings.add(Finding.warning("Unfinished conversion of " + t + ": " + facts.progress().map(ConvertFacts.Progress::describe).orElse("")
                    + "; next step: " + steps.get(0).action() + (offline ? "" : ". Until it completes, the capture trigger on " + t
                    + " logs every write of the application") + ". `mvn partition:convert` continues it; `mvn partition:convert"
                    + " -Dpartition.abandon` removes it."));
        }
        Step.Failure failure = new Step.Failure(leftBehind(), java.util.Optional.of(names.progress()));
        steps.replaceAll(step -> step.action().startsWith("create " + s.sql()) ? step : step.withFailure(failure));
        OldForeignKeys.release(t, facts, names).ifPresent(steps::add);
        ThrottleLimits limits = options.throttle();
        if (!offline && !server.readsAllStats() && (!limits.maxReplicaLag().isZero() || limits.pauseForAutovacuum())) {
            findings.add(Finding.warning("The role the plugin connects as cannot read other sessions' statistics, so the copy cannot see a"
                    + " standby's replay lag (<maxReplicaLag>) or autovacuum on " + t + " (<pauseForAutovacuum>) and will not pause for them."
                    + " To have it pause: GRANT pg_read_all_stats TO <the role> (or pg_monitor). To say it need not:"
                    + " <throttle><maxReplicaLag>0s</maxReplicaLag><pauseForAutovacuum>false</pauseForAutovacuum></throttle>."));
        }
        if (offline) {
            findings.add(Finding.warning("Offline conversion: changes to " + t + " while it runs are not captured; the verification"
                    + " stops the swap if any happened. Run it in a maintenance window."));
        }
        return new TablePlan(policy, state, steps, findings);
    }

    /**
     * What the copy needs room for: a second table, and as much WAL, which a replication slot no one reads keeps (the
     * copy's WAL included) until the disk is full, unless max_slot_wal_keep_size gives the slot up first.
     */
    private List<Finding> space() {
        String size = Durations.bytes(state.bytes());
        List<Finding> out = new ArrayList<>(List.of(Finding.info("The copy writes a second " + state.name() + ": about " + size + " (its"
                + " size with its indexes now) more on disk in " + facts.carried().tablespace().map(ts -> "tablespace " + Sql.ident(ts))
                .orElse("the database's default tablespace") + " until " + names.old() + " is dropped, and about as much WAL, which"
                + " pg_wal keeps until it is archived and every standby and replication slot has read it.")));
        List<ServerInfo.IdleSlot> idle = server.idleSlots();
        if (!idle.isEmpty()) {
            out.add(Finding.warning("Replication slot(s) that no one reads keep every WAL segment written since they were last read: "
                    + String.join(", ", idle.stream().map(slot -> Sql.literal(slot.name()) + " (" + slot.type() + ", " + Durations.bytes(slot.retainedBytes())
                    + " kept now)").toList()) + ". They would keep the copy's " + size + " of WAL too, "
                    + server.slotWalLimit().map(limit -> "until max_slot_wal_keep_size (" + limit + ") is passed and the server gives"
                    + " them up (their readers must then be set up again)").orElse("with no limit (max_slot_wal_keep_size = -1), until"
                    + " pg_wal's disk is full and the server stops") + ". Before converting, start their readers, or drop a slot nothing"
                    + " reads any more (SELECT pg_catalog.pg_drop_replication_slot(" + Sql.literal(idle.get(0).name()) + ")), or make sure"
                    + " pg_wal's disk has that much free."));
        }
        return out;
    }

    /**
     * Adds foreign key {@code fk} to the new table unless a killed run already did. One referencing the table itself
     * references the new table, whose key includes the partition column (the planner refuses the others).
     */
    private Optional<Step> foreignKeyStep(ConvertFacts.ForeignKey fk) {
        TableName t = state.name();
        TableName s = names.shadow();
        if (facts.object(s, fk.name()).isPresent()) {
            return Optional.empty();
        }
        TableName referenced = ddl.referenced(s, fk);
        boolean self = !referenced.equals(fk.references());
        String target = self ? s.sql() + " itself (" + String.join(", ", fk.refColumns()) + ")" : referenced.sql();
        List<Lock> locks = self ? List.of(new Lock(s, LockMode.SHARE_ROW_EXCLUSIVE))
                : List.of(new Lock(s, LockMode.SHARE_ROW_EXCLUSIVE), new Lock(referenced, LockMode.SHARE_ROW_EXCLUSIVE));
        String action = "add foreign key " + Sql.ident(fk.name()) + " to " + s.sql() + (self ? " referencing " + target : "");
        String same = self ? "as on " + t + ", which references " + t + " itself; on the new table it references the new table, so that"
                + " after the swap it references " + t + " and never " + names.old() : "same as on " + t;
        Step step = perPartition(fk)
                ? Step.transactional(Goal.CONVERT, t, "add foreign key " + Sql.ident(fk.name()) + " to each partition of " + s.sql()
                        + " (NOT VALID)", same + "; before PostgreSQL 18 a partitioned table cannot take a NOT VALID foreign key, but its"
                        + " partitions can: added without checking the rows, so " + target + " is held for an instant only; each partition's"
                        + " check comes with the verification, under locks that let writes of " + target + " continue, and then the key"
                        + " on " + s.sql() + " takes them over without checking again (a validated key added at once held " + target
                        + " against writes for the whole check: 3.5 s on 10M seed rows)",
                List.of(ddl.addForeignKeyToPartitions(s, fk)), locks, 0)
                : laterForeignKeyValidation()
                ? Step.transactional(Goal.CONVERT, t, action + " (NOT VALID)", same + "; added without checking the rows, so " + target
                        + " is held for an instant only; the check comes with the verification, under locks that let writes continue",
                List.of(ddl.addForeignKeyNotValid(s, fk)), locks, 0)
                : Step.transactional(Goal.CONVERT, t, action, same + "; checking the copied rows reads " + target + (self
                        ? ", which only the conversion writes, so the application does not wait" : ", whose writes wait meanwhile")
                        + " (before PostgreSQL 18 a partitioned table cannot take a NOT VALID foreign key)",
                List.of(ddl.addForeignKey(s, fk)), locks, facts.stats().rows());
        // SHARE ROW EXCLUSIVE on the referenced table, but a foreign key needs REFERENCES on it, not ownership
        return Optional.of(step.withRequires(self ? List.of(Requirement.owner(s)) : List.of(Requirement.owner(s), Requirement.references(referenced))));
    }

    /**
     * Whether {@code fk} goes on the partitions first, NOT VALID, is validated partition by partition beside the verification,
     * and is then added to the parent, which takes the partitions' over: before 18, for a validated key to another table (a
     * self-reference is checked against the new table only, which the application does not write).
     */
    private boolean perPartition(ConvertFacts.ForeignKey fk) {
        return !laterForeignKeyValidation() && fk.validated() && !fk.selfReferencing(state.name());
    }

    /** The keys {@link #perPartition} added to the partitions, now validated, added to the new table itself. */
    private Optional<Step> foreignKeysOnTheParent() {
        TableName s = names.shadow();
        List<ConvertFacts.ForeignKey> keys = facts.foreignKeys().stream().filter(this::perPartition)
                .filter(fk -> facts.object(s, fk.name()).isEmpty()).toList();
        if (keys.isEmpty()) {
            return Optional.empty();
        }
        List<Lock> locks = new ArrayList<>(List.of(new Lock(s, LockMode.SHARE_ROW_EXCLUSIVE)));
        // ACCESS EXCLUSIVE, not the SHARE ROW EXCLUSIVE of an added key: taking a partition's key over drops its action
        // triggers on the referenced table (seen on 14 and 15: pg_locks shows both modes, and a reader of users held it up)
        keys.forEach(fk -> locks.add(new Lock(fk.references(), LockMode.ACCESS_EXCLUSIVE)));
        return Optional.of(Step.transactional(Goal.CONVERT, state.name(), "add foreign key(s) " + String.join(", ", keys.stream()
                        .map(fk -> Sql.ident(fk.name())).toList()) + " to " + s.sql() + ", taking over those of its partitions",
                "each partition holds the same key, validated: PostgreSQL attaches it instead of checking the rows again, so the"
                        + " referenced table(s) are held for an instant only", keys.stream().map(fk -> ddl.addForeignKey(s, fk)).toList(), locks, 0)
                .withRequires(keys.stream().map(fk -> Requirement.references(fk.references())).toList()));
    }

    /** What a failed step leaves in place once the first step has run, and how to go on. */
    private String leftBehind() {
        TableName t = state.name();
        return "The conversion is unfinished; left in place by the steps before: " + names.shadow().sql() + " with its partitions and"
                + " the progress record " + names.progress().sql() + (offline ? "" : ", and on " + t + " the capture triggers "
                + Sql.ident(ConvertNames.CAPTURE_TRIGGER) + " and " + Sql.ident(ConvertNames.TRUNCATE_GUARD) + ", which log every write of"
                + " the application into " + names.changeLog().sql() + " until the conversion completes or is abandoned") + "; " + t
                + " and its rows are unchanged. Fix the cause and run `mvn partition:convert` again to continue from here, or run"
                + " `mvn partition:convert -Dpartition.abandon` to remove all of it.";
    }

    private Step prepare() {
        TableName t = state.name();
        TableName s = names.shadow();
        List<PartitionedTableDdl.Partition> partitions = ddl.partitions(ddl.oldestDay());
        List<String> sql = new ArrayList<>();
        sql.add(ddl.createLike(s, t));
        sql.addAll(facts.carried().parentStatistics(s));
        sql.addAll(ddl.keyNotNull(s, server.namesNotNullConstraints()));
        sql.addAll(changes.statements(s));
        partitions.forEach(p -> {
            sql.add(ddl.createPartitionWithoutAutovacuum(s, p));
            sql.addAll(facts.carried().partitionStatistics(p.name()));
        });
        if (ddl.nullTimes()) {
            sql.addAll(NullTimes.createPartition(s, ddl.nullTimesPartition(), policy.column(), ddl.unlogged(), ddl.withoutAutovacuum()));
            sql.addAll(facts.carried().partitionStatistics(ddl.nullTimesPartition()));
        }
        sql.addAll(ddl.privileges(s));
        partitions.forEach(p -> sql.addAll(ddl.ownerAndGrants(p.name())));
        if (ddl.nullTimes()) {
            sql.addAll(ddl.ownerAndGrants(ddl.nullTimesPartition()));
        }
        sql.addAll(facts.carried().onCreate(s));
        sql.addAll(names.createProgress("copy", options.offline()));
        List<Lock> locks = new ArrayList<>(List.of(new Lock(s, LockMode.ACCESS_EXCLUSIVE)));
        List<TableName> creates = new ArrayList<>(List.of(s, names.progress()));
        partitions.forEach(p -> creates.add(p.name()));
        if (ddl.nullTimes()) {
            creates.add(ddl.nullTimesPartition());
        }
        String why = "the partitioned table is built beside " + t + ", which stays in use; partitions: "
                + String.join(", ", partitions.stream().map(PartitionedTableDdl.Partition::describe).toList()) + ddl.keyNotNullReason()
                + ddl.persistenceReason() + changes.reason(t);
        if (!options.offline()) {
            sql.addAll(transfer.captureDdl());
            locks.add(new Lock(t, LockMode.SHARE_ROW_EXCLUSIVE));
            creates.add(names.changeLog());
            why += "; a trigger on " + t + " logs the key of every row inserted, updated or deleted from now on into "
                    + names.changeLog().sql() + " (and refuses TRUNCATE), before the first row is copied";
        }
        return Step.transactional(Goal.CONVERT, t, "create " + s.sql() + " partitioned by range on " + policy.column() + " with "
                + partitions.size() + (ddl.unlogged() ? " UNLOGGED" : "") + " partition(s), autovacuum off until the swap" + (options.offline() ? "" : ", and capture changes to " + t), why, sql, locks, 0)
                .withCreates(creates);
    }

    private Step copy() {
        TableName t = state.name();
        long done = facts.progress().map(ConvertFacts.Progress::copiedRows).orElse(0L);
        long rows = Math.max(0, facts.stats().rows() - done);
        Duration estimate = Duration.ofMillis(Math.max(1, state.bytes() * 1000 / COPY_BYTES_PER_SECOND * rows / Math.max(1, facts.stats().rows())))
                .plus(options.copyPause().multipliedBy((rows + options.batchSize() - 1) / options.batchSize() / options.copySessions()));
        if (offline) {
            return Step.transactional(Goal.CONVERT, t, "copy all rows of " + t + " into " + names.shadow().sql() + " in one statement",
                    "offline: nothing captures changes, so one INSERT ... SELECT is the fastest copy", List.of(transfer.copyAll(),
                            "UPDATE " + names.progress().sql() + " SET copy_done = true"),
                    List.of(new Lock(t, LockMode.ACCESS_SHARE), new Lock(names.shadow(), LockMode.ROW_EXCLUSIVE)), rows).withEstimate(estimate);
        }
        int resumed = facts.progress().map(ConvertFacts.Progress::copiedBatches).orElse(0);
        int sessions = options.copySessions();
        Optional<Throttle> health = throttle(options.throttle());
        return Step.autocommit(Goal.CONVERT, t, "copy the rows of " + t + " into " + names.shadow().sql() + " in batches of "
                        + options.batchSize() + " consecutive " + transfer.key() + "s, " + sessions + " batch(es) at a time"
                        + (resumed > 0 ? ", skipping the " + resumed + " batch(es) already copied" : ""),
                "each batch is one short transaction that also records its key range, so a killed run resumes with the ranges"
                        + " not recorded; " + sessions + " session(s) copy at once" + (sessions > 1 ? ", taking ranges from as many regions of an"
                        + " integer key in turn so that they fill different partitions" : "") + (server.hintBitsLogged()
                        ? "; each session then reads the pages its batch filled, setting the rows' hint bits before a checkpoint would"
                        + " make the first index build write them to the WAL again (data_checksums or wal_log_hints is on)"
                        : "; the rows' hint bits are left to the first index build: with data_checksums and wal_log_hints off they"
                        + " never go to the WAL, and reading the pages back would only cost time")
                        + (options.copyPause().isZero() ? "" : "; each session waits " + Durations.format(options.copyPause())
                        + " after each batch (<copyPause>), leaving the disk to the application's commits")
                        + throttled(health, "batches") + "; reads and writes on " + t + " continue",
                probed(batchStatements(), health, "batches"),
                List.of(new Lock(t, LockMode.ACCESS_SHARE), new Lock(names.shadow(), LockMode.ROW_EXCLUSIVE)), rows)
                .withWork(new BatchCopy(transfer, names.progress(), options.batchSize(), sessions, facts.stats().rows(), server.hintBitsLogged(),
                        options.copyPause(), health))
                .withEstimate(estimate);
    }

    /** A throttle with {@code limits}, if they look at anything. */
    private Optional<Throttle> throttle(ThrottleLimits limits) {
        return limits.any() ? Optional.of(new Throttle(limits, state.name(), server.readsAllStats())) : Optional.empty();
    }

    private static String throttled(Optional<Throttle> health, String units) {
        return health.map(h -> "; between " + units + " it " + h.describe()).orElse("");
    }

    private static List<String> probed(List<String> sql, Optional<Throttle> health, String units) {
        List<String> out = new ArrayList<>(sql);
        health.ifPresent(h -> out.add(h.probe() + " -- between " + units + " (at most once a second unless <maxWalRate> is set):"
                + " the WAL position, standbys behind, WAL waiting for the archive, autovacuum"));
        return out;
    }

    private List<String> batchStatements() {
        List<String> sql = new ArrayList<>();
        sql.add(BatchCopy.Ranges.INTEGER_KEYS.contains(transfer.keyType()) ? transfer.keySpan()
                + " -- then ranges of a fixed width if at least every other key is used, else: " + transfer.batchEnd(false)
                : transfer.batchEnd(false));
        sql.add(transfer.copyRange(true, true));
        sql.addAll(BatchCopy.RECORD_SETTINGS);
        sql.add(String.format(BatchCopy.RECORD_RANGE_SQL, names.progress().sql()));
        if (!server.hintBitsLogged()) {
            return sql;
        }
        sql.add(transfer.targetPages() + " -- before each batch and after its commit");
        sql.add("SELECT pg_catalog.count(*) FROM ONLY <partition> WHERE ctid >= '(<pages before>,0)'::tid AND ctid < '(<pages after>,0)'::tid"
                + " -- for each partition the batch added pages to: sets the hint bits of its rows");
        return sql;
    }

    /**
     * The keys and indexes, built after the bulk copy (faster than maintaining them row by row): each defined on the
     * partitioned table alone (instantly; invalid until complete), then built on every partition and attached to it.
     */
    private List<Step> indexSteps() {
        TableName t = state.name();
        TableName s = names.shadow();
        List<PartitionIndexBuild.ParentIndex> indexes = new ArrayList<>();
        List<String> define = new ArrayList<>();
        List<String> why = new ArrayList<>();
        int ordinal = 0;
        for (ConvertFacts.IndexDef index : ddl.allIndexes()) {
            ordinal++;
            String name = ConvertNames.building(index.name());
            Optional<Boolean> valid = facts.object(s, name);
            if (valid.orElse(false)) {
                continue;
            }
            indexes.add(new PartitionIndexBuild.ParentIndex(index, name, ordinal));
            if (valid.isEmpty()) {
                define.add(ddl.defineOnParentOnly(s, index, name));
                define.addAll(ddl.comments(s, index, name));
            }
            if (index.constraint().isPresent() && !index.columns().contains(policy.column())) {
                why.add("the " + (index.primary() ? "primary key" : "unique key") + " (" + String.join(", ", index.columns()) + ") of " + t
                        + " becomes (" + String.join(", ", ddl.keyColumns(index)) + "): a partitioned table's unique keys must include"
                        + " the partition column, so it keeps " + ConvertPlanner.onlyExtendedUnique(String.join(", ", index.columns()),
                        policy.column()));
            }
        }
        int sessions = options.copySessions();
        List<String> columns = facts.columns().stream().map(ConvertFacts.ColumnDef::name).toList();
        if (indexes.isEmpty()) {
            return unanalyzed(new PartitionIndexBuild(s, ddl, List.of(), columns, sessions, Optional.empty()));
        }
        List<Step> steps = new ArrayList<>();
        String what = indexes.size() + " key(s) and index(es) (" + String.join(", ", indexes.stream().map(i -> Sql.ident(i.name())).toList()) + ")";
        if (!define.isEmpty()) {
            steps.add(Step.transactional(Goal.CONVERT, t, "define the " + what + " on " + s.sql() + " alone",
                    "the same as " + t + "'s; defined on the partitioned table only, they are complete once every partition's own is"
                            + " attached" + (why.isEmpty() ? "" : "; " + String.join("; ", why)),
                    define, List.of(new Lock(s, LockMode.ACCESS_EXCLUSIVE)), 0));
        }
        // the index builds read only the new table, whose autovacuum is off until the swap
        Optional<Throttle> health = throttle(options.throttle().withoutAutovacuum());
        PartitionIndexBuild build = new PartitionIndexBuild(s, ddl, indexes, columns, sessions, health);
        List<String> sql = new ArrayList<>();
        List<Lock> locks = new ArrayList<>();
        List<TableName> partitions = new ArrayList<>(ddl.partitions(ddl.oldestDay()).stream().map(PartitionedTableDdl.Partition::name).toList());
        if (ddl.nullTimes()) {
            partitions.add(ddl.nullTimesPartition());
        }
        for (TableName p : partitions) {
            sql.addAll(build.statements(p, Set.of()));
            List<String> analyze = build.analyze(p);
            sql.add("-- after the commit, in a transaction of its own: " + String.join("; ", analyze));
            locks.add(new Lock(p, LockMode.ACCESS_EXCLUSIVE));
        }
        steps.add(Step.autocommit(Goal.CONVERT, t, "build the " + what + " on each partition of " + s.sql() + ", " + sessions
                        + " partition(s) at a time, attach them and analyze the partition",
                "after the bulk copy, which is faster; one transaction per partition, largest first, so a killed run resumes with the"
                        + " partitions not done; " + sessions + " session(s) build side by side; only the new table is locked. Each"
                        + " partition is then analyzed, its pages still in memory, " + SAMPLE_WHY + throttled(health, "partitions"),
                probed(sql, health, "partitions"), locks, facts.stats().rows())
                .withWork(build)
                .withEstimate(Duration.ofMillis(Math.max(1, facts.stats().rows() * 1000 * indexes.size() / INDEX_ROWS_PER_SECOND / sessions))));
        return steps;
    }

    private static final String SAMPLE_WHY = "from a sample of 3,000 rows, so that the application's first statements after"
            + " the swap are planned with statistics; autovacuum analyzes it in full after the handback";

    /**
     * Every index is built: the samples a killed run did not take. Killed between the last partition's index builds and its
     * sample, a run leaves every index valid, and that partition would go to the application without statistics.
     */
    private List<Step> unanalyzed(PartitionIndexBuild build) {
        List<TableName> partitions = facts.unanalyzed().getOrDefault(names.shadow(), List.of());
        if (partitions.isEmpty()) {
            return List.of();
        }
        return List.of(Step.autocommit(Goal.CONVERT, state.name(), "analyze the " + partitions.size() + " partition(s) of " + names.shadow().sql()
                        + " a killed run indexed but did not analyze",
                "every index is built; each of them is analyzed " + SAMPLE_WHY,
                partitions.stream().map(p -> String.join("; ", build.analyze(p))).toList(),
                partitions.stream().map(p -> new Lock(p, LockMode.SHARE_UPDATE_EXCLUSIVE)).toList(), 0).withWork(build));
    }

    private Step catchUp(long leave, String why) {
        return Step.autocommit(Goal.CONVERT, state.name(), "replay captured changes into " + names.shadow().sql(), why
                        + "; batches of " + ChangeReplay.BATCH + " keys, each taken off the log and replayed in one transaction",
                ChangeReplay.statements(transfer),
                List.of(new Lock(names.changeLog(), LockMode.ROW_EXCLUSIVE), new Lock(names.shadow(), LockMode.ROW_EXCLUSIVE)), 0)
                .withWork((c, log) -> ChangeReplay.catchUp(c, transfer, leave, log));
    }

    private Step verify() {
        Verification v = new Verification(transfer, policy.column(), state.keyType(), policy.interval(), ddl.settings().zone(), !offline,
                facts.rowHash().widened(changes.widenedNames()), abandon());
        TableName s = names.shadow();
        List<String> alongside = new ArrayList<>();
        List<Lock> locks = new ArrayList<>(List.of(new Lock(state.name(), LockMode.ACCESS_SHARE), new Lock(s, LockMode.SHARE_UPDATE_EXCLUSIVE)));
        for (ConvertFacts.ForeignKey fk : ddl.validatedForeignKeys()) {
            // per partition: until the key on the parent takes them over; on 18: until the parent's is validated; else it was
            // checked when added
            boolean unchecked = perPartition(fk) ? facts.object(s, fk.name()).isEmpty()
                    : laterForeignKeyValidation() && !facts.object(s, fk.name()).orElse(false);
            if (unchecked) {
                alongside.add(perPartition(fk) ? ddl.validateForeignKeyOnPartitions(s, fk)
                        : "ALTER TABLE " + s.sql() + " VALIDATE CONSTRAINT " + Sql.ident(fk.name()));
                TableName referenced = ddl.referenced(s, fk);
                if (!referenced.equals(s)) {
                    locks.add(new Lock(referenced, LockMode.ROW_SHARE));
                }
            }
        }
        List<String> sql = new ArrayList<>(v.statements());
        List<StepWork> works = new ArrayList<>();
        if (analyzeParentOnly()) {
            alongside.add("ANALYZE ONLY " + s.sql());
            works.add(AlongsideWork.statements(alongside));
        } else {
            ParentAnalyze parentAnalyze = new ParentAnalyze(s);
            works.add(AlongsideWork.statements(alongside));
            works.add(parentAnalyze);
            alongside.addAll(parentAnalyze.statements());
        }
        alongside.forEach(a -> sql.add("-- meanwhile, on a second session: " + a));
        return Step.autocommit(Goal.CONVERT, state.name(), "verify " + s.sql() + " against " + state.name().sql() + "; meanwhile check its"
                                + " foreign keys and analyze it",
                        "row count and a checksum over all columns per " + policy.interval().unit() + ", both read in one snapshot;"
                                + " a difference stops here with nothing swapped. A second session validates the foreign keys (the referenced"
                                + " tables stay writable) and gathers statistics for the parent, which autovacuum never analyzes, so"
                                + " the first queries after the swap get good plans; "
                                + (analyzeParentOnly() ? "" : "ANALYZE of a partitioned table analyzes every partition too before"
                                + " PostgreSQL 18 (which has ANALYZE ONLY), so a third session holds the partitions meanwhile and"
                                + " ANALYZE (SKIP_LOCKED) skips them; ")
                                + "the partitions were analyzed after their index builds",
                        sql, locks, facts.stats().rows())
                .withWork(new AlongsideWork(v, works))
                .withEstimate(Duration.ofMillis(Math.max(1, 2 * state.bytes() * 1000 / VERIFY_BYTES_PER_SECOND)));
    }

    /** ANALYZE ONLY (18+); before, {@link ParentAnalyze}. The partitions need none here: each was analyzed after its index builds. */
    private boolean analyzeParentOnly() {
        return server.analyzesParentOnly();
    }

    private boolean laterForeignKeyValidation() {
        return server.addsNotValidForeignKeysToPartitionedTables();
    }

    private String abandon() {
        List<String> sql = new ArrayList<>();
        if (!offline) {
            sql.addAll(transfer.dropCapture());
        }
        sql.add("DROP TABLE " + names.shadow().sql() + ", " + names.progress().sql());
        return "`mvn partition:convert -Dpartition.abandon`, which runs " + String.join("; ", sql) + ";";
    }

    /**
     * {@code <widenKeys>}: the serial sequences of widened columns become bigint in a step of their own, so the swap's ACCESS
     * EXCLUSIVE window holds one statement fewer. Harmless to the old table meanwhile: its integer column stops at 2^31 - 1
     * (2,147,483,647) either way; past it nextval would have failed, now the insert does ("integer out of range").
     */
    private Optional<Step> widenSequences() {
        List<String> sql = changes.sequenceStatements();
        if (sql.isEmpty()) {
            return Optional.empty();
        }
        TableName t = state.name();
        List<String> sequences = changes.sequences().stream().map(q -> q.sequence().sql()).toList();
        List<String> columns = changes.sequences().stream().map(q -> Sql.ident(q.column()) + " " + q.type()).toList();
        return Optional.of(Step.transactional(Goal.CONVERT, t, "widen sequence(s) " + String.join(", ", sequences) + " to bigint",
                "<widenKeys>: after the swap they feed the bigint column(s) of the partitioned table; done before the swap so that"
                        + " its ACCESS EXCLUSIVE window holds one statement fewer. Harmless to " + t + ", which they still feed: its "
                        + String.join(", ", columns) + " column(s) stop at the type's largest value (2^31 - 1 = 2147483647 for integer)"
                        + " either way, only the error past it moves from nextval to the insert (out of range). ALTER SEQUENCE ... AS"
                        + " rewrites nothing and holds SHARE ROW EXCLUSIVE on the sequence alone for an instant (nextval waits);"
                        + " `-Dpartition.abandon` and partition:rollback give them their type back",
                sql, changes.sequences().stream().map(q -> new Lock(q.sequence(), LockMode.SHARE_ROW_EXCLUSIVE)).toList(), 0));
    }

    private Step swap() {
        TableName t = state.name();
        TableName s = names.shadow();
        TableName old = names.old();
        List<String> sql = new ArrayList<>();
        List<String> lock = SwapLock.statements(t);
        sql.addAll(lock);
        List<String> after = new ArrayList<>();
        if (!offline) {
            after.addAll(transfer.dropCapture());
        }
        after.add("DROP TABLE " + names.progress().sql());
        after.addAll(ddl.renameIndexes(i -> i, ConvertNames::retired));
        after.addAll(DependentViews.capture(facts));
        after.add("ALTER TABLE " + t.sql() + " RENAME TO " + Sql.ident(old.name()));
        after.add("ALTER TABLE " + s.sql() + " RENAME TO " + Sql.ident(t.name()));
        after.addAll(DependentViews.redefine(facts));
        after.addAll(ddl.renameIndexes(ConvertNames::building, i -> i));
        after.addAll(facts.carried().statisticsNames((i, name) -> ConvertNames.retired(name)));
        after.addAll(ddl.sequenceHandoff(t, old));
        after.addAll(ddl.identitySequenceNames(t));
        after.addAll(facts.carried().onSwap(t, old));
        after.addAll(facts.carried().replicaIdentity(t));
        if (!offline) {
            sql.add("-- replay every change still in " + names.changeLog().sql() + ": " + String.join("; ", ChangeReplay.statements(transfer)));
        }
        sql.addAll(after);
        StepWork work = (Connection c, EngineLog log) -> {
            try (Statement st = c.createStatement()) {
                SwapLock.Held held = SwapLock.take(st, lock);
                long replayed = offline ? 0 : ChangeReplay.drain(c, transfer);
                long drained = System.nanoTime();
                log.debug("swap: last changes replayed under the lock");
                for (String statement : after) {
                    st.execute(statement);
                }
                log.info("      swapped: " + replayed + " last change(s) replayed in " + (drained - held.granted()) / 1_000_000
                        + " ms, names and sequences in " + (System.nanoTime() - drained) / 1_000_000 + " ms; " + held.describe());
            }
        };
        return Step.transactional(Goal.CONVERT, t, "swap: " + t.sql() + " becomes " + old.sql() + ", " + s.sql() + " becomes " + t.sql(),
                        "one short transaction under lock_timeout, retried if the lock is busy: the last captured changes are replayed,"
                                + " names (tables and indexes) are exchanged and sequences continue past the largest id; " + old.sql()
                                + " is kept for rollback" + facts.carried().describe(t) + DependentViews.reason(facts),
                        sql, DependentViews.swapLocks(t, s, facts), 0)
                .withWork(work).withCreates(List.of(old));
    }
}
