package io.github.partitionmaven.catalog;

import io.github.partitionmaven.core.Jdbc;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.core.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the state of every configured table in a fixed number of queries, whatever the number of
 * tables and partitions: server version, the tables, all their partitions with bounds computed by
 * PostgreSQL, the content of default partitions, and, in a database with the citus extension, one
 * more: what Citus makes of the tables and their partitions.
 */
public final class CatalogReader {

    private static final String TABLES = """
            SELECT w.idx, n.nspname, c.relname, c.oid::bigint AS oid, c.relkind::text AS relkind, c.relispartition,
                   greatest(c.reltuples, 0)::bigint AS est_rows,
                   CASE WHEN c.oid IS NULL THEN 0 ELSE {SIZE} END AS bytes,
                   pt.partstrat::text AS partstrat,
                   (SELECT s.spcname FROM pg_tablespace s WHERE s.oid = c.reltablespace) AS tablespace,
                   {ACCESS},
                   (SELECT pg_catalog.array_agg(p.pubname::text ORDER BY p.pubname) FROM pg_publication p
                     WHERE NOT p.pubviaroot AND (p.puballtables OR EXISTS (SELECT 1 FROM pg_publication_rel pr WHERE pr.prpubid = p.oid AND pr.prrelid = c.oid){PUB_SCHEMA})) AS leaf_pubs,
                   (SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.ord)
                      FROM pg_catalog.unnest(pt.partattrs::int2[]) WITH ORDINALITY AS k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) AS part_cols,
                   pt.partexprs IS NOT NULL AS part_exprs,
                   ka.attname::text AS key_name, ka.atttypid::int AS key_type_oid,
                   pg_catalog.format_type(ka.atttypid, ka.atttypmod) AS key_type, ka.attnotnull AS key_not_null,
                   (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
                     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS cols,
                   (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
                     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') AS insert_cols,
                   CASE WHEN c.oid IS NULL THEN
                     (SELECT pg_catalog.array_agg(pg_catalog.format('%I.%I', n2.nspname, c2.relname) ORDER BY n2.nspname, c2.relname)
                        FROM pg_class c2 JOIN pg_namespace n2 ON n2.oid = c2.relnamespace
                       WHERE pg_catalog.lower(c2.relname) = pg_catalog.lower(w.tname) AND c2.relkind IN ('r', 'p')
                         AND (w.sname IS NULL OR pg_catalog.lower(n2.nspname) = pg_catalog.lower(w.sname))) END AS similar
              FROM unnest(?::int[], ?::text[], ?::text[], ?::text[]) AS w(idx, sname, tname, cname)
              LEFT JOIN LATERAL (
                     SELECT c0.oid FROM pg_class c0 JOIN pg_namespace n0 ON n0.oid = c0.relnamespace
                      WHERE c0.relname = w.tname
                        AND (n0.nspname = w.sname OR (w.sname IS NULL AND n0.nspname = ANY ({USER_SCHEMAS})))
                      ORDER BY pg_catalog.array_position({USER_SCHEMAS}, n0.nspname) NULLS LAST
                      LIMIT 1) r ON true
              LEFT JOIN pg_class c ON c.oid = r.oid
              LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
              LEFT JOIN pg_attribute ka ON ka.attrelid = c.oid AND ka.attname = w.cname AND ka.attnum > 0 AND NOT ka.attisdropped
             ORDER BY w.idx
            """;

    /** A FOR TABLES IN SCHEMA publication (PostgreSQL 15 and later) publishes the table too. */
    private static final String PUB_SCHEMA = " OR EXISTS (SELECT 1 FROM pg_publication_namespace pn WHERE pn.pnpubid = p.oid AND pn.pnnspid = c.relnamespace)";

