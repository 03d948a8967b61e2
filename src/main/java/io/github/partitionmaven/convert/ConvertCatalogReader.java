package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.Jdbc;
import io.github.partitionmaven.catalog.Catalog;
import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.core.Sql;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@link ConvertFacts} for every configured table that exists, in a fixed number of queries
 * whatever the number of tables: one per kind of catalog fact, one UNION ALL over the key columns
 * of plain tables (answered from indexes when the key is indexed), one over progress records.
 */
public final class ConvertCatalogReader {

    private static final String TABLES = """
            SELECT t.oid::bigint, pg_catalog.pg_get_userbyid(c.relowner) AS owner, pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
                   pk.conname AS pk_name,
                   (SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.ord) FROM pg_catalog.unnest(pk.conkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) AS pk_cols,
                   (SELECT pg_catalog.array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod) ORDER BY k.ord) FROM pg_catalog.unnest(pk.conkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) AS pk_types
              FROM pg_catalog.unnest(?::oid[]) AS t(oid)
              JOIN pg_class c ON c.oid = t.oid
              LEFT JOIN pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'
            """;

    private static final String INDEXES = """
            SELECT i.indrelid::bigint, ci.relname, i.indisunique, i.indisprimary, con.conname,
                   pg_catalog.substring(pg_catalog.pg_get_indexdef(i.indexrelid), ' USING .*$') AS method,
                   (SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.ord) FROM pg_catalog.unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum WHERE k.ord <= i.indnkeyatts) AS cols,
                   (SELECT s.spcname FROM pg_tablespace s WHERE s.oid = ci.reltablespace) AS tablespace,
                   (SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.ord) FROM pg_catalog.unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum WHERE k.ord > i.indnkeyatts) AS include_cols,
                   ci.reloptions AS index_options,
                   pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate,
                   pg_catalog.obj_description(i.indexrelid, 'pg_class') AS comment,
                   pg_catalog.obj_description(con.oid, 'pg_constraint') AS constraint_comment
              FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid
              LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
             WHERE i.indrelid = ANY (?::oid[])
             ORDER BY ci.relname
            """;

    private static final String FOREIGN_KEYS = """
            SELECT con.conrelid::bigint AS from_oid, con.confrelid::bigint AS to_oid, con.conname,
                   pg_catalog.pg_get_constraintdef(con.oid) AS def, pg_catalog.format('%I.%I', n.nspname, c.relname) AS from_name,
                   tn.nspname AS to_schema, tc.relname AS to_table,
                   (SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.ord) FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS cols,
                   (SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.ord) FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS ref_cols,
                   (SELECT '(' || pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.ord) || ')'
                      FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS ref_printed
              FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_class tc ON tc.oid = con.confrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
             WHERE con.contype = 'f' AND con.conparentid = 0 AND (con.conrelid = ANY (?::oid[]) OR con.confrelid = ANY (?::oid[]))
             ORDER BY con.conname
            """;

    private static final String VIEWS = """
            SELECT DISTINCT d.refobjid::bigint, n.nspname, v.relname,
                   CASE WHEN v.relkind = 'm' THEN 'materialized view' WHEN r.rulename = '_RETURN' THEN 'view'
                        ELSE pg_catalog.format('its rule %I', r.rulename) END AS kind,
                   COALESCE(v.reloptions, '{}'), pg_catalog.pg_has_role(v.relowner, 'USAGE')
              FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class
              JOIN pg_namespace n ON n.oid = v.relnamespace
             WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
               AND d.refobjid = ANY (?::oid[]) AND v.oid <> d.refobjid
             ORDER BY 2, 3, 4
            """;

