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

    /**
     * What a Citus DDL transaction on a distributed table sends just before its locking statement (ATTACH, DETACH), so
     * that a concurrent writer waits only for Citus' own work on the shards. Measured with log_lock_waits on Citus 13.2
     * (2 cores, load 15-18): the writer waited 393-770 ms behind an ATTACH and 496-883 ms behind a DETACH of a
     * 32-shard table in the default parallel mode, 114-304 ms and 286-328 ms with these two statements. Why:
     * <ul>
     * <li>{@code SET LOCAL citus.multi_shard_modify_mode = 'sequential'}: one connection per worker instead of up to
     * three, so no worker backend is forked while the parent is locked and the commit prepares one transaction per
     * worker, not one per connection.</li>
     * <li>{@code SELECT 1 FROM partition LIMIT 1}: opens (or takes from the session's cache) those connections, before
     * the locking statement; it locks nothing a writer needs (ACCESS SHARE on a partition that is not written).</li>
     * </ul>
     * What is left is Citus': an ATTACH renames the new partition's shard indexes
     * ({@code worker_fix_partition_shard_index_names}, one call per parent shard), which locks every partition's shard
     * index SHARE ROW EXCLUSIVE until commit, and a DETACH holds ACCESS EXCLUSIVE on the parent (and its shards) while
     * the coordinator and each worker detach them; then the two-phase commit.
     */
    public static List<String> beforeLockingDdl(TableName partition) {
        return List.of(SEQUENTIAL, "SELECT 1 FROM " + partition.sql() + " LIMIT 1");
    }

    /**
     * One connection per worker for the rest of the transaction. Also what the step that creates a new partition's shards
     * sends before {@code create_distributed_table}: in the default parallel mode Citus forks up to 16 backends per worker
     * for the 32 shards and prepares 32 transactions at commit, and on the 2-core test machine (load 5-10) that burst
     * stalled a writer into the current month 116-156 ms with no lock involved (the slowest inserts of 2 runs all fell in
     * the create steps); sequential, none of the slowest inserts fell in a create step and the 4 months took 3.5-6.6 s
     * instead of 8.5-9.9 s.
     */
    public static final String SEQUENTIAL = "SET LOCAL citus.multi_shard_modify_mode = 'sequential'";
}
