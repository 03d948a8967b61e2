package io.github.partitionmaven.check;

import io.github.partitionmaven.core.TableName;
import java.util.List;
import java.util.Map;

/**
 * The slowest statements per configured table, or why there are none: {@code note} says where they
 * came from, or that pg_stat_statements is not available (not an error).
 */
public record StatementStatistics(boolean available, String note, Map<TableName, List<StatementStats>> byTable) {

    public StatementStatistics {
        byTable = Map.copyOf(byTable);
    }

    public static StatementStatistics unavailable(String note) {
        return new StatementStatistics(false, note, Map.of());
    }

    public List<StatementStats> forTable(TableName configured) {
        return byTable.getOrDefault(configured, List.of());
    }
}