    /** Epoch bounds (t.unit > 0, the micros per unit) are integers, quoted by pg_get_expr for bigint: '1764547200000'. */
    private static final String BOUND_MICROS = """
            CASE WHEN %1$s IS NULL OR %1$s IN ('MINVALUE', 'MAXVALUE') OR pg_catalog.btrim(%1$s, '''') IN ('infinity', '-infinity') THEN NULL
                 WHEN t.unit > 0 THEN {EPOCH}
                 ELSE (extract(epoch FROM CASE t.keytype
                         WHEN 1082 THEN pg_catalog.btrim(%1$s, '''')::date::timestamp AT TIME ZONE 'UTC'
                         WHEN 1114 THEN pg_catalog.btrim(%1$s, '''')::timestamp AT TIME ZONE 'UTC'
                         ELSE pg_catalog.btrim(%1$s, '''')::timestamptz END) * 1000000)::bigint END""";

    private static final String PARTITIONS = """
            SELECT t.parent::bigint AS parent, c.oid::bigint AS oid, n.nspname, c.relname, i.inhdetachpending,
                   c.relpersistence = 'u' AS unlogged, c.relreplident::text AS replident, ri.nspname AS ri_schema, ri.relname AS ri_name,
                   c.reloptions, (SELECT tc.reloptions FROM pg_class tc WHERE tc.oid = c.reltoastrelid) AS toast_reloptions,
                   {TUNING} AS tuning,
                   greatest(c.reltuples, 0)::bigint AS est_rows, {SIZE} AS bytes,
                   pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound,
                   %s AS lo, %s AS hi
              FROM unnest(?::oid[], ?::int[], ?::int8[]) AS t(parent, keytype, unit)
              JOIN pg_inherits i ON i.inhparent = t.parent
              JOIN pg_class c ON c.oid = i.inhrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN LATERAL (SELECT pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                                 '^FOR VALUES FROM \\((.+)\\) TO \\((.+)\\)$') AS m) x ON true
              LEFT JOIN LATERAL (SELECT pn.nspname, pc.relname FROM pg_index ix JOIN pg_inherits ih ON ih.inhrelid = ix.indexrelid
                                   JOIN pg_class pc ON pc.oid = ih.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                                  WHERE ix.indrelid = c.oid AND ix.indisreplident) ri ON true
            """.formatted(boundMicros("x.m[1]"), boundMicros("x.m[2]"));

    private static String boundMicros(String bound) {
        return BOUND_MICROS.replace("{EPOCH}", KeyType.saturatedMicros("pg_catalog.btrim(%1$s, '''')::numeric * t.unit")).formatted(bound);
    }

    /** How partition and table sizes are read. */
    public enum Sizes {
        /** pg_total_relation_size: stats every file of every partition, its TOAST table and indexes (check). */
        EXACT("pg_catalog.pg_total_relation_size(c.oid)"),
        /**
         * Pages as the catalog last recorded them (VACUUM, ANALYZE, CREATE INDEX) times the block size:
         * no file is opened, so planning stays fast with thousands of partitions.
         */
        ESTIMATED("((c.relpages::bigint + coalesce((SELECT t.relpages FROM pg_class t WHERE t.oid = c.reltoastrelid), 0)"
                + " + coalesce((SELECT pg_catalog.sum(ic.relpages) FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid"
                + " WHERE x.indrelid = c.oid), 0)) * pg_catalog.current_setting('block_size')::bigint)");

        private final String expression;

        Sizes(String expression) {
            this.expression = expression;
        }
    }

    private CatalogReader() {
    }

    /**
     * Is the relation known to Citus, and how: from the coordinator's metadata only. {@code citus_is_coordinator()} rides
     * along so a worker is told from the coordinator in the same query; the LEFT JOIN keeps that row when no oid is given.
     */
    private static final String CITUS = """
            SELECT co.coordinator, x.oid::bigint AS oid, d.partmethod::text AS partmethod, d.repmodel::text AS repmodel,
                   coalesce(d.colocationid, 0) AS colocationid,
                   CASE WHEN d.partmethod = 'h' THEN pg_catalog.column_to_column_name(d.logicalrelid, d.partkey) END AS distcol
              FROM (SELECT pg_catalog.citus_is_coordinator() AS coordinator) co
              LEFT JOIN pg_catalog.unnest(?::oid[]) AS x(oid) ON true
              LEFT JOIN pg_dist_partition d ON d.logicalrelid = x.oid
            """;

