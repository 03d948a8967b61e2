package io.github.partitionmaven.engine;

import io.github.partitionmaven.convert.ConvertPlanner;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.plan.PremakePlanner;
import java.util.List;

/** The planners of every goal, in the order their steps run: convert, then premake, then prune. */
public final class Planners {

    private Planners() {
    }

    /** The planners with default options. */
    public static List<Planner> standard() {
        return List.of(new ConvertPlanner(), new PremakePlanner());
    }
}