    /** Other tables' policies and BEGIN ATOMIC functions reading the table that the plugin's role may define again. */
    private static final String REBOUND = """
            SELECT d.refobjid::bigint, p.polname, p.polrelid::pg_catalog.regclass::text, p.polqual IS NOT NULL, p.polwithcheck IS NOT NULL
              FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_policy p ON p.oid = d.objid JOIN pg_catalog.pg_class pc ON pc.oid = p.polrelid
             WHERE d.classid = 'pg_catalog.pg_policy'::pg_catalog.regclass AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
               AND d.refobjid = ANY (?::oid[]) AND d.deptype = 'n' AND p.polrelid <> d.refobjid AND pg_catalog.pg_has_role(pc.relowner, 'USAGE')
            UNION
            SELECT d.refobjid::bigint, NULL, d.objid::pg_catalog.regprocedure::text, false, false
              FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_proc f ON f.oid = d.objid
             WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
               AND d.refobjid = ANY (?::oid[]) AND d.deptype = 'n' AND pg_catalog.pg_has_role(f.proowner, 'USAGE')
            ORDER BY 1, 2, 3
            """;

    /**
     * What else PostgreSQL binds to the table, or to its row type, by OID, and so follows it to its old name at the swap, as a
     * view would (seen on Debian's PostgreSQL 15: another table's policy and a BEGIN ATOMIC function read chat_history_old after
     * the swap, a column of type chat_history became of type chat_history_old, and a subscription, whose pg_subscription_rel
     * entry stayed with chat_history_old, silently skipped every change to chat_history until REFRESH PUBLICATION). The
     * table's own policies are carried. The fixes name the goal as {@code {goal}}: {@link ConvertFacts#boundObjects(String)}.
     */
    private static final String BOUND = """
            SELECT d.refobjid::bigint, CASE WHEN d.classid = 'pg_catalog.pg_policy'::pg_catalog.regclass
                   THEN (SELECT pg_catalog.format('policy %I on %s reads it in its expressions: have it read through a function whose'
                                 || ' body is resolved at each call (LANGUAGE sql AS $$ ... $$), or drop it, {goal} and create it again',
                                 p.polname, p.polrelid::pg_catalog.regclass) FROM pg_catalog.pg_policy p WHERE p.oid = d.objid)
                   ELSE pg_catalog.format('function %s reads it in its SQL-standard body (BEGIN ATOMIC): give it a string body'
                                 || ' (AS $$ ... $$, from pg_get_functiondef), which is resolved at each call', d.objid::pg_catalog.regprocedure) END
              FROM pg_catalog.pg_depend d
             WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = ANY (?::oid[]) AND d.deptype = 'n'
               AND d.classid IN ('pg_catalog.pg_policy'::pg_catalog.regclass, 'pg_catalog.pg_proc'::pg_catalog.regclass)
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.oid = d.objid AND d.classid = 'pg_catalog.pg_policy'::pg_catalog.regclass
                                  AND p.polrelid = d.refobjid)
               -- those REBOUND finds, which the swap defines again
               AND NOT pg_catalog.pg_has_role(CASE WHEN d.classid = 'pg_catalog.pg_policy'::pg_catalog.regclass
                   THEN (SELECT pc.relowner FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class pc ON pc.oid = p.polrelid WHERE p.oid = d.objid)
                   ELSE (SELECT f.proowner FROM pg_catalog.pg_proc f WHERE f.oid = d.objid) END, 'USAGE')
            UNION ALL
            SELECT c.oid::bigint, CASE WHEN d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                   THEN pg_catalog.format('column %I of %s has its row type: change that column''s type (to jsonb, say) or drop it',
                                          a.attname, d.objid::pg_catalog.regclass)
                   ELSE pg_catalog.format('function %s takes or returns its row type: drop it, {goal} and create it again',
                                          d.objid::pg_catalog.regprocedure) END
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.refobjid = c.reltype AND d.deptype = 'n'
                   AND d.classid IN ('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_proc'::pg_catalog.regclass)
              LEFT JOIN pg_catalog.pg_attribute a ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND a.attrelid = d.objid AND a.attnum = d.objsubid
             WHERE c.oid = ANY (?::oid[])
            UNION ALL
            SELECT r.srrelid::bigint, pg_catalog.format('subscription %1$I replicates into it (its apply worker writes with triggers'
                   || ' off, so the capture would miss its changes, and after the swap skips the new table, which it does not know): in'
                   || ' a window where the publisher does not write the table, remove it from the publication there (ALTER PUBLICATION'
                   || ' ... DROP TABLE) and run ALTER SUBSCRIPTION %1$I REFRESH PUBLICATION here, {goal}, give the table REPLICA'
                   || ' IDENTITY FULL there (an update or delete must carry the partition column to find its partition), add it back'
                   || ' to the publication and run ALTER SUBSCRIPTION %1$I REFRESH PUBLICATION WITH (copy_data = false); or partition'
                   || ' the publisher''s table instead',
                   s.subname)
              FROM pg_catalog.pg_subscription_rel r JOIN pg_catalog.pg_subscription s ON s.oid = r.srsubid
             WHERE r.srrelid = ANY (?::oid[])
            ORDER BY 1, 2
            """;

