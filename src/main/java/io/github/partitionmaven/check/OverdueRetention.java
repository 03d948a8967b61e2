package io.github.partitionmaven.check;

import io.github.partitionmaven.policy.RetentionPeriod;
import io.github.partitionmaven.core.TableName;
import java.util.List;

/** Partitions entirely older than the table's retention that are still attached. */
public record OverdueRetention(TableName table, List<TableName> partitions, RetentionPeriod period) implements HealthFinding {

    public OverdueRetention {
        partitions = List.copyOf(partitions);
    }

    @Override
    public Check check() {
        return Check.RETENTION;
    }

    @Override
    public String message() {
        List<String> names = partitions.stream().map(TableName::toString).toList();
        String shown = names.size() <= 5 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
        return partitions.size() + " partition(s) past the retention of " + period + ": " + shown;
    }

    @Override
    public String remedy() {
        return "run `mvn partition:prune` (preview with `mvn partition:plan`)";
    }
}
