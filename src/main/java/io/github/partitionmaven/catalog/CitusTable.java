package io.github.partitionmaven.catalog;

import io.github.partitionmaven.core.TableName;
import java.util.List;

/**
 * What Citus makes of a configured table on the coordinator, from {@code pg_dist_partition} alone
 * (no worker round trip): its kind and co-location group, and the range partitions that are not
 * distributed in the parent's co-location group (queries joining them would pull rows through the
 * coordinator, and an ATTACH that left one local is a broken table).
 *
 * @param colocationId Citus' co-location group, 0 for tables in none
 * @param distributionColumn the column a hash-distributed table is distributed by; null for other kinds
 * @param strayPartitions partitions of a distributed parent that are not hash-distributed with it
 */
public record CitusTable(Kind kind, int colocationId, String distributionColumn, List<TableName> strayPartitions) {

    /** Not known to Citus: a plain PostgreSQL table, or a database without the citus extension. */
    public static final CitusTable NONE = new CitusTable(Kind.NONE, 0, null, List.of());

    /** How Citus stores the table. */
    public enum Kind {
        NONE("a plain PostgreSQL table"),
        DISTRIBUTED("a hash-distributed table"),
        SINGLE_SHARD("a single-shard distributed table"),
        REFERENCE("a reference table (a full copy on every node)"),
        LOCAL("a Citus local table");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }

        /** From a {@code pg_dist_partition} row: partmethod, repmodel, colocationid. */
        static Kind of(String partmethod, String repmodel, int colocationId) {
            if ("h".equals(partmethod)) {
                return DISTRIBUTED;
            }
            if ("t".equals(repmodel)) {
                return REFERENCE;
            }
            return colocationId == 0 ? LOCAL : SINGLE_SHARD;
        }
    }

    /** Whether Citus manages the table: its DDL goes through Citus, which refuses DETACH ... CONCURRENTLY and FINALIZE. */
    public boolean managed() {
        return kind != Kind.NONE;
    }
}
