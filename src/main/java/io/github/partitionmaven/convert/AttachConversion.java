package io.github.partitionmaven.convert;

import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.catalog.ServerInfo;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.plan.Finding;
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

/**
 * Strategy attach: no row is copied. A NOT VALID CHECK bounds the key column of the old table and
 * is validated under SHARE UPDATE EXCLUSIVE (reads and writes continue); a unique index on
 * (primary key, partition column) is built CONCURRENTLY; the partitioned successor ({@code t_new}) is
 * built beside the table with every index, key, foreign key, grant and the partitions after the old
 * table's range, and the old table's indexes take their {@code _old} names (SHARE UPDATE EXCLUSIVE);
 * then one short transaction renames both tables and attaches the old one as the partition
 * [MINVALUE, upper): its CHECK spares the scan and each of its indexes becomes the partition of the
 * parent's equal one, so only catalog rows change under the lock whatever the number of indexes.
 */
final class AttachConversion {

    /** Marks the old table's primary key index, so that partition:rollback knows the primary key to restore. */
    static final String KEY_EXTENDED = "partition-maven-plugin: strategy attach extended the primary key with the partition column";
    static final String KEY_KEPT = "partition-maven-plugin: strategy attach kept the primary key, which included the partition column";
    /** Appended to the mark when the swap made the partition column NOT NULL, so that partition:rollback makes it nullable again. */
    static final String NOT_NULL_ADDED = "; it made the partition column NOT NULL";

    private final TablePolicy policy;
    private final TableState state;
    private final ConvertFacts facts;
    private final ConvertNames names;
    private final RunSettings settings;
    private final PartitionedTableDdl ddl;
    private final ServerInfo server;

    AttachConversion(TablePolicy policy, TableState state, ConvertFacts facts, ConvertNames names, RunSettings settings, ServerInfo server,
                     boolean unlogged) {
        this.server = server;
        this.policy = policy;
        this.state = state;
        this.facts = facts;
        this.names = names;
        this.settings = settings;
        this.ddl = new PartitionedTableDdl(policy, state, facts, settings, unlogged);
    }

    /** The old table's upper bound: the interval after the newest row and after today. */
    private LocalDate upper() {
        LocalDate today = settings.now().toLocalDate();
        LocalDate newest = facts.stats().max().map(m -> state.keyType().dayOf(m, settings.zone())).orElse(today);
        LocalDate last = newest.isAfter(today) ? newest : today;
        return policy.interval().next(policy.interval().floor(last));
    }

