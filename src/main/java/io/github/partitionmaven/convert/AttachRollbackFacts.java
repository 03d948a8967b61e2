package io.github.partitionmaven.convert;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What rolling back an attach needs beyond {@link ConvertFacts}: which index of the old partition
 * belongs to which index of the partitioned table (the names it gets back), the identity columns
 * of the partitioned table, and how many rows its newer partitions hold (counted up to a cap).
 *
 * @param indexes    each index of the old partition attached to an index of the partitioned table
 * @param identities identity columns of the partitioned table: column name to {@code a} (ALWAYS) or {@code d} (BY DEFAULT)
 * @param newerRows  rows in every partition other than the old one, including a default partition; counted up to
 *                   the rollback's limit plus one
 */
record AttachRollbackFacts(List<PartitionIndex> indexes, Map<String, String> identities, long newerRows) {

    /** An index of the old partition, the index of the partitioned table it is attached to, and its comment. */
    record PartitionIndex(String name, String parentName, Optional<String> comment) {
    }
}
