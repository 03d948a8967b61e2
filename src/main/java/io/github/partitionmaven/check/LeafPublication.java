package io.github.partitionmaven.check;

import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.Publications;
import java.util.List;

/**
 * Publications that publish the table's partitions under their own names ({@code publish_via_partition_root} off): each
 * partition premake creates reaches a subscriber only after it exists there and the subscription is refreshed. Not a gate by
 * default: it is a standing configuration, and the table itself is fine.
 */
public record LeafPublication(TableName table, List<String> publications) implements HealthFinding {

    public LeafPublication {
        publications = List.copyOf(publications);
    }

    @Override
    public Check check() {
        return Check.PUBLICATION;
    }

    @Override
    public String message() {
        return Publications.leafConsequence(table, publications, "each partition created from now on");
    }

    @Override
    public String remedy() {
        return Publications.leafRemedy(table, publications);
    }
}
