package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.Jdbc;
import io.github.partitionmaven.catalog.PartitionInfo;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.plan.LockMode;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.plan.TablePlan;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.core.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Undoes strategy attach while the old table is still the partition [MINVALUE, upper): the rows
 * written since the swap are in the old partition already or in the newer partitions. One short
 * transaction under lock_timeout locks the partitioned table, copies the rows of every newer
 * partition into the old table once it is detached, checks that every one arrived, hands the
 * sequences back, drops the partitioned table and gives the old table its name, index names and
 * primary key back. Moving rows under ACCESS EXCLUSIVE stalls the application, so more rows than
 * {@link ConvertOptions#rollbackMaxRows()} are refused.
 */
final class AttachRollback {

    private static final Pattern UPPER_BOUND = Pattern.compile(" TO \\((.+)\\)$");

    private final TablePolicy policy;
    private final TableState state;
    private final ConvertFacts facts;
    private final AttachRollbackFacts rollback;
    private final ConvertNames names;
    private final long maxRows;

    AttachRollback(TablePolicy policy, TableState state, ConvertFacts facts, AttachRollbackFacts rollback, ConvertNames names, long maxRows) {
        this.policy = policy;
        this.state = state;
        this.facts = facts;
        this.rollback = rollback;
        this.names = names;
        this.maxRows = maxRows;
    }

    TablePlan plan() {
        PartitionInfo old = refuse();
        List<Step> steps = new ArrayList<>();
        Optional<List<String>> key = originalKey();
        if (key.isPresent() && !facts.object(names.old(), names.rollbackKeyIndex()).orElse(false)) {
            steps.add(buildKey(key.get(), old));
        }
        steps.add(swapBack(old, key.isPresent()));
        List<Finding> findings = new ArrayList<>();
        if (notNullAdded()) {
            findings.add(Finding.info(Sql.ident(policy.column()) + " allowed NULL on " + state.name() + " before the attach made it NOT NULL;"
                    + " the rollback makes it nullable again."));
        } else if (primaryKeyIndex().flatMap(AttachRollbackFacts.PartitionIndex::comment).isEmpty()) {
            findings.add(Finding.info(Sql.ident(policy.column()) + " stays NOT NULL on " + state.name() + ": every partitioned table needs it,"
                    + " and without a primary key the attach left no mark telling whether it allowed NULL before. If it did: ALTER TABLE "
                    + state.name().sql() + " ALTER COLUMN " + Sql.ident(policy.column()) + " DROP NOT NULL after the rollback."));
        }
        return new TablePlan(policy, state, steps, findings);
    }

    /** Whether the attach marked that it made the partition column NOT NULL. */
    private boolean notNullAdded() {
        return primaryKeyIndex().flatMap(AttachRollbackFacts.PartitionIndex::comment).filter(c -> c.endsWith(AttachConversion.NOT_NULL_ADDED))
                .isPresent();
    }

    private PartitionInfo refuse() {
        TableName t = state.name();
        TableName oldName = names.old();
        PartitionInfo old = state.partitions().stream().filter(p -> p.name().equals(oldName)).findFirst().orElseThrow();
        List<String> pending = state.partitions().stream().filter(PartitionInfo::detachPending).map(p -> p.name().toString()).toList();
        if (!pending.isEmpty()) {
            throw PartitionException.databaseState("Partition(s) " + String.join(", ", pending) + " of " + t + " are detach pending (an"
                    + " interrupted DETACH ... CONCURRENTLY). Finish first: ALTER TABLE " + t.sql() + " DETACH PARTITION <partition> FINALIZE;"
                    + " then roll back.");
        }
        if (!facts.inboundForeignKeys().isEmpty()) {
            throw PartitionException.databaseState("Foreign keys of other tables now reference " + t + ": " + String.join(", ",
                    facts.inboundForeignKeys()) + "; dropping the partitioned table would break them. Drop them first (ALTER TABLE <table>"
                    + " DROP CONSTRAINT <name>), roll back, then recreate them referencing " + t + ".");
        }
        if (rollback.newerRows() > maxRows) {
            long estimate = AttachRollbackReader.newerPartitions(state, oldName).stream().mapToLong(PartitionInfo::estimatedRows).sum();
            throw PartitionException.databaseState("The partitions of " + t + " after " + oldName + " hold more than " + maxRows + " rows"
                    + " (counting stopped there; about " + estimate + " by the statistics). The rollback copies them into " + oldName
                    + " while " + t + " is locked ACCESS EXCLUSIVE, so the application would wait all that time. Roll back in a"
                    + " maintenance window with <rollbackMaxRows> (-Dpartition.rollbackMaxRows) above their count, or keep the"
                    + " partitioned table.");
        }
        if (upperBound(old).isEmpty()) {
            throw PartitionException.databaseState(oldName + " is the partition " + old.bound() + " of " + t + ", not [MINVALUE, ...)"
                    + " as strategy attach leaves it; roll back by hand.");
        }
        return old;
    }

    /**
     * The primary key before the attach extended it with the partition column, when it did: the attach marks
     * the key's index; without the mark (an older conversion) a key ending in the partition column counts as extended.
     */
    private Optional<List<String>> originalKey() {
        List<String> pk = facts.primaryKey().stream().map(ConvertFacts.Column::name).toList();
        Optional<String> mark = primaryKeyIndex().flatMap(AttachRollbackFacts.PartitionIndex::comment);
        boolean extended = mark.map(m -> m.startsWith(AttachConversion.KEY_EXTENDED))
                .orElse(pk.size() > 1 && pk.get(pk.size() - 1).equals(policy.column()));
        return extended ? Optional.of(pk.subList(0, pk.size() - 1)) : Optional.empty();
    }

    /** The old partition's index attached to the partitioned table's primary key. */
    private Optional<AttachRollbackFacts.PartitionIndex> primaryKeyIndex() {
        return facts.indexes().stream().filter(ConvertFacts.IndexDef::primary).findFirst()
                .flatMap(pk -> rollback.indexes().stream().filter(i -> i.parentName().equals(pk.name())).findFirst());
    }

    private Step buildKey(List<String> key, PartitionInfo old) {
        TableName oldName = names.old();
        String index = names.rollbackKeyIndex();
        List<String> sql = new ArrayList<>(List.of("SET lock_timeout = 0"));
        if (facts.object(oldName, index).isPresent()) {
            sql.add("DROP INDEX CONCURRENTLY " + new TableName(oldName.schema(), index).sql());
        }
        // with the INCLUDE columns, storage parameters and tablespace of the key it gives back
        sql.add("CREATE UNIQUE INDEX CONCURRENTLY " + Sql.ident(index) + " ON " + oldName.sql() + " (" + Sql.identList(key) + ")"
                + facts.indexes().stream().filter(ConvertFacts.IndexDef::primary).findFirst().map(ConvertFacts.IndexDef::indexOptions).orElse(""));
        return Step.autocommit(Goal.ROLLBACK, state.name(), "build unique index " + Sql.ident(index) + " (" + String.join(", ", key) + ") on "
                        + oldName, "becomes the primary key (" + String.join(", ", key) + ") again, as before the attach extended it with "
                        + policy.column() + "; built CONCURRENTLY, reads and writes continue", sql,
                List.of(new Lock(oldName, LockMode.SHARE_UPDATE_EXCLUSIVE)), old.estimatedRows());
    }

    private Optional<String> upperBound(PartitionInfo old) {
        Matcher m = UPPER_BOUND.matcher(old.bound());
        return old.bound().contains("FROM (MINVALUE)") && m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private Step swapBack(PartitionInfo oldPartition, boolean restoreKey) {
        TableName t = state.name();
        TableName old = names.old();
        String k = Sql.ident(policy.column());
        List<TableName> newer = AttachRollbackReader.newerPartitions(state, old).stream().map(PartitionInfo::name).toList();
        String columns = Sql.identList(state.insertableColumns());
        List<String> lock = SwapLock.statements(t);
        List<String> counts = newer.stream().map(p -> "SELECT pg_catalog.count(*) FROM " + p.sql()).toList();
        List<String> detach = new ArrayList<>(List.of("ALTER TABLE " + t.sql() + " DETACH PARTITION " + old.sql()));
        if (facts.object(old, names.boundConstraint()).isPresent()) {
            detach.add("ALTER TABLE " + old.sql() + " DROP CONSTRAINT " + Sql.ident(names.boundConstraint()));
        }
        List<String> moves = newer.stream().map(p -> "INSERT INTO " + old.sql() + " (" + columns + ") OVERRIDING SYSTEM VALUE SELECT "
                + columns + " FROM " + p.sql()).toList();
        String verify = "SELECT pg_catalog.count(*) FROM " + old.sql() + " WHERE " + k + " >= " + upperBound(oldPartition).orElseThrow();
        List<String> after = new ArrayList<>();
        List<ConvertFacts.SequenceColumn> identities = facts.sequences().stream().filter(ConvertFacts.SequenceColumn::identity).toList();
        for (ConvertFacts.SequenceColumn s : facts.sequences()) {
            if (!s.identity()) {
                after.addAll(PartitionedTableDdl.serialHandoff(s, old, t));
            }
        }
        for (int i = 0; i < identities.size(); i++) {
            after.add("SELECT pg_catalog.set_config(" + Sql.literal(identitySetting(i)) + ", (SELECT last_value FROM " + identities.get(i).sequence().sql()
                    + ")::text, true)");
        }
        after.addAll(DependentViews.swapBack(t, old, names.shadow(), facts));
        after.addAll(facts.carried().restoreStatisticsNames((i, name) -> ConvertNames.partitionStatistics(old, i)));
        after.addAll(facts.carried().rejoinPublications(t));
        Optional<AttachRollbackFacts.PartitionIndex> pkIndex = primaryKeyIndex();
        for (AttachRollbackFacts.PartitionIndex index : rollback.indexes()) {
            if (restoreKey && pkIndex.equals(Optional.of(index))) {
                after.add("ALTER TABLE " + t.sql() + " DROP CONSTRAINT " + Sql.ident(index.name()));
                after.add("ALTER TABLE " + t.sql() + " ADD CONSTRAINT " + Sql.ident(facts.primaryKeyName().orElse(index.parentName()))
                        + " PRIMARY KEY USING INDEX " + Sql.ident(names.rollbackKeyIndex()));
                continue;
            }
            if (!index.name().equals(index.parentName())) {
                after.add("ALTER INDEX " + new TableName(t.schema(), index.name()).sql() + " RENAME TO " + Sql.ident(index.parentName()));
            }
            if (index.comment().filter(c -> c.startsWith(AttachConversion.KEY_KEPT)).isPresent()) {
                after.add("COMMENT ON INDEX " + new TableName(t.schema(), index.parentName()).sql() + " IS NULL");
            }
        }
        if (notNullAdded()) {
            // the attach made it NOT NULL (a partitioned table's keys include it); without the primary key that needed it, it need not be
            after.add("ALTER TABLE " + t.sql() + " ALTER COLUMN " + k + " DROP NOT NULL");
        }
        for (int i = 0; i < identities.size(); i++) {
            String column = identities.get(i).column();
            after.add("ALTER TABLE " + t.sql() + " ALTER COLUMN " + Sql.ident(column) + " ADD GENERATED "
                    + ("d".equals(rollback.identities().get(column)) ? "BY DEFAULT" : "ALWAYS") + " AS IDENTITY");
            after.add("SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(" + Sql.literal(t.sql()) + ", " + Sql.literal(column) + "), greatest(pg_catalog.current_setting("
                    + Sql.literal(identitySetting(i)) + ")::bigint, (SELECT pg_catalog.max(" + Sql.ident(column) + ") FROM " + t.sql() + "), 1))");
        }
        List<String> sql = new ArrayList<>(lock);
        sql.addAll(counts);
        sql.addAll(detach);
        sql.addAll(moves);
        sql.add(verify);
        sql.addAll(after);
        StepWork work = (Connection c, EngineLog log) -> {
            try (Statement st = c.createStatement()) {
                SwapLock.Held held = SwapLock.take(st, lock);
                long before = 0;
                for (String statement : counts) {
                    before += count(st, statement);
                }
                for (String statement : detach) {
                    st.execute(statement);
                }
                long moved = 0;
                for (int i = 0; i < moves.size(); i++) {
                    long rows = st.executeUpdate(moves.get(i));
                    moved += rows;
                    log.info("      moved " + rows + " row(s) from " + newer.get(i) + " into " + old);
                }
                long arrived = count(st, verify);
                if (arrived != before || moved != before) {
                    throw PartitionException.databaseState("Rollback stopped: the newer partitions held " + before + " row(s), " + moved
                            + " were inserted and " + arrived + " are in " + old + " past its old bound. Its transaction was rolled back: "
                            + t + " is still partitioned. Look for triggers or rules on " + old + " that change inserted rows.");
                }
                for (String statement : after) {
                    st.execute(statement);
                }
                log.info("      rolled back: " + moved + " row(s) moved into " + old + ", now " + t + " again; " + held.describe());
            }
        };
        return Step.transactional(Goal.ROLLBACK, t, "roll back the attach: move the rows of " + newer.size() + " newer partition(s) into "
                        + old + ", detach it, drop the partitioned " + t + ", " + old + " becomes " + t + " again",
                "one short transaction under lock_timeout, retried if busy: the rows written since the swap into the newer partitions"
                        + " are counted, copied and counted again (a difference undoes everything); sequences, identity, index and"
                        + " primary key names go back to " + (restoreKey ? "the original ones" : "their original names")
                        + "; the CHECK the attach added is dropped" + (hasKeyIndex() ? "" : "; the count after reads " + old + " whole (no"
                        + " index starts with " + policy.column() + ")") + (facts.foreignKeys().isEmpty() ? "" : "; dropping the partitioned"
                        + " table removes its foreign keys' triggers from the referenced tables, briefly locking them")
                        + DependentViews.reason(facts), sql,
                locks(), rollback.newerRows()).withWork(work);
    }

    private List<Lock> locks() {
        List<Lock> locks = new ArrayList<>(List.of(new Lock(state.name(), LockMode.ACCESS_EXCLUSIVE), new Lock(names.old(), LockMode.ACCESS_EXCLUSIVE)));
        facts.foreignKeys().stream().map(ConvertFacts.ForeignKey::references).distinct()
                .forEach(r -> locks.add(new Lock(r, LockMode.ACCESS_EXCLUSIVE)));
        locks.addAll(DependentViews.locks(facts));
        return locks;
    }

    private boolean hasKeyIndex() {
        return facts.indexes().stream().anyMatch(i -> !i.columns().isEmpty() && i.columns().get(0).equals(policy.column()));
    }

    private static String identitySetting(int i) {
        return "partition_maven.rollback_identity_" + i;
    }

    private static long count(Statement st, String sql) throws SQLException {
        return Jdbc.queryLong(st.getConnection(), sql);
    }
}
