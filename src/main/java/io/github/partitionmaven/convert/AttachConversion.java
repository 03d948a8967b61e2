package io.github.partitionmaven.convert;

import io.github.partitionmaven.catalog.KeyType;
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
 * (primary key, partition column) is built CONCURRENTLY; then one short transaction renames the old
 * table, creates the partitioned parent with the same definition and attaches the old table as the
 * partition [MINVALUE, upper) without a scan, followed by new partitions up to the premake window.
 */
final class AttachConversion {

    /** Marks the old table's primary key index, so that partition:rollback knows the primary key to restore. */
    static final String KEY_EXTENDED = "partition-maven-plugin: strategy attach extended the primary key with the partition column";
    static final String KEY_KEPT = "partition-maven-plugin: strategy attach kept the primary key, which included the partition column";

    private final TablePolicy policy;
    private final TableState state;
    private final ConvertFacts facts;
    private final ConvertNames names;
    private final RunSettings settings;
    private final PartitionedTableDdl ddl;

    AttachConversion(TablePolicy policy, TableState state, ConvertFacts facts, ConvertNames names, RunSettings settings, boolean unlogged) {
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
            List<String> cols = new ArrayList<>(facts.primaryKey().stream().map(ConvertFacts.Column::name).toList());
            if (!cols.contains(policy.column())) {
                cols.add(policy.column());
            }
            List<String> sql = new ArrayList<>(List.of("SET lock_timeout = 0"));
            if (facts.object(t, keyIndex).isPresent()) {
                sql.add("DROP INDEX CONCURRENTLY " + new TableName(t.schema(), keyIndex).sql());
            }
            sql.add("CREATE UNIQUE INDEX CONCURRENTLY " + Sql.ident(keyIndex) + " ON " + t.sql() + " (" + Sql.identList(cols) + ")");
            steps.add(Step.autocommit(Goal.CONVERT, t, "build unique index " + Sql.ident(keyIndex) + " (" + String.join(", ", cols) + ") on " + t,
                    "the primary key becomes (" + String.join(", ", cols) + "): a partitioned table's primary key must include the"
                            + " partition column; built CONCURRENTLY, reads and writes continue", sql,
                    List.of(new Lock(t, LockMode.SHARE_UPDATE_EXCLUSIVE)), facts.stats().rows()));
        }
        steps.add(swap(upper, hi));
        String bound2 = Sql.ident(bound);
        Step.Failure failure = new Step.Failure("The attach is unfinished; left in place on " + t + " by the steps before: CHECK " + bound2
                + " (it refuses rows at or after " + upper + " until the swap)" + (facts.object(t, keyIndex).isPresent() || steps.size() > 2
                ? " and possibly the unique index " + Sql.ident(keyIndex) : "") + ". Fix the cause and run `mvn partition:convert` again to"
                + " continue, or `mvn partition:convert -Dpartition.abandon` to remove them.", java.util.Optional.empty());
        boolean first = facts.object(t, bound).isEmpty();
        for (int i = first ? 1 : 0; i < steps.size(); i++) {
            steps.set(i, steps.get(i).withFailure(failure));
        }
        List<Finding> findings = List.of(Finding.info(names.old() + " will hold every existing row as the partition [MINVALUE, " + upper
                + "); retention ages it out as a whole once " + upper + " is past the retention period."));
        return new TablePlan(policy, state, steps, findings);
    }

    private Step swap(LocalDate upper, String hi) {
        TableName t = state.name();
        TableName old = names.old();
        String k = ddl.key();
        List<String> sql = new ArrayList<>();
        List<String> lock = SwapLock.statements(t);
        sql.addAll(lock);
        if (!state.keyColumn().notNull()) {
            sql.add("ALTER TABLE " + t.sql() + " ALTER COLUMN " + k + " SET NOT NULL");
        }
        sql.add("ALTER TABLE " + t.sql() + " RENAME TO " + Sql.ident(old.name()));
        sql.addAll(ddl.renameIndexes(i -> i, ConvertNames::retired));
        sql.add(ddl.createLike(t, old));
        sql.add("ALTER TABLE " + t.sql() + " DROP CONSTRAINT " + Sql.ident(names.boundConstraint()));
        for (ConvertFacts.IndexDef index : ddl.keyIndexes()) {
            sql.add(ddl.addKey(t, index, index.name()));
        }
        facts.primaryKey().stream().findFirst().ifPresent(pk -> {
            String pkName = facts.primaryKeyName().orElseThrow();
            sql.add("ALTER TABLE " + old.sql() + " DROP CONSTRAINT " + Sql.ident(ConvertNames.retired(pkName)));
            sql.add("ALTER TABLE " + old.sql() + " ADD CONSTRAINT " + Sql.ident(ConvertNames.retired(pkName)) + " PRIMARY KEY USING INDEX "
                    + Sql.ident(names.attachKeyIndex()));
            sql.add("COMMENT ON INDEX " + new TableName(t.schema(), ConvertNames.retired(pkName)).sql() + " IS " + Sql.literal(
                    facts.primaryKey().stream().anyMatch(c -> c.name().equals(policy.column())) ? KEY_KEPT : KEY_EXTENDED));
        });
        for (ConvertFacts.IndexDef index : ddl.otherIndexes()) {
            sql.add(ddl.createIndex(t, index, index.name()));
        }
        for (ConvertFacts.ForeignKey fk : facts.foreignKeys()) {
            sql.add(ddl.addForeignKey(t, fk));
        }
        sql.addAll(ddl.privileges(t));
        sql.addAll(facts.carried().onCreate(t));
        // the parent's row triggers are cloned onto every partition it attaches: the old table's own would fire twice
        facts.carried().triggers().forEach(tr -> sql.add("DROP TRIGGER " + Sql.ident(tr.name()) + " ON " + old.sql()));
        sql.addAll(facts.carried().onSwap(t, old));
        sql.addAll(ddl.sequenceHandoff(t, old));
        for (ConvertFacts.SequenceColumn s : facts.sequences()) {
            if (s.identity()) {
                sql.add("ALTER TABLE " + old.sql() + " ALTER COLUMN " + Sql.ident(s.column()) + " DROP IDENTITY");
            }
        }
        sql.add("ALTER TABLE " + t.sql() + " ATTACH PARTITION " + old.sql() + " FOR VALUES FROM (MINVALUE) TO (" + hi + ")");
        List<PartitionedTableDdl.Partition> partitions = ddl.partitions(upper);
        for (PartitionedTableDdl.Partition p : partitions) {
            sql.add(ddl.createPartition(t, p));
            sql.addAll(ddl.ownerAndGrants(p.name()));
        }
        sql.addAll(facts.carried().replicaIdentity(t));
        List<TableName> creates = new ArrayList<>(List.of(old));
        partitions.forEach(p -> creates.add(p.name()));
        StepWork work = (Connection c, EngineLog log) -> {
            try (Statement st = c.createStatement()) {
                SwapLock.Held held = SwapLock.take(st, lock);
                log.debug("swap: locked " + t);
                for (String statement : sql.subList(lock.size(), sql.size())) {
                    st.execute(statement);
                }
                log.info("      swapped: " + held.describe());
            }
        };
        return Step.transactional(Goal.CONVERT, t, "swap: " + t.sql() + " becomes partition " + old.sql() + " [MINVALUE, " + upper
                        + ") of a new partitioned " + t.sql() + ", plus " + partitions.size() + (ddl.unlogged() ? " UNLOGGED" : "") + " partition(s) up to "
                        + ConvertCatalogReader.futureLimit(policy, settings),
                "one short transaction under lock_timeout, retried if busy: ATTACH finds the validated CHECK and skips its scan,"
                        + " the unique index becomes the partition's primary key; milliseconds at any size"
                        + (state.keyColumn().notNull() ? "" : "; " + k + " allows NULL on " + t + " but holds none, so it becomes NOT NULL"
                        + " (a partitioned table's keys include it): the validated CHECK proves it without a scan")
                        + facts.carried().describe(t) + ddl.persistenceReason(), sql,
                List.of(new Lock(t, LockMode.ACCESS_EXCLUSIVE)), 0).withWork(work).withCreates(creates);
    }
}