    TablePlan plan() {
        TableName t = state.name();
        String k = ddl.key();
        KeyType type = state.keyType();
        LocalDate upper = upper();
        String hi = type.literal(upper, settings.zone());
        List<Step> steps = new ArrayList<>();
        String bound = names.boundConstraint();
        if (!facts.exists(names.progress())) {
            steps.add(Step.transactional(Goal.CONVERT, t, "record the attach of " + t + " in " + names.progress(),
                    "so that `mvn partition:plan` and `partition:check` show the unfinished attach (started when, last error) until the swap"
                            + " drops it", names.createProgress("attach", false), List.of(new Lock(names.progress(), LockMode.ACCESS_EXCLUSIVE)), 0));
        }
        if (facts.object(t, bound).isEmpty()) {
            steps.add(Step.transactional(Goal.CONVERT, t, "add CHECK " + Sql.ident(bound) + " (" + policy.column() + " < " + upper + ") NOT VALID to " + t,
                    "proves later that every row fits the partition [MINVALUE, " + upper + "); NOT VALID checks only new rows, so no scan"
                            + " happens under the lock (new rows at or after " + upper + " are refused until the swap)",
                    List.of("ALTER TABLE " + t.sql() + " ADD CONSTRAINT " + Sql.ident(bound) + " CHECK (" + k + " IS NOT NULL AND " + k + " < " + hi
                            + ") NOT VALID"), List.of(new Lock(t, LockMode.ACCESS_EXCLUSIVE)), 0));
        }
        if (!facts.object(t, bound).orElse(false)) {
            steps.add(Step.autocommit(Goal.CONVERT, t, "validate " + Sql.ident(bound) + " on " + t,
                    "scans the table under SHARE UPDATE EXCLUSIVE: reads and writes continue", List.of("SET lock_timeout = 0",
                            "ALTER TABLE " + t.sql() + " VALIDATE CONSTRAINT " + Sql.ident(bound)),
                    List.of(new Lock(t, LockMode.SHARE_UPDATE_EXCLUSIVE)), facts.stats().rows()));
        }
        String keyIndex = names.attachKeyIndex();
        if (!facts.primaryKey().isEmpty() && !facts.object(t, keyIndex).orElse(false)) {
            List<String> key = facts.primaryKey().stream().map(ConvertFacts.Column::name).toList();
            List<String> cols = new ArrayList<>(key);
            if (!cols.contains(policy.column())) {
                cols.add(policy.column());
            }
            List<String> sql = new ArrayList<>(List.of("SET lock_timeout = 0"));
            if (facts.object(t, keyIndex).isPresent()) {
                sql.add("DROP INDEX CONCURRENTLY " + new TableName(t.schema(), keyIndex).sql());
            }
            // beside the primary key it takes over, as that is (INCLUDE, storage, tablespace): the parent's key is defined so
            sql.add("CREATE UNIQUE INDEX CONCURRENTLY " + Sql.ident(keyIndex) + " ON " + t.sql() + " (" + Sql.identList(cols) + ")"
                    + facts.indexes().stream().filter(ConvertFacts.IndexDef::primary).findFirst().map(ConvertFacts.IndexDef::indexOptions).orElse(""));
            steps.add(Step.autocommit(Goal.CONVERT, t, "build unique index " + Sql.ident(keyIndex) + " (" + String.join(", ", cols) + ") on " + t,
                    "the primary key becomes (" + String.join(", ", cols) + "): a partitioned table's primary key must include the"
                            + " partition column" + (key.contains(policy.column()) ? "" : ", so it keeps "
                            + ConvertPlanner.onlyExtendedUnique(String.join(", ", key), policy.column())) + "; built CONCURRENTLY, reads and"
                            + " writes continue", sql,
                    List.of(new Lock(t, LockMode.SHARE_UPDATE_EXCLUSIVE)), facts.stats().rows()));
        }
        if (!facts.exists(names.shadow())) {
            steps.add(successor(upper));
        }
        steps.add(swap(upper, hi));
        String bound2 = Sql.ident(bound);
        Step.Failure failure = new Step.Failure("The attach is unfinished; left in place by the steps before: the progress record "
                + names.progress() + ", CHECK " + bound2 + " on " + t + " (it refuses rows at or after " + upper + " until the swap)"
                + ", possibly the unique index " + Sql.ident(keyIndex) + " and the partitioned " + names.shadow() + " (with "
                + t + "'s indexes renamed to <name>_old). Fix the cause and run `mvn partition:convert` again to continue, or"
                + " `mvn partition:convert -Dpartition.abandon` to remove them.", java.util.Optional.of(names.progress()));
        boolean first = !facts.exists(names.progress());
        for (int i = first ? 1 : 0; i < steps.size(); i++) {
            steps.set(i, steps.get(i).withFailure(failure));
        }
        List<Finding> findings = new ArrayList<>(List.of(Finding.info(names.old() + " will hold every existing row as the partition [MINVALUE, "
                + upper + "); retention ages it out as a whole once " + upper + " is past the retention period.")));
        facts.progress().ifPresent(p -> findings.add(0, Finding.warning("Unfinished conversion of " + t + " (strategy attach): started "
                + p.startedAt() + p.lastError().map(e -> "; last error: " + e).orElse("") + "; next step: " + steps.get(0).action()
                + ". Until the swap, CHECK " + bound2 + " refuses rows at or after " + upper + ". `mvn partition:convert` continues it;"
                + " `mvn partition:convert -Dpartition.abandon` removes it.")));
        return new TablePlan(policy, state, steps, findings);
    }

