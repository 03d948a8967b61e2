package io.github.partitionmaven.plan;

import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.policy.TablePolicy;

/** The refusals every goal shares: each names the problem and the fix, before anything changes. */
public final class TableRequirements {

    private TableRequirements() {
    }

    public static void requireExists(TablePolicy policy, TableState state) {
        if (state.exists()) {
            if (state.kind() == TableState.Kind.OTHER) {
                throw PartitionException.configuration(state.name() + " is not a table (a view, sequence or foreign table?):"
                        + " fix <name> to name the table to partition.");
            }
            if (state.kind() == TableState.Kind.PARTITION) {
                throw PartitionException.configuration(state.name() + " is itself a partition of another table:"
                        + " configure its parent table in <name> instead.");
            }
            return;
        }
        String where = policy.table().schema() == null ? "on the search_path" : "in schema \"" + policy.table().schema() + "\"";
        String hint = state.similarNames().isEmpty() ? " Check <name> (names are case-sensitive; qualify it as schema.table if needed)."
                : " Did you mean " + String.join(" or ", state.similarNames()) + "? Names are case-sensitive: fix <name>.";
        throw PartitionException.configuration("Table " + policy.table() + " does not exist " + where + "." + hint);
    }

    public static void requireKeyColumn(TablePolicy policy, TableState state) {
        requireExists(policy, state);
        if (state.keyColumn() == null) {
            throw PartitionException.configuration("Column \"" + policy.column() + "\" does not exist in " + state.name()
                    + ". Its columns are: " + String.join(", ", state.columns()) + ". Fix <column>.");
        }
        if (state.keyColumn().keyType().isEmpty()) {
            requireEpochUnit(policy, state);
            throw PartitionException.configuration("Column \"" + policy.column() + "\" of " + state.name() + " has type "
                    + state.keyColumn().typeName() + "; time partitioning needs a date, timestamp or timestamptz column (or a bigint of epoch time, with <epochUnit>)."
                    + " Point <column> at the table's time column.");
        }
    }

    /** The refusals of an integer column without a usable {@code <epochUnit>}, and of a unit on a date/time column. */
    private static void requireEpochUnit(TablePolicy policy, TableState state) {
        TableState.KeyColumn key = state.keyColumn();
        String column = "Column \"" + policy.column() + "\" of " + state.name();
        boolean integer = key.typeOid() == KeyType.INT8 || key.typeOid() == KeyType.INT4;
        if (policy.epochUnit().isEmpty()) {
            if (integer) {
                throw PartitionException.configuration(column + " is " + key.typeName() + ": if it holds epoch time, set <epochUnit> to"
                        + (key.typeOid() == KeyType.INT4 ? " seconds (an integer holds nothing finer, and only until 2038-01-19)"
                        : " seconds or milliseconds (or microseconds)") + " in its <table>; otherwise point <column> at the table's time column.");
            }
            return;
        }
        String unit = "<epochUnit>" + policy.epochUnit().get().configName() + "</epochUnit>";
        if (KeyType.ofTypeOid(key.typeOid()).isPresent()) {
            throw PartitionException.configuration(column + " is " + key.typeName() + ", not an integer: " + unit + " applies only to a"
                    + " bigint or integer column of epoch time. Remove " + unit + " from its <table>.");
        }
        if (key.typeOid() == KeyType.INT4) {
            throw PartitionException.configuration(column + " is integer: " + unit + " would end before 1970-01-26 (2^31 - 1"
                    + " milliseconds). An integer column holds epoch seconds only: set <epochUnit>seconds</epochUnit> if it holds"
                    + " seconds, or widen it to bigint (ALTER TABLE " + state.name().sql() + " ALTER COLUMN " + Sql.ident(policy.column())
                    + " TYPE bigint) first.");
        }
        throw PartitionException.configuration(column + " has type " + key.typeName() + "; " + unit + " needs a bigint column"
                + " (or integer, for seconds). Point <column> at the table's time column.");
    }

    /** The table must be range-partitioned by exactly the configured column. */
    public static void requirePartitioned(TablePolicy policy, TableState state) {
        requireKeyColumn(policy, state);
        if (state.kind() == TableState.Kind.PLAIN) {
            throw PartitionException.databaseState(state.name() + " is a plain table, not partitioned. Convert it first with"
                    + " `mvn partition:convert` (preview the conversion with `mvn partition:plan`).");
        }
        String strategy = switch (state.partitionStrategy()) {
            case "l" -> "LIST";
            case "h" -> "HASH";
            default -> "RANGE";
        };
        String key = state.partitionKeyIsExpression() ? "an expression" : "(" + String.join(", ", state.partitionColumns()) + ")";
        if (!strategy.equals("RANGE")) {
            throw PartitionException.databaseState(state.name() + " is partitioned BY " + strategy + " " + key
                    + "; this plugin manages range partitions on a time column only. Remove it from <tables>.");
        }
        if (state.partitionKeyIsExpression() || !state.partitionColumns().equals(java.util.List.of(policy.column()))) {
            throw PartitionException.configuration(state.name() + " is partitioned BY RANGE " + key + ", not by (" + policy.column()
                    + "). Set <column> to its partition key column"
                    + (state.partitionColumns().size() == 1 && !state.partitionKeyIsExpression()
                    ? " (<column>" + state.partitionColumns().get(0) + "</column>)." : "; multi-column and expression keys are not supported."));
        }
    }
}