    private static final String GRANTS = """
            SELECT c.oid::bigint, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END, a.privilege_type, a.is_grantable
              FROM pg_class c, pg_catalog.aclexplode(c.relacl) a
             WHERE c.oid = ANY (?::oid[]) AND a.grantee <> c.relowner
            """;

    /**
     * The sequences owned by the tables' columns, with their type and last value (NULL before the first nextval) and the
     * columns of other tables whose defaults draw from them (the new table's, while a conversion runs; the old table's after
     * it), by schema, table and type: what tells whether {@code <widenKeys>} widened the sequence.
     */
    private static final String SEQUENCES = """
            SELECT d.refobjid::bigint, a.attname, sn.nspname, s.relname, d.deptype = 'i',
                   pg_catalog.format_type(q.seqtypid, NULL) AS seq_type, ps.last_value,
                   (SELECT pg_catalog.array_agg(ARRAY[fn.nspname::text, fc.relname::text,
                           pg_catalog.format_type(fa.atttypid, fa.atttypmod)] ORDER BY fc.oid)
                      FROM pg_depend fd JOIN pg_attrdef ad ON ad.oid = fd.objid
                      JOIN pg_attribute fa ON fa.attrelid = ad.adrelid AND fa.attnum = ad.adnum
                      JOIN pg_class fc ON fc.oid = ad.adrelid JOIN pg_namespace fn ON fn.oid = fc.relnamespace
                     WHERE fd.classid = 'pg_attrdef'::regclass AND fd.refclassid = 'pg_class'::regclass AND fd.refobjid = s.oid
                       AND ad.adrelid <> d.refobjid) AS fed
              FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
              JOIN pg_namespace sn ON sn.oid = s.relnamespace
              JOIN pg_sequence q ON q.seqrelid = s.oid
              LEFT JOIN pg_sequences ps ON ps.schemaname = sn.nspname AND ps.sequencename = s.relname
              JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
             WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
               AND d.refobjid = ANY (?::oid[]) AND d.deptype IN ('a', 'i')
            """;

    private static final String TRIGGERS = """
            SELECT tgrelid::bigint, tgname FROM pg_trigger
             WHERE tgrelid = ANY (?::oid[]) AND NOT tgisinternal AND tgname NOT IN ('partition_convert_capture', 'partition_convert_no_truncate')
             ORDER BY tgname
            """;

    /** With, for a partitioned one, its partitions never analyzed (a run killed between a partition's index builds and its sample). */
    private static final String EXISTING = """
            SELECT n.nspname, c.relname, CASE WHEN c.relispartition THEN 'partition' ELSE c.relkind::text END, u.schemas, u.names,
                   col.names, col.types
              FROM pg_catalog.unnest(?::text[]) AS x(name) JOIN pg_class c ON c.oid = pg_catalog.to_regclass(x.name)
              JOIN pg_namespace n ON n.oid = c.relnamespace
              CROSS JOIN LATERAL (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) AS names,
                                         pg_catalog.array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum) AS types
                                    FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) col
              CROSS JOIN LATERAL (SELECT pg_catalog.array_agg(pn.nspname ORDER BY pc.relname) AS schemas,
                                         pg_catalog.array_agg(pc.relname ORDER BY pc.relname) AS names
                                    FROM pg_catalog.pg_partition_tree(c.oid) t JOIN pg_class pc ON pc.oid = t.relid
                                    JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                                   WHERE c.relkind = 'p' AND t.isleaf AND pg_catalog.pg_stat_get_last_analyze_time(t.relid) IS NULL) u
            """;

