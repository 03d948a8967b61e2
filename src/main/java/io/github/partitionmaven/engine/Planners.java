package io.github.partitionmaven.engine;

import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.plan.PremakePlanner;
import io.github.partitionmaven.prune.PrunePlanner;
import io.github.partitionmaven.prune.PruneOptions;
import java.util.List;

/** The planners of every goal, in the order their steps run: convert, then premake, then prune. */
public final class Planners {

    private Planners() {
    }

    /** The planners with default options. */
    public static List<Planner> standard() {
        return standard(PruneOptions.defaults());
    }

    /** The planners with the given prune options (archive directory, compression). */
    public static List<Planner> standard(PruneOptions prune) {
        return List.of(new PremakePlanner(), new PrunePlanner(prune));
    }
}
