package io.github.partitionmaven.engine;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.convert.ConvertPlanner;
import io.github.partitionmaven.convert.RollbackPlanner;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.premake.PremakePlanner;
import io.github.partitionmaven.prune.PrunePlanner;
import io.github.partitionmaven.prune.PruneOptions;
import java.util.List;

/** The planners of every goal, in the order their steps run: convert (or rollback), then premake, then prune. */
public final class Planners {

    private Planners() {
    }

    /** The planners with default options. */
    public static List<Planner> standard() {
        return standard(ConvertOptions.DEFAULTS, PruneOptions.defaults());
    }

    /** The planners with default convert options and the given prune options. */
    public static List<Planner> standard(PruneOptions prune) {
        return standard(ConvertOptions.DEFAULTS, prune);
    }

    /** The planners with the given goal options. */
    public static List<Planner> standard(ConvertOptions convert, PruneOptions prune) {
        return List.of(new ConvertPlanner(convert), new RollbackPlanner(convert), new PremakePlanner(), new PrunePlanner(prune));
    }
}
