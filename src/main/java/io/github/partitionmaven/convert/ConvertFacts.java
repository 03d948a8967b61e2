package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a conversion needs to know about one table beyond {@link io.github.partitionmaven.catalog.TableState}:
 * its keys, indexes, constraints, dependents, grants, sequences, what its key column holds, and
 * how far an earlier, interrupted conversion got.
 *
 * @param primaryKey       the primary key columns in order; empty when the table has none
 * @param indexes          every index of the table
 * @param foreignKeys      foreign keys from this table to others (kept on the new table)
 * @param inboundForeignKeys foreign keys of other tables referencing this one, as "constraint on table"
 * @param dependentViews   views, materialized views and other tables' rules reading the table
 * @param rebound          other tables' policies and BEGIN ATOMIC functions reading the table, which the plugin's role may
 *                         define again (the swap does, as it does views)
 * @param boundObjects     other objects bound to the table or its row type by OID (policies of other tables, functions with a
 *                         SQL-standard body or of its row type, columns of its row type, subscriptions replicating into it),
 *                         each described with its fix, in which the goal is {@code {goal}}: see {@link #boundObjects(String)}
 * @param sequences        serial and identity columns with their sequences
 * @param triggers         the table's own triggers (not the conversion's capture)
 * @param rowHash          how the verification hashes a row of the table, column by column
 * @param stats            what the key column holds; {@link KeyStats#NONE} when the table is not plain
 * @param objects          constraint and index names (with validity) on the table and on its conversion relations
 * @param existing         which of the conversion's relations (new table, log, progress record, old table) exist, with their
 *                         relkind ("partition" for a partition)
 * @param columnTypes      the columns of each of those, in order, with their types as format_type prints them
 * @param unanalyzed       per new table that exists, its partitions never analyzed (a run killed between a partition's index
 *                         builds and its sample)
 * @param columns          every column, in order, with the NULLs it holds where they were counted ({@code <addNotNull>})
 */
public record ConvertFacts(
        TableName table,
        String owner,
        Optional<String> comment,
        List<Column> primaryKey,
        Optional<String> primaryKeyName,
        List<IndexDef> indexes,
        List<ForeignKey> foreignKeys,
        List<String> inboundForeignKeys,
        List<View> dependentViews,
        List<Rebound> rebound,
        List<String> boundObjects,
        List<Grant> grants,
        List<SequenceColumn> sequences,
        List<String> triggers,
        RowHash rowHash,
        KeyStats stats,
        Map<TableName, Map<String, Boolean>> objects,
        Map<TableName, String> existing,
        Map<TableName, Map<String, String>> columnTypes,
        Map<TableName, List<TableName>> unanalyzed,
        Optional<Progress> progress,
        Carried carried,
        List<ColumnDef> columns) {

    /**
     * @param type    as format_type prints it
     * @param nulls   the rows holding NULL in it, when counted: only for a table with {@code <addNotNull>} whose conversion has
     *                not started (once it has, the new table's definition holds what was decided)
     */
    public record ColumnDef(String name, String type, boolean notNull, Optional<Long> nulls) {
    }

    /** The column named {@code name}. */
    public Optional<ColumnDef> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public record Column(String name, String type) {
    }

    /** An index: {@code method} is everything after the table name in its definition ("USING btree (a, b DESC) WHERE ..."). */
    /**
     * @param method     from USING on, as pg_get_indexdef prints it
     * @param tablespace where the index lives, when not in the database's default tablespace (pg_get_indexdef leaves it out)
     * @param predicate  a partial index's WHERE, as pg_get_expr prints it (and pg_get_indexdef, last)
     * @param columns    the key columns (an expression is left out), without those of INCLUDE
     * @param comment    COMMENT ON INDEX; {@code constraintComment}: COMMENT ON CONSTRAINT, for a key
     * @param include    the INCLUDE columns; {@code storage}: the index's storage parameters (fillfactor=70, ...)
     */
    public record IndexDef(String name, boolean unique, boolean primary, Optional<String> constraint, String method, List<String> columns,
                           Optional<String> tablespace, Optional<String> predicate, Optional<String> comment, Optional<String> constraintComment,
                           List<String> include, List<String> storage) {

        /** {@link #method} with the index's tablespace, which CREATE INDEX takes before the WHERE. */
        String placedMethod() {
            if (tablespace.isEmpty()) {
                return method;
            }
            String where = predicate.map(p -> " WHERE " + p).orElse("");
            if (!method.endsWith(where)) {
                throw new IllegalStateException("pg_get_indexdef of " + name + " does not end in its predicate " + where + ": " + method);
            }
            return method.substring(0, method.length() - where.length()) + " TABLESPACE " + Sql.ident(tablespace.get())
                    + where;
        }

        /**
         * What follows the key columns of a key built by ADD CONSTRAINT, as the index had it: INCLUDE, WITH (storage) and USING
         * INDEX TABLESPACE; pg_get_constraintdef has the first two, but the key columns change.
         */
        String keyOptions() {
            return includeAndStorage() + tablespace.map(t -> " USING INDEX TABLESPACE " + Sql.ident(t)).orElse("");
        }

        /** The same for CREATE UNIQUE INDEX on the key's columns (the index strategy attach builds to take the key over). */
        String indexOptions() {
            return includeAndStorage() + tablespace.map(t -> " TABLESPACE " + Sql.ident(t)).orElse("");
        }

        private String includeAndStorage() {
            return (include.isEmpty() ? "" : " INCLUDE (" + io.github.partitionmaven.core.Sql.identList(include) + ")")
                    + (storage.isEmpty() ? "" : " WITH (" + String.join(", ", storage) + ")");
        }
    }

    /**
     * @param definition as pg_get_constraintdef prints it, ending in NOT VALID when the old table never validated it
     * @param columns    the referencing columns, in order
     * @param refColumns the referenced columns, in order
     * @param printedRefColumns the referenced columns as the definition prints them ("(id, created_at)")
     */
    public record ForeignKey(String name, String definition, TableName references, List<String> columns, List<String> refColumns,
                             String printedRefColumns) {

        public boolean validated() {
            return !definition.endsWith(" NOT VALID");
        }

        /** Whether it references the table it is defined on. */
        public boolean selfReferencing(TableName table) {
            return references.equals(table);
        }

        /**
         * The definition referencing {@code target} instead (a self-reference moving to the new table): the referencing
         * columns, the referenced columns and the actions (MATCH, ON UPDATE/DELETE, DEFERRABLE) stay as printed.
         */
        public String definitionReferencing(TableName target) {
            int cols = definition.indexOf(printedRefColumns, definition.indexOf(" REFERENCES "));
            if (printedRefColumns.isEmpty() || cols < 0) {
                throw new IllegalStateException("cannot read the referenced columns of " + name + " from " + definition);
            }
            return definition.substring(0, definition.indexOf(" REFERENCES ")) + " REFERENCES " + target.sql() + definition.substring(cols);
        }
    }

    /** {@link #boundObjects()}, each fix naming {@code goal} ("convert", "roll back"). */
    public List<String> boundObjects(String goal) {
        return boundObjects.stream().map(b -> b.replace("{goal}", goal)).toList();
    }

    /**
     * A view, materialized view or another table's rule that reads the table: bound to it by OID, so it follows the table to
     * its old name at the swap unless it is defined again.
     *
     * @param relation    the view, or the table with the rule
     * @param kind        "view", "materialized view" or "its rule <name>"
     * @param options     a view's options as WITH (...) takes them (security_barrier=true, check_option=local, ...)
     * @param replaceable whether the plugin's role may replace it: owns it, or inherits the privileges of its owner
     */
    public record View(TableName relation, String kind, List<String> options, boolean replaceable) {
        public boolean plain() {
            return kind.equals("view");
        }

        @Override
        public String toString() {
            return relation + " (" + kind + ")";
        }
    }

    /**
     * Another table's policy, or a function with a SQL-standard body (BEGIN ATOMIC), that reads the table: bound to it by OID
     * as a view is, and defined again by the swap as views are ({@link DependentViews}).
     *
     * @param policy the policy's name; empty for a function
     * @param on     the policy's table, or the function's signature, as regclass and regprocedure print them
     * @param using  whether the policy has a USING expression
     * @param check  whether it has a WITH CHECK expression
     */
    public record Rebound(Optional<String> policy, String on, boolean using, boolean check) {
        @Override
        public String toString() {
            return policy.map(p -> "policy " + Sql.ident(p) + " on " + on).orElse("function " + on);
        }
    }

    /** One privilege; {@code grantee} empty means PUBLIC. */
    public record Grant(Optional<String> grantee, String privilege, boolean grantable) {
    }

    /**
     * A sequence owned by a column of the table.
     *
     * @param type      the sequence's type (smallint, integer or bigint)
     * @param lastValue its last value; empty before the first nextval (or without the privilege to read it)
     * @param fed       the type of the column of each other table whose default draws from it
     */
    public record SequenceColumn(String column, TableName sequence, boolean identity, String type, Optional<Long> lastValue,
                                 Map<TableName, String> fed) {

        /** An integer type's largest value; bigint's for any other. */
        static long max(String integerType) {
            return switch (integerType) {
                case "smallint" -> Short.MAX_VALUE;
                case "integer" -> Integer.MAX_VALUE;
                default -> Long.MAX_VALUE;
            };
        }

        /** Whether the sequence's last value fits {@code integerType}, so that ALTER SEQUENCE ... AS it succeeds. */
        boolean fits(String integerType) {
            return lastValue.orElse(1L) <= max(integerType);
        }
    }

    /**
     * What the key column holds: key values in {@link io.github.partitionmaven.catalog.KeyType} micros.
     *
     * @param histogram ANALYZE's equal-frequency bounds of the key column (empty when never analyzed)
     * @param futureSample a few of the rows past the premake window, for the refusal
     */
    public record KeyStats(long rows, long nullRows, Optional<Long> min, Optional<Long> max, long futureRows, String futureSample,
                           List<Long> histogram) {
        public static final KeyStats NONE = new KeyStats(0, 0, Optional.empty(), Optional.empty(), 0, "", List.of());
    }

    /** The progress record of an interrupted conversion. */
    public record Progress(String strategy, boolean offline, int copiedBatches, long copiedRows, boolean copyDone, String startedAt,
                           Optional<String> lastError, Optional<Long> capturedChanges) {

        /** What the plan says of the conversion left unfinished: when it started, what it has done, its last error. */
        public String describe() {
            return "started " + startedAt + ", " + copiedRows + " row(s) copied in " + copiedBatches + " batch(es)" + (copyDone ? " (copy complete)" : "")
                    + capturedChanges.map(n -> ", " + n + " captured change(s) waiting to be replayed").orElse("")
                    + lastError.map(e -> "; last error: " + e).orElse("");
        }
    }

    public boolean exists(TableName relation) {
        return existing.containsKey(relation);
    }

    public boolean isPartition(TableName relation) {
        return "partition".equals(existing.get(relation));
    }

    /**
     * The columns of the table whose type differs in {@code other}, one of its conversion's relations: {@code "id" bigint to
     * integer}.
     */
    public List<String> retyped(TableName other) {
        Map<String, String> types = columnTypes.getOrDefault(other, Map.of());
        return columns.stream().filter(col -> types.containsKey(col.name()) && !types.get(col.name()).equals(col.type()))
                .map(col -> Sql.ident(col.name()) + " " + col.type() + " to " + types.get(col.name()))
                .toList();
    }

    /** These facts without index {@code name} (one the conversion built itself). */
    public ConvertFacts withoutIndex(String name) {
        return new ConvertFacts(table, owner, comment, primaryKey, primaryKeyName, indexes.stream().filter(i -> !i.name().equals(name)).toList(),
                foreignKeys, inboundForeignKeys, dependentViews, rebound, boundObjects, grants, sequences, triggers, rowHash, stats, objects, existing, columnTypes, unanalyzed, progress,
                carried, columns);
    }

    /** The names of the constraints and indexes on {@code relation} (one of the table, its shadow and its old name). */
    public java.util.Set<String> objectNames(TableName relation) {
        return objects.getOrDefault(relation, Map.of()).keySet();
    }

    /** Constraint or index {@code name} on {@code relation}: empty when absent, else whether it is valid. */
    public Optional<Boolean> object(TableName relation, String name) {
        return Optional.ofNullable(objects.getOrDefault(relation, Map.of()).get(name));
    }
}
