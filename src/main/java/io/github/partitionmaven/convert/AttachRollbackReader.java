package io.github.partitionmaven.convert;

import io.github.partitionmaven.catalog.PartitionInfo;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads {@link AttachRollbackFacts} for every partitioned table whose old table is one of its partitions,
 * in three queries whatever the number of tables: index attachments, identity columns, and one
 * UNION ALL counting the rows of the newer partitions (each count stops at the cap).
 */
final class AttachRollbackReader {

    private static final String INDEXES = """
            SELECT x.indrelid::bigint, ci.relname, pi.relname, pg_catalog.obj_description(ci.oid, 'pg_class')
              FROM pg_index x JOIN pg_class ci ON ci.oid = x.indexrelid
              JOIN pg_inherits h ON h.inhrelid = x.indexrelid JOIN pg_class pi ON pi.oid = h.inhparent
             WHERE x.indrelid = ANY (?::oid[])
             ORDER BY ci.relname
            """;

    private static final String IDENTITIES = """
            SELECT attrelid::bigint, attname, attidentity::text FROM pg_attribute
             WHERE attrelid = ANY (?::oid[]) AND attnum > 0 AND NOT attisdropped AND attidentity <> ''
            """;

    private AttachRollbackReader() {
    }

    /** Facts per table, for the partitioned tables in {@code states} that have {@code old} (by table) as a partition. */
    static Map<TableName, AttachRollbackFacts> read(Connection c, Map<TableName, TableState> states, Map<TableName, TableName> olds,
                                                    long cap) throws SQLException {
        Map<TableName, PartitionInfo> oldPartitions = new HashMap<>();
        states.forEach((table, s) -> s.partitions().stream().filter(p -> p.name().equals(olds.get(table))).findFirst()
                .ifPresent(p -> oldPartitions.put(table, p)));
        Map<TableName, AttachRollbackFacts> out = new HashMap<>();
        if (oldPartitions.isEmpty()) {
            return out;
        }
        List<TableName> tables = new ArrayList<>(oldPartitions.keySet());
        Map<Long, List<AttachRollbackFacts.PartitionIndex>> indexes = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(INDEXES)) {
            ps.setArray(1, c.createArrayOf("oid", tables.stream().map(t -> oldPartitions.get(t).oid()).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    indexes.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(new AttachRollbackFacts.PartitionIndex(rs.getString(2), rs.getString(3),
                                    Optional.ofNullable(rs.getString(4))));
                }
            }
        }
        Map<Long, Map<String, String>> identities = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(IDENTITIES)) {
            ps.setArray(1, c.createArrayOf("oid", tables.stream().map(t -> states.get(t).oid()).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    identities.computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).put(rs.getString(2), rs.getString(3));
                }
            }
        }
        Map<TableName, Long> rows = countNewer(c, tables, states, oldPartitions, cap);
        for (TableName t : tables) {
            out.put(t, new AttachRollbackFacts(List.copyOf(indexes.getOrDefault(oldPartitions.get(t).oid(), List.of())),
                    Map.copyOf(identities.getOrDefault(states.get(t).oid(), Map.of())), rows.getOrDefault(t, 0L)));
        }
        return out;
    }

    private static Map<TableName, Long> countNewer(Connection c, List<TableName> tables, Map<TableName, TableState> states,
                                                   Map<TableName, PartitionInfo> oldPartitions, long cap) throws SQLException {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < tables.size(); i++) {
            List<String> newer = newerPartitions(states.get(tables.get(i)), oldPartitions.get(tables.get(i)).name()).stream()
                    .map(p -> "SELECT FROM " + p.name().sql()).toList();
            if (!newer.isEmpty()) {
                parts.add("SELECT " + i + " AS idx, (SELECT pg_catalog.count(*) FROM (" + String.join(" UNION ALL ", newer) + " LIMIT " + (cap + 1)
                        + ") x) AS rows");
            }
        }
        Map<TableName, Long> out = new HashMap<>();
        if (parts.isEmpty()) {
            return out;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(String.join("\nUNION ALL\n", parts))) {
            while (rs.next()) {
                out.put(tables.get(rs.getInt("idx")), rs.getLong("rows"));
            }
        }
        return out;
    }

    /** Every partition of {@code state} but {@code old}, the default partition last. */
    static List<PartitionInfo> newerPartitions(TableState state, TableName old) {
        return Stream.concat(state.partitions().stream(), state.defaultPartition().stream()).filter(p -> !p.name().equals(old)).toList();
    }
}
