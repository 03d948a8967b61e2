package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.plan.LockMode;
import io.github.partitionmaven.plan.Requirement;
import io.github.partitionmaven.plan.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The foreign keys from the old table a copy conversion keeps for rollback to other tables. After the swap nothing writes
 * {@code <table>_old}, but such a key still guards the rows it references: on the seed's tables, deleting a user whose messages
 * were deleted since the swap failed with {@code violates foreign key constraint "chat_history_user_id_fkey" on table
 * "chat_history_old"}, and an {@code ON DELETE CASCADE} key kept deleting from a table no one reads. So the conversion drops them
 * from the old table right after the swap, and {@code partition:rollback} gives them back: NOT VALID inside its swap back (every
 * write from then on is checked), validated just after. Keys of the old table to itself stay: they guard nothing else.
 */
final class OldForeignKeys {

    private OldForeignKeys() {
    }

    /** The foreign keys of {@code table} that reference another table; the old table has them under the same names. */
    private static List<ConvertFacts.ForeignKey> toOthers(ConvertFacts facts, TableName table) {
        return facts.foreignKeys().stream().filter(fk -> !fk.selfReferencing(table)).toList();
    }

    /**
     * Drops the old table's foreign keys to other tables: after the swap of a conversion ({@code table} still plain, the old
     * table not there yet), or, resumed, those the old table of the converted {@code table} still has. Empty for none, and for
     * the old table of strategy attach, a partition.
     */
    static Optional<Step> release(TableName table, ConvertFacts facts, ConvertNames names) {
        TableName old = names.old();
        if (facts.isPartition(old)) {
            return Optional.empty(); // strategy attach: the old table is a partition, its keys the parent's
        }
        List<ConvertFacts.ForeignKey> keys = toOthers(facts, table).stream()
                .filter(fk -> !facts.exists(old) || facts.object(old, fk.name()).isPresent()).toList();
        if (keys.isEmpty()) {
            return Optional.empty();
        }
        List<Lock> locks = new ArrayList<>(List.of(new Lock(old, LockMode.ACCESS_EXCLUSIVE)));
        keys.stream().map(ConvertFacts.ForeignKey::references).distinct().forEach(r -> locks.add(new Lock(r, LockMode.ACCESS_EXCLUSIVE)));
        String referenced = String.join(", ", keys.stream().map(fk -> fk.references().sql()).distinct().toList());
        Step step = Step.autocommit(Goal.CONVERT, table, "drop the foreign key(s) " + names(keys) + " of " + old.sql() + " to "
                        + referenced, "nothing writes " + old.sql() + " after the swap, but its foreign keys still guard the rows they"
                        + " reference: deleting a row of " + referenced + " that only " + old.sql() + " still refers to would fail (or"
                        + " cascade into " + old.sql() + ") although " + table.sql() + " no longer holds it. " + table.sql() + " keeps the"
                        + " same keys; `mvn partition:rollback` gives them back to " + old.sql() + " when it swaps back. Dropping one"
                        + " takes ACCESS EXCLUSIVE on the referenced table too, for an instant (its triggers go), under lock_timeout: one"
                        + " key a transaction, so no two referenced tables are held at once",
                keys.stream().map(fk -> "ALTER TABLE " + old.sql() + " DROP CONSTRAINT " + Sql.ident(fk.name())).toList(), locks, 0)
                .withRequires(List.of(Requirement.owner(old)));
        return Optional.of(step.withFailure(new Step.Failure("The conversion of " + table.sql() + " is complete and " + old.sql()
                + " is kept for rollback; only its foreign key(s) " + names(keys) + " are not all dropped yet, so deleting a row of " + referenced
                + " that only " + old.sql() + " refers to fails meanwhile. Fix the cause and run `mvn partition:convert` again to drop"
                + " them.", Optional.empty())));
    }

    /**
     * For the swap back of a rollback, after its last replay: the partitioned {@code table}'s foreign keys to other tables that
     * {@code old} lacks, added to it NOT VALID, so that every write once it is {@code table} again is checked; an instant, as the
     * swap back's DROP TABLE holds the referenced tables anyway.
     */
    static List<String> restoreNotValid(TableName table, ConvertFacts facts, TableName old, PartitionedTableDdl ddl) {
        return missing(table, facts, old).stream().map(fk -> ddl.addForeignKeyNotValid(old, fk)).toList();
    }

    /** The tables the swap back's DROP TABLE of the partitioned table locks in ACCESS EXCLUSIVE mode: those its foreign keys reference. */
    static List<Lock> referencedByTheDrop(TableName table, ConvertFacts facts) {
        return toOthers(facts, table).stream().map(ConvertFacts.ForeignKey::references).distinct()
                .map(r -> new Lock(r, LockMode.ACCESS_EXCLUSIVE)).toList();
    }

    /**
     * After the swap back, the keys {@link #restoreNotValid} added, validated: one at a time, each reading every row of the table
     * under SHARE UPDATE EXCLUSIVE (reads and writes continue) and ROW SHARE on the referenced table. Keys the partitioned table
     * itself never validated stay NOT VALID, as they were. Empty for none.
     */
    static Optional<Step> validateAfterSwapBack(TableName table, ConvertFacts facts, TableName old) {
        List<ConvertFacts.ForeignKey> keys = missing(table, facts, old).stream().filter(ConvertFacts.ForeignKey::validated).toList();
        if (keys.isEmpty()) {
            return Optional.empty();
        }
        List<Lock> locks = new ArrayList<>(List.of(new Lock(table, LockMode.SHARE_UPDATE_EXCLUSIVE)));
        keys.stream().map(ConvertFacts.ForeignKey::references).distinct().forEach(r -> locks.add(new Lock(r, LockMode.ROW_SHARE)));
        List<String> sql = keys.stream().map(fk -> "ALTER TABLE " + table.sql() + " VALIDATE CONSTRAINT " + Sql.ident(fk.name())).toList();
        return Optional.of(Step.autocommit(Goal.ROLLBACK, table, "validate the foreign key(s) " + names(keys) + " of " + table.sql(),
                        "given back NOT VALID in the swap back (conversions drop them from the old table after their swap): a check of"
                                + " every row, while reads and writes continue", sql, locks, facts.stats().rows())
                .withFailure(new Step.Failure("The rollback of " + table.sql() + " is complete: it is the plain table again, and its"
                        + " foreign key(s) " + names(keys) + " check every write, but are not validated yet. Fix the cause and run "
                        + String.join("; ", sql) + ";", Optional.empty())));
    }

    /** The partitioned table's foreign keys to other tables that {@code old} has no constraint of the same name for. */
    private static List<ConvertFacts.ForeignKey> missing(TableName table, ConvertFacts facts, TableName old) {
        return toOthers(facts, table).stream().filter(fk -> facts.object(old, fk.name()).isEmpty()).toList();
    }

    private static String names(List<ConvertFacts.ForeignKey> keys) {
        return String.join(", ", keys.stream().map(fk -> Sql.ident(fk.name())).toList());
    }
}
