package io.github.partitionmaven.engine;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.plan.PremakePlanner;
import java.util.List;

/** The planners of every goal, in the order their steps run: convert, then premake, then prune. */
public final class Planners {

    private Planners() {
    }

    public static List<Planner> all() {
        return List.of(new PremakePlanner());
    }

    public static Planner of(Goal goal) {
        return all().stream().filter(p -> p.goal() == goal).findFirst()
                .orElseThrow(() -> new IllegalStateException("no planner for " + goal));
    }
}
