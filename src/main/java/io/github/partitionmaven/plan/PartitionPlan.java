package io.github.partitionmaven.plan;

import io.github.partitionmaven.catalog.ServerInfo;
import io.github.partitionmaven.policy.RunSettings;
import java.util.List;

/** Everything the applying goals would do, per table, in order. */
public record PartitionPlan(ServerInfo server, RunSettings settings, List<TablePlan> tables) {

    public boolean isEmpty() {
        return tables.stream().allMatch(t -> t.steps().isEmpty());
    }

    public List<Step> steps() {
        return tables.stream().flatMap(t -> t.steps().stream()).toList();
    }
}
