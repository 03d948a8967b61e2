package io.github.partitionmaven.catalog;

import java.util.List;
import java.util.Optional;

/**
 * The server the plugin talks to.
 *
 * @param citusVersion the citus extension's version when it is created in this database
 * @param citusCoordinator whether this node is the Citus coordinator (false without Citus)
 * @param hintBitsLogged   whether setting a hint bit can write the page into the WAL: with {@code data_checksums} (initdb's
 *                         default from 18) or {@code wal_log_hints}, the first hint after a checkpoint began logs a full-page image
 * @param readsAllStats    whether the role sees other sessions' statistics (superuser, {@code pg_read_all_stats} or {@code
 *                         pg_monitor}): a standby's replay lag in pg_stat_replication and autovacuum in pg_stat_progress_vacuum are
 *                         NULL to everyone else
 * @param idleSlots        the replication slots no one is reading from, which keep every WAL segment written since theirs
 * @param slotWalLimit     max_slot_wal_keep_size, past which such a slot is given up; empty: none (-1, the default)
 */
public record ServerInfo(int versionNum, String version, Optional<String> citusVersion, boolean citusCoordinator, boolean hintBitsLogged,
                         boolean readsAllStats, List<IdleSlot> idleSlots, Optional<String> slotWalLimit) {

    /** A replication slot without a reader, with the WAL it keeps now (0 on a standby, which cannot say). */
    public record IdleSlot(String name, String type, long retainedBytes) {
    }

    /** A server of which only the version is known: hint bits are assumed logged, other sessions' statistics readable. */
    public ServerInfo(int versionNum, String version) {
        this(versionNum, version, Optional.empty(), false, true, true, List.of(), Optional.empty());
    }

    public ServerInfo withCitusCoordinator(boolean coordinator) {
        return new ServerInfo(versionNum, version, citusVersion, coordinator, hintBitsLogged, readsAllStats, idleSlots, slotWalLimit);
    }

    public boolean citus() {
        return citusVersion.isPresent();
    }

    public static final int MIN_VERSION_NUM = 140000;

    public int major() {
        return versionNum / 10000;
    }

    /** {@code ANALYZE ONLY} on a partitioned table: its own statistics, without analyzing every partition (18+). */
    public boolean analyzesParentOnly() {
        return major() >= 18;
    }

    /** NOT NULL is a named constraint in pg_constraint, which {@code ADD CONSTRAINT <name> NOT NULL <column>} names (18+). */
    public boolean namesNotNullConstraints() {
        return major() >= 18;
    }

    /** A partitioned table can take a NOT VALID foreign key, validated later under a weaker lock (18+). */
    public boolean addsNotValidForeignKeysToPartitionedTables() {
        return major() >= 18;
    }
}