    /**
     * The sizes of distributed tables live on the workers: the coordinator's own relation is an empty shell (0 bytes), so
     * check asks Citus for them. citus_total_relation_size refuses a relation Citus does not know, hence the guard.
     */
    private static final String CITUS_EXACT_SIZE = "CASE WHEN EXISTS (SELECT 1 FROM pg_dist_partition d WHERE d.logicalrelid = c.oid)"
            + " THEN pg_catalog.citus_total_relation_size(c.oid) ELSE pg_catalog.pg_total_relation_size(c.oid) END";

    public static ServerInfo server(Connection c) throws SQLException {
        ServerInfo server = version(c);
        if (!server.citus()) {
            return server;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_catalog.citus_is_coordinator()")) {
            rs.next();
            return server.withCitusCoordinator(rs.getBoolean(1));
        }
    }

    private static ServerInfo version(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_catalog.current_setting('server_version_num')::int, pg_catalog.current_setting('server_version'),"
                     + " (SELECT extversion FROM pg_extension WHERE extname = 'citus'),"
                     + " pg_catalog.current_setting('data_checksums') = 'on' OR pg_catalog.current_setting('wal_log_hints') = 'on',"
                     + " pg_catalog.pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'),"
                     // slot names are lower-case letters, digits and underscores: a space separates safely
                     + " (SELECT pg_catalog.array_agg(s.slot_name || ' ' || s.slot_type || ' ' || CASE WHEN pg_catalog.pg_is_in_recovery() THEN 0"
                     + " ELSE pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), s.restart_lsn)::bigint END ORDER BY s.slot_name)"
                     + " FROM pg_catalog.pg_replication_slots s WHERE NOT s.active AND s.restart_lsn IS NOT NULL),"
                     + " pg_catalog.current_setting('max_slot_wal_keep_size')")) {
            rs.next();
            List<ServerInfo.IdleSlot> idle = Jdbc.strings(rs.getArray(6)).stream().map(slot -> slot.split(" "))
                    .map(f -> new ServerInfo.IdleSlot(f[0], f[1], Long.parseLong(f[2]))).toList();
            String limit = rs.getString(7);
            ServerInfo server = new ServerInfo(rs.getInt(1), rs.getString(2), Optional.ofNullable(rs.getString(3)), false, rs.getBoolean(4),
                    rs.getBoolean(5), idle, limit.equals("-1") ? Optional.empty() : Optional.of(limit));
            if (server.versionNum() < ServerInfo.MIN_VERSION_NUM) {
                throw PartitionException.databaseState("The server runs PostgreSQL " + server.version()
                        + "; partition-maven-plugin needs PostgreSQL 14 or newer (DETACH CONCURRENTLY, detach-pending state)."
                        + " Upgrade the server or point <url> at a newer one.");
            }
            return server;
        }
    }

    public static Catalog read(Connection c, List<TablePolicy> policies, ZoneId zone) throws SQLException {
        return read(c, policies, zone, Sizes.EXACT);
    }

    public static Catalog read(Connection c, List<TablePolicy> policies, ZoneId zone, Sizes sizes) throws SQLException {
        ServerInfo server = version(c);
        String size = server.citus() && sizes == Sizes.EXACT ? CITUS_EXACT_SIZE : sizes.expression;
        List<TableState> tables = readTables(c, policies, size, server.major());
        Map<Long, List<PartitionInfo>> partitions = readPartitions(c, tables, size);
        if (server.citus()) {
            Citus citus = readCitus(c, tables, partitions);
            server = server.withCitusCoordinator(citus.coordinator());
            refuseWorker(server, tables, citus);
            tables = tables.stream().map(t -> withCitus(t, citus.of(t, partitions.getOrDefault(t.oid(), List.of())))).toList();
        }
        List<TableState> complete = new ArrayList<>();
        Map<Integer, DefaultQuery> defaults = new HashMap<>();
        for (int i = 0; i < tables.size(); i++) {
            TableState t = withPartitions(tables.get(i), partitions.getOrDefault(tables.get(i).oid(), List.of()));
            complete.add(t);
            if (t.defaultPartition().isPresent() && t.keyColumn() != null && t.keyColumn().keyType().isPresent()) {
                defaults.put(i, new DefaultQuery(t.defaultPartition().get().name(), t.keyColumn().name(), t.keyType(),
                        policies.get(i)));
            }
        }
        if (!defaults.isEmpty()) {
            Map<Integer, TableState.DefaultContent> content = readDefaults(c, defaults, zone);
            content.forEach((i, d) -> complete.set(i, withDefaultContent(complete.get(i), d)));
        }
        return new Catalog(server, List.copyOf(complete));
    }

    private record Citus(boolean coordinator, Map<Long, CitusTable> kinds) {
        CitusTable of(TableState t, List<PartitionInfo> partitions) {
            CitusTable own = kinds.getOrDefault(t.oid(), CitusTable.NONE);
            if (own.kind() != CitusTable.Kind.DISTRIBUTED) {
                return own;
            }
            List<TableName> stray = partitions.stream().filter(p -> {
                CitusTable k = kinds.getOrDefault(p.oid(), CitusTable.NONE);
                return k.kind() != CitusTable.Kind.DISTRIBUTED || k.colocationId() != own.colocationId();
            }).map(PartitionInfo::name).toList();
            return new CitusTable(own.kind(), own.colocationId(), own.distributionColumn(), stray);
        }
    }

    /** One query for the tables and all their partitions. */
    private static Citus readCitus(Connection c, List<TableState> tables, Map<Long, List<PartitionInfo>> partitions) throws SQLException {
        List<Long> oids = new ArrayList<>();
        tables.stream().filter(TableState::exists).forEach(t -> oids.add(t.oid()));
        partitions.values().forEach(ps -> ps.forEach(p -> oids.add(p.oid())));
        boolean coordinator = false;
        Map<Long, CitusTable> kinds = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(CITUS)) {
            ps.setArray(1, c.createArrayOf("oid", oids.toArray(Long[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    coordinator = rs.getBoolean("coordinator");
                    String method = rs.getString("partmethod");
                    if (method != null) {
                        int colocation = rs.getInt("colocationid");
                        kinds.put(rs.getLong("oid"), new CitusTable(CitusTable.Kind.of(method, rs.getString("repmodel"), colocation),
                                colocation, rs.getString("distcol"), List.of()));
                    }
                }
            }
        }
        return new Citus(coordinator, kinds);
    }

    /** A worker holds shards; DDL on a distributed table runs on the coordinator, which sends it to every shard. */
    private static void refuseWorker(ServerInfo server, List<TableState> tables, Citus citus) {
        if (citus.coordinator()) {
            return;
        }
        List<String> managed = tables.stream().filter(t -> t.exists() && citus.kinds().containsKey(t.oid())).map(t -> t.name().sql()).toList();
        if (!managed.isEmpty()) {
            throw PartitionException.configuration("<url> points at a Citus worker node (Citus " + server.citusVersion().orElseThrow()
                    + "), not the coordinator, and " + String.join(", ", managed) + " are Citus tables: their partitions can only be"
                    + " created, detached and dropped through the coordinator. Point <url> at the coordinator. Nothing was changed.");
        }
    }

    private static TableState withCitus(TableState t, CitusTable citus) {
        return new TableState(t.configured(), t.name(), t.oid(), t.kind(), t.partitionStrategy(), t.partitionColumns(),
                t.partitionKeyIsExpression(), t.keyColumn(), t.columns(), t.insertableColumns(), t.estimatedRows(), t.bytes(),
                t.partitions(), t.defaultPartition(), t.defaultContent(), t.similarNames(), t.access(), t.tablespace(), t.leafPublications(), citus);
    }

    private static List<TableState> readTables(Connection c, List<TablePolicy> policies, String sizes, int major) throws SQLException {
        int n = policies.size();
        Integer[] idx = new Integer[n];
        String[] schemas = new String[n];
        String[] names = new String[n];
        String[] cols = new String[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
            schemas[i] = policies.get(i).table().schema();
            names[i] = policies.get(i).table().name();
            cols[i] = policies.get(i).column();
        }
        List<TableState> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(TABLES.replace("{SIZE}", sizes).replace("{ACCESS}", TableAccess.COLUMNS).replace("{USER_SCHEMAS}", Sql.USER_SCHEMAS)
                .replace("{PUB_SCHEMA}", major >= 15 ? PUB_SCHEMA : ""))) {
            ps.setArray(1, c.createArrayOf("int4", idx));
            ps.setArray(2, c.createArrayOf("text", schemas));
            ps.setArray(3, c.createArrayOf("text", names));
            ps.setArray(4, c.createArrayOf("text", cols));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TablePolicy p = policies.get(rs.getInt("idx"));
                    String relkind = rs.getString("relkind");
                    if (relkind == null) {
                        out.add(new TableState(p.table(), null, 0, TableState.Kind.MISSING, null, List.of(), false, null,
                                List.of(), List.of(), 0, 0, List.of(), Optional.empty(), TableState.DefaultContent.EMPTY,
                                Jdbc.strings(rs.getArray("similar")), TableAccess.UNKNOWN, Optional.empty(), List.of(), CitusTable.NONE));
                        continue;
                    }
                    TableState.Kind kind = rs.getBoolean("relispartition") ? TableState.Kind.PARTITION
                            : switch (relkind) {
                                case "r" -> TableState.Kind.PLAIN;
                                case "p" -> TableState.Kind.PARTITIONED;
                                default -> TableState.Kind.OTHER;
                            };
                    TableState.KeyColumn key = null;
                    if (rs.getString("key_name") != null) {
                        int typeOid = rs.getInt("key_type_oid");
                        key = new TableState.KeyColumn(rs.getString("key_name"), typeOid, rs.getString("key_type"),
                                rs.getBoolean("key_not_null"), KeyType.of(typeOid, p.epochUnit()));
                    }
                    out.add(new TableState(p.table(), new TableName(rs.getString("nspname"), rs.getString("relname")),
                            rs.getLong("oid"), kind, rs.getString("partstrat"), Jdbc.strings(rs.getArray("part_cols")),
                            rs.getBoolean("part_exprs"), key, Jdbc.strings(rs.getArray("cols")), Jdbc.strings(rs.getArray("insert_cols")),
                            rs.getLong("est_rows"), rs.getLong("bytes"), List.of(), Optional.empty(),
                            TableState.DefaultContent.EMPTY, List.of(), TableAccess.read(rs), Optional.ofNullable(rs.getString("tablespace")),
                            Jdbc.strings(rs.getArray("leaf_pubs")), CitusTable.NONE));
                }
            }
        }
        return out;
    }

    private static Map<Long, List<PartitionInfo>> readPartitions(Connection c, List<TableState> tables, String sizes) throws SQLException {
        List<TableState> parents = tables.stream()
                .filter(t -> t.kind() == TableState.Kind.PARTITIONED && t.keyColumn() != null && t.keyColumn().keyType().isPresent())
                // bounds are read as the configured column's type: those of a table partitioned by list, hash, an expression or
                // another column (an integer id) are no such values, and the cast would fail the read of every table
                .filter(t -> "r".equals(t.partitionStrategy()) && !t.partitionKeyIsExpression()
                        && t.partitionColumns().equals(List.of(t.keyColumn().name())))
                .toList();
        Map<Long, List<PartitionInfo>> out = new HashMap<>();
        if (parents.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(PARTITIONS.replace("{SIZE}", sizes).replace("{TUNING}", ColumnTuning.json("c.oid")))) {
            ps.setArray(1, c.createArrayOf("oid", parents.stream().map(TableState::oid).toArray(Long[]::new)));
            ps.setArray(2, c.createArrayOf("int4", parents.stream().map(t -> t.keyType().typeOid()).toArray(Integer[]::new)));
            ps.setArray(3, c.createArrayOf("int8", parents.stream().map(t -> t.keyType().unitMicros()).toArray(Long[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String bound = rs.getString("bound");
                    boolean isDefault = "DEFAULT".equals(bound);
                    long lo = rs.getLong("lo");
                    lo = rs.wasNull() ? KeyType.MIN : lo;
                    long hi = rs.getLong("hi");
                    hi = rs.wasNull() ? KeyType.MAX : hi;
                    String riName = rs.getString("ri_name");
                    out.computeIfAbsent(rs.getLong("parent"), k -> new ArrayList<>()).add(new PartitionInfo(
                            new TableName(rs.getString("nspname"), rs.getString("relname")), rs.getLong("oid"), isDefault,
                            isDefault ? KeyType.MIN : lo, isDefault ? KeyType.MAX : hi, bound, rs.getBoolean("inhdetachpending"),
                            rs.getLong("est_rows"), rs.getLong("bytes"), rs.getBoolean("unlogged"),
                            new ReplicaIdentity(rs.getString("replident").charAt(0), riName == null ? Optional.empty()
                                    : Optional.of(new TableName(rs.getString("ri_schema"), riName))),
                            StorageParameters.of(Jdbc.strings(rs.getArray("reloptions")), Jdbc.strings(rs.getArray("toast_reloptions"))),
                            ColumnTuning.parse(rs.getString("tuning"))));
                }
            }
        }
        return out;
    }

    private static TableState withPartitions(TableState t, List<PartitionInfo> all) {
        List<PartitionInfo> ranges = all.stream().filter(p -> !p.isDefault())
                .sorted(Comparator.comparingLong(PartitionInfo::lower)).toList();
        Optional<PartitionInfo> def = all.stream().filter(PartitionInfo::isDefault).findFirst();
        return new TableState(t.configured(), t.name(), t.oid(), t.kind(), t.partitionStrategy(), t.partitionColumns(),
                t.partitionKeyIsExpression(), t.keyColumn(), t.columns(), t.insertableColumns(), t.estimatedRows(), t.bytes(),
                ranges, def, t.defaultContent(), t.similarNames(), t.access(), t.tablespace(), t.leafPublications(), t.citus());
    }

    private static TableState withDefaultContent(TableState t, TableState.DefaultContent d) {
        return new TableState(t.configured(), t.name(), t.oid(), t.kind(), t.partitionStrategy(), t.partitionColumns(),
                t.partitionKeyIsExpression(), t.keyColumn(), t.columns(), t.insertableColumns(), t.estimatedRows(), t.bytes(),
                t.partitions(), t.defaultPartition(), d, t.similarNames(), t.access(), t.tablespace(), t.leafPublications(), t.citus());
    }

    private record DefaultQuery(TableName partition, String column, KeyType keyType, TablePolicy policy) {
    }

    /** One UNION ALL over every default partition: rows per interval they would belong to. */
    private static Map<Integer, TableState.DefaultContent> readDefaults(Connection c, Map<Integer, DefaultQuery> defaults, ZoneId zone)
            throws SQLException {
        List<String> parts = new ArrayList<>();
        defaults.forEach((i, q) -> parts.add("SELECT " + i + " AS idx, " + q.keyType().bucketExpression(Sql.ident(q.column()),
                q.policy().interval(), zone) + " AS bucket, pg_catalog.count(*) AS n FROM " + q.partition().sql() + " GROUP BY 2"));
        Map<Integer, Map<LocalDate, Long>> buckets = new HashMap<>();
        Map<Integer, long[]> totals = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(String.join("\nUNION ALL\n", parts))) {
            while (rs.next()) {
                int i = rs.getInt("idx");
                long n = rs.getLong("n");
                long[] tot = totals.computeIfAbsent(i, k -> new long[2]);
                tot[0] += n;
                LocalDate bucket = rs.getObject("bucket", LocalDate.class);
                if (bucket == null) {
                    tot[1] += n;
                } else {
                    buckets.computeIfAbsent(i, k -> new HashMap<>()).put(bucket, n);
                }
            }
        }
        Map<Integer, TableState.DefaultContent> out = new HashMap<>();
        for (Integer i : defaults.keySet()) {
            long[] tot = totals.getOrDefault(i, new long[2]);
            out.put(i, new TableState.DefaultContent(tot[0], Map.copyOf(buckets.getOrDefault(i, Map.of())), tot[1]));
        }
        return out;
    }

}
