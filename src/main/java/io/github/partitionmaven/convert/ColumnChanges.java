package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.policy.TableConversion;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The column changes a copy makes on the new table when the table's configuration asks for them ({@code <widenKeys>},
 * {@code <addNotNull>}): applied to the new partitioned table while it is still empty and has no partitions, so they cost
 * nothing; the partitions inherit them. The copy rewrites every row anyway, so a wider type costs no extra pass.
 *
 * <p>Foreign keys of other tables are not changed: an integer column referencing a bigint key works in PostgreSQL (the
 * integer operator family compares them across types), and such keys must be recreated after the conversion anyway, as
 * they cannot reference a partitioned table's key without its partition column.
 *
 * @param widened     integer (smallint, integer) columns of the primary and unique keys, which become bigint
 * @param notNull     columns that allow NULL but hold none, which become NOT NULL (the partition column aside: see
 *                    {@link PartitionedTableDdl#keyNotNull})
 * @param sequences   the serial sequences feeding widened columns, which become bigint at the swap
 * @param identities  widened identity columns: their sequence (the new table's own) follows the column's type by itself
 */
record ColumnChanges(List<ConvertFacts.ColumnDef> widened, List<String> notNull, List<ConvertFacts.SequenceColumn> sequences,
                     Set<String> identities) {

    static final ColumnChanges NONE = new ColumnChanges(List.of(), List.of(), List.of(), Set.of());
    private static final Set<String> NARROW_INTEGERS = Set.of("smallint", "integer");

    static ColumnChanges of(TableConversion conversion, ConvertFacts facts, String partitionColumn) {
        List<ConvertFacts.ColumnDef> widened = new ArrayList<>();
        if (conversion.widenKeys()) {
            Set<String> keyColumns = new LinkedHashSet<>();
            facts.indexes().stream().filter(ConvertFacts.IndexDef::unique).forEach(i -> keyColumns.addAll(i.columns()));
            keyColumns.forEach(name -> facts.column(name).filter(col -> NARROW_INTEGERS.contains(col.type())).ifPresent(widened::add));
        }
        List<String> notNull = conversion.addNotNull() ? facts.columns().stream().filter(col -> !col.notNull()
                && !col.name().equals(partitionColumn) && col.nulls().orElse(-1L) == 0).map(ConvertFacts.ColumnDef::name).toList() : List.of();
        List<String> names = widened.stream().map(ConvertFacts.ColumnDef::name).toList();
        List<ConvertFacts.SequenceColumn> sequences = facts.sequences().stream().filter(s -> !s.identity() && names.contains(s.column())).toList();
        Set<String> identities = Set.copyOf(facts.sequences().stream().filter(s -> s.identity() && names.contains(s.column()))
                .map(ConvertFacts.SequenceColumn::column).toList());
        return widened.isEmpty() && notNull.isEmpty() ? NONE : new ColumnChanges(List.copyOf(widened), notNull, sequences, identities);
    }

    Set<String> widenedNames() {
        return Set.copyOf(widened.stream().map(ConvertFacts.ColumnDef::name).toList());
    }

    /** One ALTER TABLE of the empty new table. */
    List<String> statements(TableName target) {
        List<String> parts = new ArrayList<>();
        widened.forEach(col -> parts.add("ALTER COLUMN " + Sql.ident(col.name()) + " TYPE bigint"));
        notNull.forEach(col -> parts.add("ALTER COLUMN " + Sql.ident(col) + " SET NOT NULL"));
        return parts.isEmpty() ? List.of() : List.of("ALTER TABLE " + target.sql() + " " + String.join(", ", parts));
    }

    /** At the swap, before the sequence is handed over: the sequence can then count past 2^31 - 1. */
    List<String> sequenceStatements() {
        return sequences.stream().map(s -> "ALTER SEQUENCE " + s.sequence().sql() + " AS bigint").toList();
    }

    private String identity(String column) {
        return identities.contains(column) ? "; its identity sequence (the new table's own) becomes bigint with it" : "";
    }

    /** Each change, for the plan. */
    String reason(TableName table) {
        List<String> out = new ArrayList<>();
        for (ConvertFacts.ColumnDef col : widened) {
            String seq = sequences.stream().filter(s -> s.column().equals(col.name())).map(s -> "; its sequence " + s.sequence().sql()
                    + " becomes bigint at the swap (ALTER SEQUENCE ... AS bigint)").findFirst().orElse(identity(col.name()));
            out.add(Sql.ident(col.name()) + " " + col.type() + " becomes bigint (<widenKeys>)" + seq);
        }
        for (String col : notNull) {
            out.add(Sql.ident(col) + " becomes NOT NULL (<addNotNull>: it holds no NULL on " + table + "; a NULL written meanwhile stops"
                    + " the copy with nothing swapped)");
        }
        return out.isEmpty() ? "" : "; column changes: " + String.join("; ", out);
    }
}
