package io.github.partitionmaven.engine;

import io.github.partitionmaven.catalog.ExternalManagers;
import io.github.partitionmaven.catalog.ExternalManagers.PartmanConfig;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.plan.Goal;
import java.util.Optional;

/**
 * Keeps the plugin from fighting another partition manager over the same table: a table in pg_partman's part_config
 * gets no premake or prune steps (pg_partman's maintenance creates and drops the same partitions), and a TimescaleDB
 * hypertable is refused by every goal (its chunks are not declarative partitions).
 */
final class ExternalManagerGuard {

    private final ExternalManagers managers;

    ExternalManagerGuard(ExternalManagers managers) {
        this.managers = managers;
    }

    /** Refuses a hypertable for any goal; run before a table is planned. */
    void refuseHypertable(TableState state) {
        if (state.exists() && managers.hypertable(state.oid()).isPresent()) {
            throw PartitionException.configuration(state.name() + " is a TimescaleDB hypertable (listed in"
                    + " _timescaledb_catalog.hypertable): TimescaleDB creates and drops its chunks itself, and chunks are"
                    + " inherited tables, not declarative partitions, so the plugin can neither convert, premake nor prune it."
                    + " Remove it from <tables> and use TimescaleDB's own policies (set_chunk_time_interval,"
                    + " add_retention_policy).");
        }
    }

    /** The pg_partman configuration that manages this table, if any. */
    Optional<PartmanConfig> partman(TableState state) {
        return state.exists() ? managers.partman(state.oid()) : Optional.empty();
    }

    /** Whether pg_partman owns this goal's work for the table: premake and prune are what its run_maintenance does. */
    static boolean partmanOwns(Goal goal) {
        return goal == Goal.PREMAKE || goal == Goal.PRUNE;
    }

    PartitionException partmanRefusal(TableState state, PartmanConfig config, Goal goal) {
        return PartitionException.configuration(state.name() + " is managed by pg_partman " + managers.partmanVersion().orElse("")
                + " (" + config.parentTable() + " in " + managers.partConfig() + ", automatic_maintenance "
                + config.automaticMaintenance() + "): partition:" + goal.goalName() + " would fight its maintenance over the same"
                + " partitions. " + waysForward());
    }

    Finding partmanFinding(TableState state, PartmanConfig config) {
        return Finding.warning(state.name() + " is managed by pg_partman (" + managers.partConfig() + "): no premake or prune"
                + " steps are planned for it. " + waysForward());
    }

    private static String waysForward() {
        return "Either leave it to pg_partman (remove it from <tables>; partition:check still reports it), or hand it over to"
                + " the plugin: `mvn partition:import-partman` prints the equivalent <table>, and"
                + " `mvn partition:import-partman -Dpartition.handOver=true` removes it from pg_partman's configuration, keeping"
                + " every partition.";
    }
}
