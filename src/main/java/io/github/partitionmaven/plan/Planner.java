package io.github.partitionmaven.plan;

import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TablePolicy;

/** Computes the steps of one goal for one table from policy and catalog state; changes nothing. */
public interface Planner {

    Goal goal();

    /** Whether this goal applies to a table in this state (premake and prune: partitioned; convert: plain). */
    boolean appliesTo(TableState state);

    /** The steps; throws {@link io.github.partitionmaven.engine.PartitionException} when the state forbids the goal. */
    TablePlan plan(TablePolicy policy, TableState state, RunSettings settings);
}
