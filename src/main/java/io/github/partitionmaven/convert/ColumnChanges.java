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
        // a sequence already bigint (a run stopped after widening it, or made so) needs nothing
        List<ConvertFacts.SequenceColumn> sequences = facts.sequences().stream().filter(s -> !s.identity() && names.contains(s.column())
                && NARROW_INTEGERS.contains(s.type())).toList();
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

    /** In their own step before the swap: the sequences can then count past 2^31 - 1. */
    List<String> sequenceStatements() {
        return sequences.stream().map(s -> "ALTER SEQUENCE " + s.sequence().sql() + " AS bigint").toList();
    }

    /**
     * A sequence {@code <widenKeys>} made bigint, to be given its type back when the conversion is undone: it is bigint, feeds
     * {@code plain}'s column of a narrower type and {@code partitioned}'s bigint one (the widened column). A sequence that
     * was bigint before, feeding an integer column, reads the same and is narrowed too, to what the column can hold anyway.
     *
     * @param type the narrower type it gets back
     */
    record Narrowing(ConvertFacts.SequenceColumn sequence, String column, String type) {

        static List<Narrowing> of(ConvertFacts facts, TableName plain, TableName partitioned) {
            List<Narrowing> out = new ArrayList<>();
            for (ConvertFacts.SequenceColumn s : facts.sequences()) {
                String plainType = facts.table().equals(plain) ? facts.column(s.column()).map(ConvertFacts.ColumnDef::type).orElse("")
                        : s.fed().getOrDefault(plain, "");
                String partitionedType = facts.table().equals(partitioned) ? facts.column(s.column()).map(ConvertFacts.ColumnDef::type)
                        .orElse("") : s.fed().getOrDefault(partitioned, "");
                if (!s.identity() && "bigint".equals(s.type()) && NARROW_INTEGERS.contains(plainType) && "bigint".equals(partitionedType)) {
                    out.add(new Narrowing(s, s.column(), plainType));
                }
            }
            return out;
        }

        boolean fits() {
            return sequence.fits(type);
        }

        String statement() {
            return "ALTER SEQUENCE " + sequence.sequence().sql() + " AS " + type;
        }

        /** Why it stays bigint: ALTER SEQUENCE ... AS refuses a maximum below the value the sequence has reached. */
        String staysBigint(TableName plain) {
            String seq = sequence.sequence().sql();
            return "Sequence " + seq + " stays bigint, as <widenKeys> made it: its last value " + sequence.lastValue().orElse(0L) + " is past "
                    + type + "'s largest (" + ConvertFacts.SequenceColumn.max(type) + "), and ALTER SEQUENCE ... AS " + type + " refuses a"
                    + " maximum below the value reached. " + plain.sql() + "." + Sql.ident(column) + " (" + type + ") cannot take such ids:"
                    + " inserts drawing from it fail with \"" + type + " out of range\". Either set it back (SELECT pg_catalog.setval("
                    + Sql.literal(seq) + ", (SELECT pg_catalog.max(" + Sql.ident(column) + ") FROM " + plain.sql() + ")); ALTER SEQUENCE " + seq
                    + " AS " + type + ") or widen the column (ALTER TABLE " + plain.sql() + " ALTER COLUMN " + Sql.ident(column)
                    + " TYPE bigint).";
        }
    }

    private String identity(String column) {
        return identities.contains(column) ? "; its identity sequence (the new table's own) becomes bigint with it" : "";
    }

    /** Each change, for the plan. */
    String reason(TableName table) {
        List<String> out = new ArrayList<>();
        for (ConvertFacts.ColumnDef col : widened) {
            String seq = sequences.stream().filter(s -> s.column().equals(col.name())).map(s -> "; its sequence " + s.sequence().sql()
                    + " becomes bigint in its own step before the swap (ALTER SEQUENCE ... AS bigint)").findFirst().orElse(identity(col.name()));
            out.add(Sql.ident(col.name()) + " " + col.type() + " becomes bigint (<widenKeys>)" + seq);
        }
        for (String col : notNull) {
            out.add(Sql.ident(col) + " becomes NOT NULL (<addNotNull>: it holds no NULL on " + table + "; a NULL written meanwhile stops"
                    + " the copy with nothing swapped)");
        }
        return out.isEmpty() ? "" : "; column changes: " + String.join("; ", out);
    }
}