    /**
     * The partitioned successor, built beside the live table in one transaction: its columns, keys, indexes, foreign keys,
     * grants and the partitions from {@code upper} on, none of which touches a row of the old table. The old table's indexes
     * give up their names to the successor's here, not under the swap's lock: renaming an index takes SHARE UPDATE EXCLUSIVE
     * since PostgreSQL 12 (reads and writes continue), while under ACCESS EXCLUSIVE each rename and each index created cost
     * ~1 ms on Temporal's 36-index executions_visibility, the 291-350 ms the issue measured with 74 indexes.
     */
    private Step successor(LocalDate upper) {
        TableName t = state.name();
        TableName shadow = names.shadow();
        List<String> sql = new ArrayList<>();
        List<String> renamed = new ArrayList<>();
        for (ConvertFacts.IndexDef index : ddl.otherIndexes()) {
            sql.add(ddl.renameIndex(index.name(), ConvertNames.retired(index.name())));
            renamed.add(Sql.ident(index.name()));
        }
        sql.add(ddl.createLike(shadow, t));
        sql.addAll(facts.carried().parentStatistics(shadow));
        sql.add("ALTER TABLE " + shadow.sql() + " DROP CONSTRAINT " + Sql.ident(names.boundConstraint()));
        sql.addAll(ddl.keyNotNull(shadow, server.namesNotNullConstraints()));
        for (ConvertFacts.IndexDef index : ddl.keyIndexes()) {
            sql.add(ddl.addKey(shadow, index, ConvertNames.building(index.name())));
            sql.addAll(ddl.comments(shadow, index, ConvertNames.building(index.name())));
        }
        for (ConvertFacts.IndexDef index : ddl.otherIndexes()) {
            sql.add(ddl.createIndex(shadow, index, index.name()));
            sql.addAll(ddl.comments(shadow, index, index.name()));
        }
        for (ConvertFacts.ForeignKey fk : facts.foreignKeys()) {
            sql.add(ddl.addForeignKey(shadow, fk));
        }
        sql.addAll(ddl.privileges(shadow));
        sql.addAll(facts.carried().onCreate(shadow));
        List<PartitionedTableDdl.Partition> partitions = ddl.partitions(upper);
        for (PartitionedTableDdl.Partition p : partitions) {
            sql.add(ddl.createPartition(shadow, p));
            sql.addAll(facts.carried().partitionStatistics(p.name()));
            sql.addAll(ddl.ownerAndGrants(p.name()));
        }
        List<Lock> locks = new ArrayList<>(List.of(new Lock(t, LockMode.SHARE_UPDATE_EXCLUSIVE), new Lock(shadow, LockMode.ACCESS_EXCLUSIVE)));
        facts.foreignKeys().stream().map(ConvertFacts.ForeignKey::references).distinct()
                .forEach(r -> locks.add(new Lock(r, LockMode.SHARE_ROW_EXCLUSIVE)));
        List<TableName> creates = new ArrayList<>(List.of(shadow));
        partitions.forEach(p -> creates.add(p.name()));
        return Step.transactional(Goal.CONVERT, t, "build the partitioned " + shadow + " beside " + t + " with its " + ddl.allIndexes().size()
                        + " key(s) and index(es), " + facts.foreignKeys().size() + " foreign key(s) and " + partitions.size()
                        + " partition(s) from " + upper + " up to " + ConvertCatalogReader.futureLimit(policy, settings),
                "no row is read; " + (renamed.isEmpty() ? "" : t + "'s indexes " + String.join(", ", renamed) + " are renamed to <name>_old"
                        + " (SHARE UPDATE EXCLUSIVE on each: reads and writes continue) so that the new ones carry their names, ")
                        + "so that the swap's lock only renames and attaches; the keys are named <name>_new until the swap"
                        + ddl.keyNotNullReason(), sql, locks, 0).withCreates(creates);
    }

