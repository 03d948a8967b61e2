package io.github.partitionmaven.convert;

import io.github.partitionmaven.catalog.Catalog;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.plan.TablePlan;
import io.github.partitionmaven.plan.TableRequirements;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TablePolicy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plans {@code partition:rollback}: swapping a table converted by {@link ConvertPlanner} back to its
 * old plain table, carrying back every row written since the swap (strategy copy) or moving the
 * newer partitions' rows into the old table (strategy attach).
 */
public final class RollbackPlanner implements Planner {

    private final ConvertOptions options;
    private final Map<TableName, ConvertFacts> facts;
    private final Map<TableName, AttachRollbackFacts> attachRollbacks;

    public RollbackPlanner(ConvertOptions options) {
        this(options, Map.of(), Map.of());
    }

    private RollbackPlanner(ConvertOptions options, Map<TableName, ConvertFacts> facts, Map<TableName, AttachRollbackFacts> attachRollbacks) {
        this.options = options;
        this.facts = facts;
        this.attachRollbacks = attachRollbacks;
    }

    @Override
    public Goal goal() {
        return Goal.ROLLBACK;
    }

    @Override
    public boolean appliesTo(TableState state) {
        return state.kind() == TableState.Kind.PARTITIONED;
    }

    @Override
    public Planner prepare(Connection connection, Catalog catalog, List<TablePolicy> policies, RunSettings settings) throws SQLException {
        Map<TableName, ConvertFacts> read = ConvertCatalogReader.read(connection, policies, catalog, settings, options);
        Map<TableName, TableState> attached = new HashMap<>();
        Map<TableName, TableName> olds = new HashMap<>();
        read.forEach((table, f) -> {
            TableName old = new ConvertNames(f.table(), options).old();
            if (f.isPartition(old) && catalog.table(table).kind() == TableState.Kind.PARTITIONED) {
                attached.put(table, catalog.table(table));
                olds.put(table, old);
            }
        });
        return new RollbackPlanner(options, read, AttachRollbackReader.read(connection, attached, olds, options.rollbackMaxRows()));
    }

    @Override
    public TablePlan plan(TablePolicy policy, TableState state, RunSettings settings) {
        TableRequirements.requireKeyColumn(policy, state);
        return new RollbackConversion(policy, state, ConvertPlanner.facts(facts, policy), Optional.ofNullable(attachRollbacks.get(policy.table())),
                new ConvertNames(state.name(), options), settings, options.rollbackMaxRows(), options.rollbackDeletesPruned()).plan();
    }
}
