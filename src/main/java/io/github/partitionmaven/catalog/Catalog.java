package io.github.partitionmaven.catalog;

import io.github.partitionmaven.core.TableName;
import java.util.List;

/** The state of all configured tables, read in one pass. */
public record Catalog(ServerInfo server, List<TableState> tables) {

    public TableState table(TableName configured) {
        return tables.stream().filter(t -> t.configured().equals(configured)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not read: " + configured));
    }
}