    private Step swap(LocalDate upper, String hi) {
        TableName t = state.name();
        TableName old = names.old();
        TableName shadow = names.shadow();
        String k = ddl.key();
        List<String> sql = new ArrayList<>();
        List<String> lock = SwapLock.statements(t);
        sql.addAll(lock);
        if (!state.keyColumn().notNull()) {
            sql.add("ALTER TABLE " + t.sql() + " ALTER COLUMN " + k + " SET NOT NULL");
        }
        sql.addAll(DependentViews.capture(facts));
        sql.add("ALTER TABLE " + t.sql() + " RENAME TO " + Sql.ident(old.name()));
        for (ConvertFacts.IndexDef index : ddl.keyIndexes()) {
            sql.add(ddl.renameIndex(index.name(), ConvertNames.retired(index.name())));
        }
        sql.add("ALTER TABLE " + shadow.sql() + " RENAME TO " + Sql.ident(t.name()));
        sql.addAll(DependentViews.redefine(facts));
        for (ConvertFacts.IndexDef index : ddl.keyIndexes()) {
            sql.add(ddl.renameIndex(ConvertNames.building(index.name()), index.name()));
        }
        facts.primaryKey().stream().findFirst().ifPresent(pk -> {
            String pkName = facts.primaryKeyName().orElseThrow();
            sql.add("ALTER TABLE " + old.sql() + " DROP CONSTRAINT " + Sql.ident(ConvertNames.retired(pkName)));
            sql.add("ALTER TABLE " + old.sql() + " ADD CONSTRAINT " + Sql.ident(ConvertNames.retired(pkName)) + " PRIMARY KEY USING INDEX "
                    + Sql.ident(names.attachKeyIndex()));
            sql.add("COMMENT ON INDEX " + new TableName(t.schema(), ConvertNames.retired(pkName)).sql() + " IS " + Sql.literal(
                    (facts.primaryKey().stream().anyMatch(c -> c.name().equals(policy.column())) ? KEY_KEPT : KEY_EXTENDED)
                            + (state.keyColumn().notNull() ? "" : NOT_NULL_ADDED)));
        });
        // the parent's row triggers are cloned onto every partition it attaches: the old table's own would fire twice
        facts.carried().triggers().forEach(tr -> sql.add("DROP TRIGGER " + Sql.ident(tr.name()) + " ON " + old.sql()));
        sql.addAll(facts.carried().onSwap(t, old));
        // the old table, attached as the first partition, keeps its extended statistics under a partition's names
        sql.addAll(facts.carried().statisticsNames((i, name) -> ConvertNames.partitionStatistics(old, i)));
        sql.addAll(ddl.sequenceHandoff(t, old));
        for (ConvertFacts.SequenceColumn s : facts.sequences()) {
            if (s.identity()) {
                sql.add("ALTER TABLE " + old.sql() + " ALTER COLUMN " + Sql.ident(s.column()) + " DROP IDENTITY");
            }
        }
        sql.add("ALTER TABLE " + t.sql() + " ATTACH PARTITION " + old.sql() + " FOR VALUES FROM (MINVALUE) TO (" + hi + ")");
        // only now: ATTACH needs the validated CHECK to skip its scan of every row under the lock (dropped before it, the swap
        // held ACCESS EXCLUSIVE 1.9 s on the seed's 2M rows); from here the partition constraint says the same
        sql.add("ALTER TABLE " + old.sql() + " DROP CONSTRAINT " + Sql.ident(names.boundConstraint()));
        sql.addAll(facts.carried().replicaIdentity(t));
        sql.add("DROP TABLE " + names.progress().sql());
        StepWork work = (Connection c, EngineLog log) -> {
            try (Statement st = c.createStatement()) {
                SwapLock.Held held = SwapLock.take(st, lock);
                log.debug("swap: locked " + t);
                // sent together in one round trip: one by one, the lock also lasts while the client reads each reply and sends the
                // next statement, 0.1-0.2 ms each on an idle machine, more on a busy one (Temporal's 75 indexes, 12 statements,
                // a loaded 2-core machine: 52-60 ms held in 2 of 4 runs one by one, 17-25 ms in 3 runs together). The server
                // runs them in order and stops at the first error.
                st.execute(String.join(";\n", sql.subList(lock.size(), sql.size())));
                log.info("      swapped: " + held.describe());
            }
        };
        return Step.transactional(Goal.CONVERT, t, "swap: " + t.sql() + " becomes partition " + old.sql() + " [MINVALUE, " + upper
                        + ") of the partitioned " + shadow.sql() + ", which takes the name " + t.sql(),
                "one short transaction under lock_timeout, retried if busy, that changes catalog rows only: ATTACH finds the validated"
                        + " CHECK (dropped right after) and skips its scan, each index of the old table becomes the partition of the"
                        + " parent's equal one (none is built), the unique index becomes the partition's primary key; milliseconds at any"
                        + " size and any number of indexes"
                        + (state.keyColumn().notNull() ? "" : "; " + k + " allows NULL on " + t + " but holds none, so it becomes NOT NULL"
                        + " (a partitioned table's keys include it): the validated CHECK proves it without a scan")
                        + facts.carried().describe(t) + DependentViews.reason(facts) + ddl.persistenceReason(), sql,
                DependentViews.swapLocks(t, shadow, facts), 0).withWork(work)
                .withCreates(List.of(old));
    }
}
