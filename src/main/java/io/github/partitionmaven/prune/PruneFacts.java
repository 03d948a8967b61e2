package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.Jdbc;
import io.github.partitionmaven.catalog.Catalog;
import io.github.partitionmaven.catalog.PartitionInfo;
import io.github.partitionmaven.catalog.ReplicaIdentity;
import io.github.partitionmaven.catalog.StorageParameters;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.plan.RetentionRule;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.core.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What prune needs beyond the catalog, read in at most four queries for all tables: tables it
 * detached but has not finished with (found by their {@link DetachMarker}), foreign key rows that
 * still reference partitions past retention, and which retention schemas exist with which relations.
 *
 * @param unfinished detached tables still carrying prune's marker, per parent, oldest range first
 * @param referencedBy per expired partition, the foreign keys with rows pointing into it
 * @param schemas the configured retention schemas that exist
 * @param taken the relations already in those schemas
 * @param database the database connected to, which archive manifests name
 */
public record PruneFacts(Map<TableName, List<DetachedTable>> unfinished, Map<TableName, List<String>> referencedBy,
                         Set<String> schemas, Set<TableName> taken, String database) {

    /** A standalone table prune detached from {@code marker.parent()}. */
    public record DetachedTable(TableName name, DetachMarker marker, long estimatedRows, long bytes) {

        /** The table as a partition record, so planning treats it like the partition it was. */
        public PartitionInfo asPartition() {
            return new PartitionInfo(name, 0, false, marker.lower(), marker.upper(), marker.bound(), false, estimatedRows, bytes, false,
                    ReplicaIdentity.DEFAULT, StorageParameters.NONE, List.of());
        }
    }

    public static final PruneFacts NONE = new PruneFacts(Map.of(), Map.of(), Set.of(), Set.of(), null);

    private static final String UNFINISHED = """
            SELECT n.nspname, c.relname, d.description, greatest(c.reltuples, 0)::bigint AS est_rows,
                   pg_catalog.pg_total_relation_size(c.oid) AS bytes
              FROM pg_description d
              JOIN pg_class c ON c.oid = d.objoid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE d.classoid = 'pg_class'::regclass AND d.objsubid = 0 AND c.relkind = 'r' AND NOT c.relispartition
               AND pg_catalog.starts_with(d.description, ?::text)
            """;

    private static final String FOREIGN_KEYS = """
            SELECT con.conname, con.confrelid::bigint AS parent, n.nspname, c.relname,
                   (SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.ord) FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS cols,
                   (SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.ord) FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS ref_cols
              FROM pg_constraint con
              JOIN pg_class c ON c.oid = con.conrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE con.contype = 'f' AND con.conparentid = 0 AND con.confrelid = ANY (?::oid[])
            """;

    public static PruneFacts read(Connection c, Catalog catalog, List<TablePolicy> policies, RunSettings settings)
            throws SQLException {
        Map<TableState, List<PartitionInfo>> expired = new HashMap<>();
        Set<String> wantedSchemas = new HashSet<>();
        for (TablePolicy policy : policies) {
            TableState state = catalog.table(policy.table());
            if (state.kind() != TableState.Kind.PARTITIONED || state.keyColumn() == null || state.keyColumn().keyType().isEmpty()) {
                continue;
            }
            if (policy.retention().isEmpty()) {
                expired.put(state, List.of());
                continue;
            }
            expired.put(state, RetentionRule.expired(state, policy.retention().get().period(), settings));
            if (policy.retention().get().detachSchema() != null) {
                wantedSchemas.add(policy.retention().get().detachSchema());
            }
        }
        if (expired.isEmpty()) {
            return NONE;
        }
        Set<String> schemas = new HashSet<>();
        Set<TableName> taken = new HashSet<>();
        readSchemas(c, wantedSchemas, schemas, taken);
        return new PruneFacts(unfinished(c), referencedBy(c, expired), schemas, taken, c.getCatalog());
    }

    public List<DetachedTable> unfinished(TableName parent) {
        return unfinished.getOrDefault(parent, List.of());
    }

    public List<String> referencedBy(TableName partition) {
        return referencedBy.getOrDefault(partition, List.of());
    }

    private static Map<TableName, List<DetachedTable>> unfinished(Connection c) throws SQLException {
        Map<TableName, List<DetachedTable>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(UNFINISHED)) {
            ps.setString(1, DetachMarker.PENDING_PREFIX);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableName name = new TableName(rs.getString("nspname"), rs.getString("relname"));
                    long rows = rs.getLong("est_rows");
                    long bytes = rs.getLong("bytes");
                    DetachMarker.parse(rs.getString("description")).ifPresent(m ->
                            out.computeIfAbsent(m.parent(), k -> new ArrayList<>()).add(new DetachedTable(name, m, rows, bytes)));
                }
            }
        }
        out.values().forEach(l -> l.sort(Comparator.comparingLong(t -> t.marker().lower())));
        return out;
    }

    /** One query: which expired partitions have rows referencing them, per foreign key onto their parent. */
    private static Map<TableName, List<String>> referencedBy(Connection c, Map<TableState, List<PartitionInfo>> expired)
            throws SQLException {
        Map<Long, TableState> byOid = new HashMap<>();
        expired.forEach((state, parts) -> {
            if (!parts.isEmpty()) {
                byOid.put(state.oid(), state);
            }
        });
        Map<TableName, List<String>> out = new HashMap<>();
        if (byOid.isEmpty()) {
            return out;
        }
        record ForeignKey(String name, TableName referencing, List<String> cols, List<String> refCols) {
        }
        Map<Long, List<ForeignKey>> keys = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(FOREIGN_KEYS)) {
            ps.setArray(1, c.createArrayOf("oid", byOid.keySet().toArray(Long[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.computeIfAbsent(rs.getLong("parent"), k -> new ArrayList<>()).add(new ForeignKey(rs.getString("conname"),
                            new TableName(rs.getString("nspname"), rs.getString("relname")), Jdbc.strings(rs.getArray("cols")),
                            Jdbc.strings(rs.getArray("ref_cols"))));
                }
            }
        }
        List<String> probes = new ArrayList<>();
        List<TableName> probedPartition = new ArrayList<>();
        List<String> probeText = new ArrayList<>();
        keys.forEach((oid, fks) -> {
            for (PartitionInfo p : expired.get(byOid.get(oid))) {
                for (ForeignKey fk : fks) {
                    List<String> on = new ArrayList<>();
                    for (int i = 0; i < fk.cols().size(); i++) {
                        on.add("r." + Sql.ident(fk.cols().get(i)) + " = t." + Sql.ident(fk.refCols().get(i)));
                    }
                    probes.add("SELECT " + probes.size() + " AS idx WHERE EXISTS (SELECT 1 FROM " + fk.referencing().sql() + " r JOIN "
                            + p.name().sql() + " t ON " + String.join(" AND ", on) + ")");
                    probedPartition.add(p.name());
                    probeText.add("constraint " + Sql.ident(fk.name()) + " on " + fk.referencing().sql() + " ("
                            + Sql.identList(fk.cols()) + ")");
                }
            }
        });
        if (probes.isEmpty()) {
            return out;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(String.join("\nUNION ALL\n", probes))) {
            while (rs.next()) {
                int i = rs.getInt(1);
                out.computeIfAbsent(probedPartition.get(i), k -> new ArrayList<>()).add(probeText.get(i));
            }
        }
        return out;
    }

    private static void readSchemas(Connection c, Set<String> wanted, Set<String> schemas, Set<TableName> taken) throws SQLException {
        if (wanted.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname::text, c.relname::text FROM pg_namespace n"
                + " LEFT JOIN pg_class c ON c.relnamespace = n.oid WHERE n.nspname = ANY (?::text[])")) {
            ps.setArray(1, c.createArrayOf("text", wanted.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    schemas.add(rs.getString(1));
                    if (rs.getString(2) != null) {
                        taken.add(new TableName(rs.getString(1), rs.getString(2)));
                    }
                }
            }
        }
    }

}
