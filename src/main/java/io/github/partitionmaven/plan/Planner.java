package io.github.partitionmaven.plan;

import io.github.partitionmaven.catalog.Catalog;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TablePolicy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Computes the steps of one goal for one table from policy and catalog state; changes nothing. */
public interface Planner {

    Goal goal();

    /** Whether this goal applies to a table in this state (premake and prune: partitioned; convert: plain). */
    boolean appliesTo(TableState state);

    /** The steps; throws {@link io.github.partitionmaven.core.PartitionException} when the state forbids the goal. */
    TablePlan plan(TablePolicy policy, TableState state, RunSettings settings);

    /**
     * Reads what this goal needs beyond the catalog, in a fixed number of queries for all tables,
     * and returns the planner to plan with; called once per planning pass. Most planners need nothing.
     */
    default Planner prepare(Connection connection, Catalog catalog, List<TablePolicy> policies, RunSettings settings)
            throws SQLException {
        return this;
    }
}