    private static final String OBJECTS = """
            SELECT n.nspname, c.relname, con.conname AS name, con.convalidated AS valid
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_constraint con ON con.conrelid = c.oid
             WHERE c.oid IN (SELECT pg_catalog.to_regclass(x) FROM pg_catalog.unnest(?::pg_catalog.text[]) x)
            UNION ALL
            SELECT n.nspname, c.relname, ci.relname, i.indisvalid
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index i ON i.indrelid = c.oid
              JOIN pg_class ci ON ci.oid = i.indexrelid
             WHERE c.oid IN (SELECT pg_catalog.to_regclass(x) FROM pg_catalog.unnest(?::pg_catalog.text[]) x)
            """;

    private ConvertCatalogReader() {
    }

    /** Facts per configured table name, for the tables that exist as plain or partitioned tables. */
    public static Map<TableName, ConvertFacts> read(Connection c, List<TablePolicy> policies, Catalog catalog, RunSettings settings,
                                                   ConvertOptions options) throws SQLException {
        Map<Long, TableState> byOid = new HashMap<>();
        Map<Long, TablePolicy> policyByOid = new HashMap<>();
        for (TablePolicy p : policies) {
            TableState s = catalog.table(p.table());
            // a plain table Citus manages is refused before its facts are needed (ConvertPlanner); reading them would not
            // work either: Citus fetches some of them from the workers in binary and fails on aclitem
            boolean citusPlain = s.kind() == TableState.Kind.PLAIN && s.citus().managed();
            if ((s.kind() == TableState.Kind.PLAIN || s.kind() == TableState.Kind.PARTITIONED) && !citusPlain) {
                byOid.put(s.oid(), s);
                policyByOid.put(s.oid(), p);
            }
        }
        Map<TableName, ConvertFacts> out = new HashMap<>();
        if (byOid.isEmpty()) {
            return out;
        }
        Long[] oids = byOid.keySet().toArray(Long[]::new);
        Map<Long, Builder> b = new HashMap<>();
        byOid.keySet().forEach(oid -> b.put(oid, new Builder()));

        query(c, TABLES, oids, rs -> {
            Builder t = b.get(rs.getLong(1));
            t.owner = rs.getString("owner");
            t.comment = Optional.ofNullable(rs.getString("comment"));
            t.pkName = Optional.ofNullable(rs.getString("pk_name"));
            List<String> cols = Jdbc.strings(rs.getArray("pk_cols"));
            List<String> types = Jdbc.strings(rs.getArray("pk_types"));
            for (int i = 0; i < cols.size(); i++) {
                t.pk.add(new ConvertFacts.Column(cols.get(i), types.get(i)));
            }
        });
        query(c, INDEXES, oids, rs -> b.get(rs.getLong(1)).indexes.add(new ConvertFacts.IndexDef(rs.getString(2), rs.getBoolean(3),
                rs.getBoolean(4), Optional.ofNullable(rs.getString(5)), rs.getString(6).substring(1), Jdbc.strings(rs.getArray(7)),
                Optional.ofNullable(rs.getString("tablespace")), Optional.ofNullable(rs.getString("predicate")),
                Optional.ofNullable(rs.getString("comment")), Optional.ofNullable(rs.getString("constraint_comment")),
                Jdbc.strings(rs.getArray("include_cols")), Jdbc.strings(rs.getArray("index_options")))));
        try (PreparedStatement ps = c.prepareStatement(FOREIGN_KEYS)) {
            ps.setArray(1, c.createArrayOf("oid", oids));
            ps.setArray(2, c.createArrayOf("oid", oids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long from = rs.getLong("from_oid");
                    long to = rs.getLong("to_oid");
                    if (b.containsKey(from)) {
                        b.get(from).fks.add(new ConvertFacts.ForeignKey(rs.getString("conname"), rs.getString("def"),
                                new TableName(rs.getString("to_schema"), rs.getString("to_table")), Jdbc.strings(rs.getArray("cols")),
                                Jdbc.strings(rs.getArray("ref_cols")), rs.getString("ref_printed")));
                    }
                    if (b.containsKey(to) && from != to) {
                        b.get(to).inbound.add(Sql.ident(rs.getString("conname")) + " on " + rs.getString("from_name"));
                    }
                }
            }
        }
        query(c, VIEWS, oids, rs -> b.get(rs.getLong(1)).views.add(new ConvertFacts.View(new TableName(rs.getString(2), rs.getString(3)),
                rs.getString(4), Jdbc.strings(rs.getArray(5)), rs.getBoolean(6))));
        try (PreparedStatement ps = c.prepareStatement(REBOUND)) {
            ps.setArray(1, c.createArrayOf("oid", oids));
            ps.setArray(2, c.createArrayOf("oid", oids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    b.get(rs.getLong(1)).rebound.add(new ConvertFacts.Rebound(Optional.ofNullable(rs.getString(2)), rs.getString(3),
                            rs.getBoolean(4), rs.getBoolean(5)));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(BOUND)) {
            for (int i = 1; i <= 3; i++) {
                ps.setArray(i, c.createArrayOf("oid", oids));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    b.get(rs.getLong(1)).bound.add(rs.getString(2));
                }
            }
        }
        query(c, GRANTS, oids, rs -> b.get(rs.getLong(1)).grants.add(new ConvertFacts.Grant(Optional.ofNullable(rs.getString(2)),
                rs.getString(3), rs.getBoolean(4))));
        query(c, TRIGGERS, oids, rs -> b.get(rs.getLong(1)).triggers.add(rs.getString(2)));
        query(c, SEQUENCES, oids, rs -> {
            long last = rs.getLong("last_value");
            Optional<Long> lastValue = rs.wasNull() ? Optional.empty() : Optional.of(last);
            Map<TableName, String> fed = new HashMap<>();
            Array array = rs.getArray("fed");
            if (array != null) {
                for (Object row : (Object[]) array.getArray()) {
                    Object[] f = (Object[]) row;
                    fed.put(new TableName((String) f[0], (String) f[1]), (String) f[2]);
                }
            }
            b.get(rs.getLong(1)).sequences.add(new ConvertFacts.SequenceColumn(rs.getString(2), new TableName(rs.getString(3), rs.getString(4)),
                    rs.getBoolean(5), rs.getString("seq_type"), lastValue, Map.copyOf(fed)));
        });
        query(c, RowHash.COLUMNS, oids, rs -> {
            Builder t = b.get(rs.getLong(1));
            t.hashed.add(new RowHash.Column(rs.getString(2), Optional.ofNullable(rs.getString(3)), Optional.ofNullable(rs.getString(4)),
                    rs.getBoolean(5)));
            t.columns.add(new ConvertFacts.ColumnDef(rs.getString(2), rs.getString("type"), rs.getBoolean(5), Optional.empty()));
        });

        Map<TableName, ConvertNames> names = new HashMap<>();
        List<String> candidates = new ArrayList<>();
        List<String> withObjects = new ArrayList<>();
        byOid.values().forEach(s -> {
            ConvertNames n = new ConvertNames(s.name(), options);
            names.put(s.name(), n);
            for (TableName t : List.of(n.shadow(), n.changeLog(), n.progress(), n.old())) {
                candidates.add(t.sql());
            }
            withObjects.add(s.name().sql());
            withObjects.add(n.shadow().sql());
            withObjects.add(n.old().sql());
        });
        Map<TableName, String> existing = new HashMap<>();
        Map<TableName, List<TableName>> unanalyzed = new HashMap<>();
        Map<TableName, Map<String, String>> columnTypes = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(EXISTING)) {
            ps.setArray(1, c.createArrayOf("text", candidates.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableName relation = new TableName(rs.getString(1), rs.getString(2));
                    existing.put(relation, rs.getString(3));
                    if (rs.getArray(6) != null) {
                        List<String> columns = Jdbc.strings(rs.getArray(6));
                        List<String> types = Jdbc.strings(rs.getArray(7));
                        Map<String, String> typed = new java.util.LinkedHashMap<>();
                        java.util.stream.IntStream.range(0, columns.size()).forEach(i -> typed.put(columns.get(i), types.get(i)));
                        columnTypes.put(relation, typed);
                    }
                    if (rs.getArray(4) != null) {
                        List<String> schemas = Jdbc.strings(rs.getArray(4));
                        List<String> tables = Jdbc.strings(rs.getArray(5));
                        unanalyzed.put(relation, java.util.stream.IntStream.range(0, schemas.size())
                                .mapToObj(i -> new TableName(schemas.get(i), tables.get(i))).toList());
                    }
                }
            }
        }
        Map<TableName, Map<String, Boolean>> objects = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(OBJECTS)) {
            ps.setArray(1, c.createArrayOf("text", withObjects.toArray()));
            ps.setArray(2, c.createArrayOf("text", withObjects.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    objects.computeIfAbsent(new TableName(rs.getString(1), rs.getString(2)), k -> new HashMap<>())
                            .put(rs.getString(3), rs.getBoolean(4));
                }
            }
        }
        Map<TableName, ConvertFacts.Progress> progress = readProgress(c, names.values().stream().filter(n -> existing.containsKey(n.progress()))
                .toList(), existing);
        Map<Long, ConvertFacts.KeyStats> stats = readStats(c, byOid, policyByOid, b, settings,
                oid -> policyByOid.get(oid).conversion().addNotNull() && !existing.containsKey(names.get(byOid.get(oid).name()).shadow()));
        Map<Long, Carried> carried = Carried.read(c, oids, catalog.server().major());

