package io.github.partitionmaven.catalog;

import io.github.partitionmaven.core.TableName;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the database has for one configured table. {@code name} is resolved to its schema when the
 * table exists; {@code similarNames} lists near matches when it does not. {@code tablespace} is the table's when not the
 * database's default (for a partitioned table: where its partitions are created). {@code leafPublications} are the
 * publications that publish the table with {@code publish_via_partition_root} off (by name, FOR ALL TABLES or FOR TABLES IN
 * SCHEMA): they publish each partition under its own name, so a subscriber receives the rows of a new partition only once it
 * has the partition too and has refreshed its subscription.
 */
public record TableState(
        TableName configured,
        TableName name,
        long oid,
        Kind kind,
        String partitionStrategy,
        List<String> partitionColumns,
        boolean partitionKeyIsExpression,
        KeyColumn keyColumn,
        List<String> columns,
        List<String> insertableColumns,
        long estimatedRows,
        long bytes,
        List<PartitionInfo> partitions,
        Optional<PartitionInfo> defaultPartition,
        DefaultContent defaultContent,
        List<String> similarNames,
        TableAccess access,
        Optional<String> tablespace,
        List<String> leafPublications,
        CitusTable citus) {

    /** What kind of relation the configured name is. */
    public enum Kind { MISSING, PLAIN, PARTITIONED, PARTITION, OTHER }

    /** The configured key column; {@code keyType} is empty when its type is not a date/time type. */
    public record KeyColumn(String name, int typeOid, String typeName, boolean notNull, Optional<KeyType> keyType) {
    }

    /** Rows in the default partition: per interval start (as PostgreSQL buckets them), and with a NULL key. */
    public record DefaultContent(long rows, Map<LocalDate, Long> rowsByInterval, long nullKeyRows) {
        public static final DefaultContent EMPTY = new DefaultContent(0, Map.of(), 0);
    }

    public boolean exists() {
        return kind != Kind.MISSING;
    }

    /** Total size: the parent's own plus every partition's. */
    /**
     * The partition a new one takes its persistence from: the one with the highest range (the default partition when
     * there is no other). A partitioned table has no storage, so its own relpersistence says nothing: PostgreSQL 18
     * refuses CREATE UNLOGGED on it, and 14-17 accept it without passing it to partitions created later.
     */
    public Optional<PartitionInfo> latestPartition() {
        return partitions.stream().filter(p -> !p.isDefault()).max(java.util.Comparator.comparingLong(PartitionInfo::upper))
                .or(() -> defaultPartition);
    }

    /**
     * The latest partition with a replica identity other than DEFAULT (FULL, NOTHING, or USING an index attached to the
     * parent's): what premake gives a new partition, and what check compares the others with. PostgreSQL gives a new
     * partition DEFAULT whatever its parent and siblings have, so the latest partition may be the one that lacks it.
     */
    public Optional<PartitionInfo> replicaIdentityReference() {
        return partitions.stream().filter(p -> !p.isDefault()).filter(p -> !p.replicaIdentity().statements(p.name()).isEmpty())
                .max(java.util.Comparator.comparingLong(PartitionInfo::upper));
    }

    /**
     * The latest partition with storage parameters (fillfactor, autovacuum_*, ...): what premake gives a new partition, by the
     * same rule as {@link #replicaIdentityReference}, since PostgreSQL gives a new partition none whatever its siblings have.
     */
    public Optional<PartitionInfo> storageReference() {
        return partitions.stream().filter(p -> !p.isDefault()).filter(p -> !p.storage().isEmpty())
                .max(java.util.Comparator.comparingLong(PartitionInfo::upper));
    }

    /** The latest partition with a column's statistics tuned: what premake gives a new partition, as {@link #storageReference}. */
    public Optional<PartitionInfo> tuningReference() {
        return partitions.stream().filter(p -> !p.isDefault()).filter(p -> !p.tuning().isEmpty())
                .max(java.util.Comparator.comparingLong(PartitionInfo::upper));
    }

    public long totalBytes() {
        return bytes + partitions.stream().mapToLong(PartitionInfo::bytes).sum()
                + defaultPartition.map(PartitionInfo::bytes).orElse(0L);
    }

    public KeyType keyType() {
        return keyColumn.keyType().orElseThrow();
    }
}
