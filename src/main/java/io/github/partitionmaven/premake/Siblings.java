package io.github.partitionmaven.premake;

import io.github.partitionmaven.catalog.ColumnTuning;
import io.github.partitionmaven.catalog.PartitionInfo;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import java.util.List;
import java.util.Optional;

/**
 * What a new partition takes from the partitions already there, because neither {@code LIKE} nor its parent passes it on:
 * persistence (UNLOGGED, like the latest partition), storage parameters, replica identity and columns' statistics tuning
 * (like the latest partition having any). A partitioned table has no storage, so it holds none of them for its partitions. And the parent's tablespace,
 * which PostgreSQL gives a partition created PARTITION OF it, but not one created LIKE it and then attached.
 */
record Siblings(Optional<PartitionInfo> unlogged, Optional<PartitionInfo> storage, Optional<PartitionInfo> identity, Optional<String> tablespace,
                Optional<PartitionInfo> tuning) {

    static Siblings of(TableState state) {
        return new Siblings(state.latestPartition().filter(PartitionInfo::unlogged), state.storageReference(), state.replicaIdentityReference(),
                state.tablespace(), state.tuningReference());
    }

    /** The CREATE TABLE of {@code partition} like {@code parent}, with the persistence and storage parameters of its siblings. */
    String create(TableName partition, TableName parent, boolean ifNotExists) {
        return "CREATE " + persistence() + "TABLE " + (ifNotExists ? "IF NOT EXISTS " : "") + partition.sql() + " (LIKE " + parent.sql()
                + " INCLUDING ALL EXCLUDING IDENTITY)" + storage.map(p -> p.storage().withClause()).orElse("")
                + tablespace.map(t -> " TABLESPACE " + Sql.ident(t)).orElse("");
    }

    /** The columns' statistics tuning of the latest partition with any, for {@code partition} once it is created. */
    List<String> tuning(TableName partition) {
        return tuning.stream().flatMap(p -> p.tuning().stream()).flatMap(c -> c.statements(partition).stream()).toList();
    }

    /** "UNLOGGED " or nothing. */
    String persistence() {
        return unlogged.isPresent() ? "UNLOGGED " : "";
    }

    /** What gives {@code partition} the replica identity of its siblings, once it is attached; none for DEFAULT. */
    List<String> replicaIdentity(TableName partition) {
        return identity.map(p -> p.replicaIdentity().statements(partition)).orElse(List.of());
    }

    /** Whether the identity is USING an index, which exists only once the partition is attached (its index to the parent's). */
    boolean identityNeedsAttach() {
        return identity.map(p -> p.replicaIdentity().mode() == 'i').orElse(false);
    }

    /** What the step's reason says about each: empty when there is nothing to take. */
    String reason() {
        return tablespace.map(t -> "; in tablespace " + Sql.ident(t) + ", the partitioned table's").orElse("")
                + unlogged.map(p -> "; UNLOGGED like " + p.name() + ", the latest partition (no WAL, emptied by a crash)").orElse("")
                + storage.map(p -> "; storage parameters " + p.storage().describe() + " like " + p.name() + ", the latest partition with any")
                .orElse("")
                + tuning.map(p -> "; the statistics tuning of column(s) " + ColumnTuning.describe(p.tuning()) + " like " + p.name()
                + ", the latest partition with any").orElse("")
                + identity.map(p -> "; " + p.replicaIdentity().describe().orElseThrow() + " like " + p.name() + ", the latest partition with"
                + " one (a new partition gets DEFAULT, and logical replication would log less of its rows' changes)").orElse("");
    }
}