        byOid.forEach((oid, s) -> {
            Builder t = b.get(oid);
            ConvertNames n = names.get(s.name());
            out.put(policyByOid.get(oid).table(), new ConvertFacts(s.name(), t.owner, t.comment, List.copyOf(t.pk), t.pkName,
                    List.copyOf(t.indexes), List.copyOf(t.fks), List.copyOf(t.inbound), List.copyOf(t.views), List.copyOf(t.rebound), List.copyOf(t.bound), List.copyOf(t.grants),
                    List.copyOf(t.sequences), List.copyOf(t.triggers), new RowHash(t.hashed), stats.getOrDefault(oid, ConvertFacts.KeyStats.NONE),
                    objects, existing, columnTypes, unanalyzed, Optional.ofNullable(progress.get(n.progress())), carried.getOrDefault(oid, Carried.NONE),
                    t.columns.stream().map(col -> new ConvertFacts.ColumnDef(col.name(), col.type(), col.notNull(),
                            Optional.ofNullable(t.nulls.get(col.name())))).toList()));
        });
        return out;
    }

    /** SQL giving the {@link KeyType} micros of a key-typed expression, as {@link io.github.partitionmaven.catalog.CatalogReader} computes bounds. */
    public static String micros(KeyType type, String expr) {
        return type.microsExpression(expr);
    }

    /**
     * The progress records in one UNION ALL; columns added by later versions (started_at, last_error) are read through
     * to_jsonb, so a record left by an older run still reads.
     */
    private static Map<TableName, ConvertFacts.Progress> readProgress(Connection c, List<ConvertNames> tables, Map<TableName, String> existing)
            throws SQLException {
        Map<TableName, ConvertFacts.Progress> out = new HashMap<>();
        if (tables.isEmpty()) {
            return out;
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < tables.size(); i++) {
            ConvertNames n = tables.get(i);
            parts.add("SELECT " + i + " AS idx, strategy, offline, pg_catalog.cardinality(copied_to) AS batches, copied_rows, copy_done,"
                    + " coalesce(pg_catalog.to_jsonb(p)->>'started_at', '?') AS started_at, pg_catalog.to_jsonb(p)->>'last_error' AS last_error, "
                    + (existing.containsKey(n.changeLog()) ? "(SELECT pg_catalog.count(*) FROM " + n.changeLog().sql() + ")" : "NULL::bigint") + " AS changes"
                    + " FROM " + n.progress().sql() + " p");
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(String.join("\nUNION ALL\n", parts))) {
            while (rs.next()) {
                long changes = rs.getLong("changes");
                Optional<Long> captured = rs.wasNull() ? Optional.empty() : Optional.of(changes);
                out.put(tables.get(rs.getInt("idx")).progress(), new ConvertFacts.Progress(rs.getString("strategy"), rs.getBoolean("offline"),
                        rs.getInt("batches"), rs.getLong("copied_rows"), rs.getBoolean("copy_done"), rs.getString("started_at"),
                        Optional.ofNullable(rs.getString("last_error")), captured));
            }
        }
        return out;
    }

    /**
     * One UNION ALL over the plain tables: NULL keys, min/max, rows past the premake window, histogram, row count. For the
     * tables in {@code countNulls} ({@code <addNotNull>}, conversion not started) the NULLs of every nullable column are
     * counted in the same single scan that counts the key's ({@code count(*) - count(col)} per column): one sequential
     * read of the table instead of one per column, and the key's own count folds into it rather than scanning again.
     */
    private static Map<Long, ConvertFacts.KeyStats> readStats(Connection c, Map<Long, TableState> byOid, Map<Long, TablePolicy> policies,
                                                              Map<Long, Builder> facts, RunSettings settings,
                                                              java.util.function.LongPredicate countNulls) throws SQLException {
        Map<Long, List<String>> counted = new HashMap<>();
        List<String> parts = new ArrayList<>();
        byOid.forEach((oid, s) -> {
            if (s.kind() != TableState.Kind.PLAIN || s.keyColumn() == null || s.keyColumn().keyType().isEmpty()) {
                return;
            }
            TablePolicy p = policies.get(oid);
            KeyType type = s.keyType();
            String t = s.name().sql();
            String k = Sql.ident(s.keyColumn().name());
            String limit = type.literal(futureLimit(p, settings), settings.zone());
            List<ConvertFacts.Column> pk = facts.get(oid).pk;
            String label = pk.isEmpty() ? "ctid::text" : "(" + String.join(" || ','  || ", pk.stream().map(col -> Sql.ident(col.name()) + "::text")
                    .toList()) + ")";
            List<String> nullable = countNulls.test(oid) ? facts.get(oid).columns.stream().filter(col -> !col.notNull())
                    .map(ConvertFacts.ColumnDef::name).toList() : List.of();
            counted.put(oid, nullable);
            String nulls = s.keyColumn().notNull() ? "0::bigint" : "(SELECT pg_catalog.count(*) FROM " + t + " WHERE " + k + " IS NULL)";
            if (!nullable.isEmpty()) {
                nulls = "0::bigint"; // the key's NULLs are counted with the other columns', in column_nulls
            }
            parts.add("SELECT " + oid + "::bigint AS oid, " + nulls + " AS nulls, "
                    + (nullable.isEmpty() ? "NULL::bigint[]" : "(SELECT ARRAY[" + String.join(", ", nullable.stream().map(col -> "pg_catalog.count(*) - pg_catalog.count("
                    + Sql.ident(col) + ")").toList()) + "] FROM " + t + ")") + " AS column_nulls, "
                    + "(SELECT " + micros(type, "pg_catalog.min(" + k + ")") + " FROM " + t + ") AS lo, "
                    + "(SELECT " + micros(type, "pg_catalog.max(" + k + ")") + " FROM " + t + ") AS hi, "
                    + "(SELECT pg_catalog.count(*) FROM " + t + " WHERE " + k + " >= " + limit + ") AS future, "
                    + "(SELECT pg_catalog.string_agg(x, '; ') FROM (SELECT " + label + " || ' at ' || " + k + "::text AS x FROM " + t + " WHERE " + k
                    + " >= " + limit + " ORDER BY " + k + " DESC LIMIT 5) f) AS sample, "
                    + "(SELECT pg_catalog.array_agg(" + micros(type, "b") + " ORDER BY b) FROM pg_stats st, pg_catalog.unnest(st.histogram_bounds::text::"
                    + type.sqlName() + "[]) b WHERE st.schemaname = " + Sql.literal(s.name().schema()) + " AND st.tablename = "
                    + Sql.literal(s.name().name()) + " AND st.attname = " + Sql.literal(s.keyColumn().name()) + ") AS hist, "
                    + "(SELECT CASE WHEN reltuples > 0 THEN reltuples::bigint ELSE (SELECT pg_catalog.count(*) FROM " + t + ") END FROM pg_class"
                    + " WHERE oid = " + oid + ") AS rows");
        });
        Map<Long, ConvertFacts.KeyStats> out = new HashMap<>();
        if (parts.isEmpty()) {
            return out;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(String.join("\nUNION ALL\n", parts))) {
            while (rs.next()) {
                Array hist = rs.getArray("hist");
                List<Long> bounds = hist == null ? List.of() : Arrays.stream((Object[]) hist.getArray()).map(o -> ((Number) o).longValue()).toList();
                long lo = rs.getLong("lo");
                Optional<Long> min = rs.wasNull() ? Optional.empty() : Optional.of(lo);
                long hi = rs.getLong("hi");
                Optional<Long> max = rs.wasNull() ? Optional.empty() : Optional.of(hi);
                long oid = rs.getLong("oid");
                long keyNulls = rs.getLong("nulls");
                Array columnNulls = rs.getArray("column_nulls");
                if (columnNulls != null) {
                    Object[] n = (Object[]) columnNulls.getArray();
                    List<String> cols = counted.get(oid);
                    for (int i = 0; i < cols.size(); i++) {
                        facts.get(oid).nulls.put(cols.get(i), ((Number) n[i]).longValue());
                    }
                    keyNulls = facts.get(oid).nulls.getOrDefault(byOid.get(oid).keyColumn().name(), 0L);
                }
                out.put(oid, new ConvertFacts.KeyStats(rs.getLong("rows"), keyNulls, min, max, rs.getLong("future"),
                        rs.getString("sample") == null ? "" : rs.getString("sample"), bounds));
            }
        }
        return out;
    }

    /** Rows at or past this day have no partition: the end of the premake window, counted from now. */
    public static LocalDate futureLimit(TablePolicy policy, RunSettings settings) {
        return policy.interval().plus(policy.interval().floor(settings.now().toLocalDate()), policy.premake() + 1L);
    }

    /** One row of a catalog query by table oids (also Carried's). */
    interface Row {
        void accept(ResultSet rs) throws SQLException;
    }

    static void query(Connection c, String sql, Long[] oids, Row row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("oid", oids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    row.accept(rs);
                }
            }
        }
    }

    private static final class Builder {
        String owner;
        Optional<String> comment = Optional.empty();
        Optional<String> pkName = Optional.empty();
        final List<ConvertFacts.Column> pk = new ArrayList<>();
        final List<ConvertFacts.IndexDef> indexes = new ArrayList<>();
        final List<ConvertFacts.ForeignKey> fks = new ArrayList<>();
        final List<String> inbound = new ArrayList<>();
        final List<ConvertFacts.View> views = new ArrayList<>();
        final List<ConvertFacts.Rebound> rebound = new ArrayList<>();
        final List<String> bound = new ArrayList<>();
        final List<ConvertFacts.Grant> grants = new ArrayList<>();
        final List<ConvertFacts.SequenceColumn> sequences = new ArrayList<>();
        final List<String> triggers = new ArrayList<>();
        final List<RowHash.Column> hashed = new ArrayList<>();
        final List<ConvertFacts.ColumnDef> columns = new ArrayList<>();
        final Map<String, Long> nulls = new HashMap<>();
    }
}
