package io.github.partitionmaven.convert;

import io.github.partitionmaven.catalog.ColumnTuning;
import io.github.partitionmaven.catalog.ReplicaIdentity;
import io.github.partitionmaven.catalog.StorageParameters;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.Publications;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * What a table has besides columns, keys and indexes that the partitioned successor must get too, or the swap would
 * quietly change who sees and replicates what: row-level security and its policies, column-level grants, replica
 * identity, publication membership, security labels, the table's own triggers (whose functions would stop firing) and rules, its
 * storage parameters (which every partition gets: a partitioned table has none) and its tablespace (a table kept on a disk of
 * its own would otherwise be copied onto the default one).
 * Read for all tables in a fixed number of queries.
 */
record Carried(boolean rowSecurity, boolean forceRowSecurity, List<Policy> policies, List<ColumnGrant> columnGrants, char replicaIdentity,
               Optional<String> replicaIndex, List<Publication> publications, List<Label> labels, List<Trigger> triggers, List<Rule> rules, List<String> children,
               StorageParameters storage, Optional<String> tablespace, List<String> tablespaceGrants, List<ColumnTuning> tuning,
               List<Statistics> statistics) {

    static final Carried NONE = new Carried(false, false, List.of(), List.of(), 'd', Optional.empty(), List.of(), List.of(), List.of(), List.of(), List.of(),
            StorageParameters.NONE, Optional.empty(), List.of(), List.of(), List.of());

    record Policy(String name, boolean permissive, String command, List<String> roles, Optional<String> using, Optional<String> check) {
    }

    record ColumnGrant(String column, Optional<String> grantee, String privilege, boolean grantable) {
    }

    record Label(String provider, Optional<String> column, String label) {
    }

    /**
     * A publication that publishes the table: by name ({@code listed}), with its row filter and column list (PostgreSQL 15 and
     * later), or through {@code FOR ALL TABLES} or {@code FOR TABLES IN SCHEMA} ({@code implicitly} says which).
     *
     * @param viaRoot     publish_via_partition_root: whether a partitioned table's changes go out under its own name
     * @param publish     what it publishes, as {@code WITH (publish = ...)} takes it
     * @param partitioned the other partitioned tables it names, whose changes switching {@code viaRoot} on would rename
     */
    record Publication(String name, boolean viaRoot, Optional<String> implicitly, String publish, Optional<String> rowFilter,
                       List<String> columns, List<String> partitioned) {
        boolean listed() {
            return implicitly.isEmpty();
        }

        /** Adds {@code table} as the publication had the old one: with its column list and row filter. */
        String add(TableName table) {
            return "ALTER PUBLICATION " + Sql.ident(name) + " ADD TABLE " + table.sql() + (columns.isEmpty() ? "" : " (" + Sql.identList(columns)
                    + ")") + rowFilter.map(f -> " WHERE (" + f + ")").orElse("");
        }
    }

    /** A trigger's definition as pg_get_triggerdef prints it, and the table name as printed there. */
    record Trigger(String name, String definition, String printedTable) {
        String on(TableName target) {
            return retarget(definition, " ON ", printedTable, target);
        }
    }

    /** A rule's definition as pg_get_ruledef prints it ("ON INSERT TO public.t DO ..."), and the table name as printed there. */
    record Rule(String name, String definition, String printedTable) {
        String on(TableName target) {
            return retarget(definition, " TO ", printedTable, target);
        }
    }

    /**
     * An extended statistics object as pg_get_statisticsobjdef prints it ("CREATE STATISTICS public.s (dependencies) ON a, b
     * FROM public.t"), with its name and table as printed there, and its schema and name.
     */
    record Statistics(String definition, String printedName, String printedTable, TableName name) {
        /** The same object on {@code partition}, named after it. */
        String on(TableName partition, int ordinal) {
            return as(new TableName(partition.schema(), ConvertNames.partitionStatistics(partition, ordinal)), partition);
        }

        /** The same object as {@code object} on {@code table}. */
        String as(TableName object, TableName table) {
            String named = definition.replaceFirst("^CREATE STATISTICS " + java.util.regex.Pattern.quote(printedName) + " ",
                    java.util.regex.Matcher.quoteReplacement("CREATE STATISTICS " + object.sql() + " "));
            return named.replaceFirst(" FROM " + java.util.regex.Pattern.quote(printedTable) + "$", java.util.regex.Matcher.quoteReplacement(
                    " FROM " + table.sql()));
        }

        /** Its name while the new table is built, {@link ConvertNames#building}, in its own schema. */
        TableName building() {
            return new TableName(name.schema(), ConvertNames.building(name.name()));
        }
    }

    /** The definition with the first {@code keyword printed} (the table it is defined on) naming {@code target} instead. */
    private static String retarget(String definition, String keyword, String printed, TableName target) {
        return definition.replaceFirst(keyword + java.util.regex.Pattern.quote(printed) + " ", java.util.regex.Matcher.quoteReplacement(
                keyword + target.sql() + " "));
    }

    private static final String TABLES = """
            SELECT c.oid::bigint, c.relrowsecurity, c.relforcerowsecurity, c.relreplident::text,
                   (SELECT ci.relname FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid WHERE i.indrelid = c.oid AND i.indisreplident),
                   (SELECT pg_catalog.array_agg(pg_catalog.format('%I.%I', cn.nspname, ch.relname) ORDER BY 1) FROM pg_inherits h JOIN pg_class ch ON ch.oid = h.inhrelid
                      JOIN pg_namespace cn ON cn.oid = ch.relnamespace WHERE h.inhparent = c.oid),
                   c.reloptions, (SELECT tc.reloptions FROM pg_class tc WHERE tc.oid = c.reltoastrelid),
                   (SELECT s.spcname FROM pg_tablespace s WHERE s.oid = c.reltablespace),
                   (SELECT pg_catalog.array_agg(s.spcname::text ORDER BY s.spcname) FROM pg_tablespace s
                     WHERE NOT pg_catalog.has_tablespace_privilege(s.oid, 'CREATE')
                       AND (s.oid = c.reltablespace OR s.oid IN (SELECT ci.reltablespace FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid
                                                                   WHERE i.indrelid = c.oid))),
                   current_user, {TUNING}
              FROM pg_class c WHERE c.oid = ANY (?::oid[])
            """.replace("{TUNING}", ColumnTuning.json("c.oid"));

    private static final String POLICIES = """
            SELECT p.polrelid::bigint, p.polname, p.polpermissive, p.polcmd::text,
                   (SELECT pg_catalog.array_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r) END ORDER BY 1) FROM pg_catalog.unnest(p.polroles) r),
                   pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)
              FROM pg_policy p WHERE p.polrelid = ANY (?::oid[]) ORDER BY p.polname
            """;

    private static final String COLUMN_GRANTS = """
            SELECT a.attrelid::bigint, a.attname, CASE WHEN g.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(g.grantee) END, g.privilege_type,
                   g.is_grantable
              FROM pg_attribute a, pg_catalog.aclexplode(a.attacl) g
             WHERE a.attrelid = ANY (?::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum, 3, 4
            """;

    private static final String LABELS = """
            SELECT l.objoid::bigint, l.provider, a.attname, l.label
              FROM pg_seclabel l LEFT JOIN pg_attribute a ON a.attrelid = l.objoid AND a.attnum = l.objsubid AND l.objsubid > 0
             WHERE l.classoid = 'pg_class'::regclass AND l.objoid = ANY (?::oid[])
            """;

    private static final String TRIGGERS = """
            SELECT t.tgrelid::bigint, t.tgname, pg_catalog.pg_get_triggerdef(t.oid), pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
              FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE t.tgrelid = ANY (?::oid[]) AND NOT t.tgisinternal AND t.tgname NOT IN ('partition_convert_capture', 'partition_convert_no_truncate')
             ORDER BY t.tgname
            """;

    /**
     * The publications that publish each table, by name or implicitly. Row filters, column lists and schema publications came
     * with PostgreSQL 15; before it their columns do not exist.
     */
    private static String publications(int major) {
        boolean fifteen = major >= 15;
        return """
                SELECT c.oid::bigint, p.pubname, p.pubviaroot,
                       CASE WHEN p.puballtables THEN '' WHEN r.oid IS NULL THEN n.nspname::text END,
                       pg_catalog.array_to_string(ARRAY[CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,
                                                        CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END], ', '),
                       %s, %s,
                       (SELECT pg_catalog.array_agg(pg_catalog.format('%%I.%%I', on2.nspname, oc.relname) ORDER BY 1)
                          FROM pg_publication_rel o JOIN pg_class oc ON oc.oid = o.prrelid JOIN pg_namespace on2 ON on2.oid = oc.relnamespace
                         WHERE o.prpubid = p.oid AND oc.relkind = 'p' AND oc.oid <> c.oid)
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  JOIN pg_publication p ON true
                  LEFT JOIN pg_publication_rel r ON r.prpubid = p.oid AND r.prrelid = c.oid
                 WHERE c.oid = ANY (?::oid[])
                   AND (r.oid IS NOT NULL OR p.puballtables%s)
                 ORDER BY 1, 2
                """.formatted(fifteen ? "pg_catalog.pg_get_expr(r.prqual, r.prrelid)" : "NULL::text",
                fifteen ? "(SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.ord) FROM pg_catalog.unnest(r.prattrs::int2[]) WITH ORDINALITY"
                        + " k(attnum, ord) JOIN pg_attribute a ON a.attrelid = r.prrelid AND a.attnum = k.attnum)" : "NULL::text[]",
                fifteen ? " OR EXISTS (SELECT 1 FROM pg_publication_namespace pn WHERE pn.pnpubid = p.oid AND pn.pnnspid = c.relnamespace)" : "");
    }

    /** The table's own rules (a view's _RETURN is not one): bound to it by OID, they would stay with the old table. */
    private static final String RULES = """
            SELECT r.ev_class::bigint, r.rulename, pg_catalog.pg_get_ruledef(r.oid), pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
              FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE r.ev_class = ANY (?::oid[]) AND r.rulename <> '_RETURN'
             ORDER BY r.rulename
            """;

    /**
     * The table's extended statistics, which PARTITION OF gives none of its partitions, and LIKE gives the partitioned table
     * under names of its own choosing ("chat_history_new_user_id_role_stat"): the conversion creates them itself.
     */
    private static final String STATISTICS = """
            SELECT s.stxrelid::bigint, pg_catalog.pg_get_statisticsobjdef(s.oid), pg_catalog.quote_ident(sn.nspname) || '.' || pg_catalog.quote_ident(s.stxname),
                   pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), sn.nspname, s.stxname
              FROM pg_statistic_ext s JOIN pg_namespace sn ON sn.oid = s.stxnamespace
              JOIN pg_class c ON c.oid = s.stxrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE s.stxrelid = ANY (?::oid[])
             ORDER BY s.stxname
            """;

    static Map<Long, Carried> read(Connection c, Long[] oids, int major) throws SQLException {
        Map<Long, Builder> b = new HashMap<>();
        for (Long oid : oids) {
            b.put(oid, new Builder());
        }
        ConvertCatalogReader.query(c, TABLES, oids, rs -> {
            Builder t = b.get(rs.getLong(1));
            t.rowSecurity = rs.getBoolean(2);
            t.force = rs.getBoolean(3);
            t.replident = rs.getString(4).charAt(0);
            t.replicaIndex = Optional.ofNullable(rs.getString(5));
            t.children.addAll(strings(rs.getArray(6)));
            t.storage = StorageParameters.of(strings(rs.getArray(7)), strings(rs.getArray(8)));
            t.tablespace = Optional.ofNullable(rs.getString(9));
            String role = rs.getString(11);
            t.tuning.addAll(ColumnTuning.parse(rs.getString(12)));
            strings(rs.getArray(10)).forEach(ts -> t.tablespaceGrants.add("GRANT CREATE ON TABLESPACE " + Sql.ident(ts) + " TO " + Sql.ident(role)));
        });
        ConvertCatalogReader.query(c, publications(major), oids, rs -> b.get(rs.getLong(1)).publications.add(new Publication(rs.getString(2),
                rs.getBoolean(3), Optional.ofNullable(rs.getString(4)).map(schema -> schema.isEmpty() ? "FOR ALL TABLES" : "FOR TABLES IN SCHEMA "
                + Sql.ident(schema)), rs.getString(5), Optional.ofNullable(rs.getString(6)),
                strings(rs.getArray(7)), strings(rs.getArray(8)))));
        ConvertCatalogReader.query(c, POLICIES, oids, rs -> b.get(rs.getLong(1)).policies.add(new Policy(rs.getString(2), rs.getBoolean(3), rs.getString(4),
                strings(rs.getArray(5)), Optional.ofNullable(rs.getString(6)), Optional.ofNullable(rs.getString(7)))));
        ConvertCatalogReader.query(c, COLUMN_GRANTS, oids, rs -> b.get(rs.getLong(1)).columnGrants.add(new ColumnGrant(rs.getString(2),
                Optional.ofNullable(rs.getString(3)), rs.getString(4), rs.getBoolean(5))));
        ConvertCatalogReader.query(c, LABELS, oids, rs -> b.get(rs.getLong(1)).labels.add(new Label(rs.getString(2), Optional.ofNullable(rs.getString(3)),
                rs.getString(4))));
        ConvertCatalogReader.query(c, TRIGGERS, oids, rs -> b.get(rs.getLong(1)).triggers.add(new Trigger(rs.getString(2), rs.getString(3), rs.getString(4))));
        ConvertCatalogReader.query(c, STATISTICS, oids, rs -> b.get(rs.getLong(1)).statistics.add(new Statistics(rs.getString(2), rs.getString(3),
                rs.getString(4), new TableName(rs.getString(5), rs.getString(6)))));
        ConvertCatalogReader.query(c, RULES, oids, rs -> b.get(rs.getLong(1)).rules.add(new Rule(rs.getString(2), rs.getString(3), rs.getString(4))));
        Map<Long, Carried> out = new HashMap<>();
        b.forEach((oid, t) -> out.put(oid, new Carried(t.rowSecurity, t.force, List.copyOf(t.policies), List.copyOf(t.columnGrants), t.replident,
                t.replicaIndex, List.copyOf(t.publications), List.copyOf(t.labels), List.copyOf(t.triggers), List.copyOf(t.rules), List.copyOf(t.children), t.storage,
                t.tablespace, List.copyOf(t.tablespaceGrants), List.copyOf(t.tuning), List.copyOf(t.statistics))));
        return out;
    }

    /** Column grants and security labels: given to the new table when it is created (they change nothing while it fills). */
    List<String> onCreate(TableName target) {
        List<String> sql = new ArrayList<>();
        for (ColumnGrant g : columnGrants) {
            sql.add("GRANT " + g.privilege() + " (" + Sql.ident(g.column()) + ") ON TABLE " + target.sql() + " TO "
                    + g.grantee().map(Sql::ident).orElse("PUBLIC") + (g.grantable() ? " WITH GRANT OPTION" : ""));
        }
        for (Label l : labels) {
            sql.add("SECURITY LABEL FOR " + Sql.ident(l.provider()) + " ON " + l.column().map(col -> "COLUMN " + target.sql() + "." + Sql.ident(col))
                    .orElse("TABLE " + target.sql()) + " IS " + Sql.literal(l.label()));
        }
        return sql;
    }

    /**
     * Row-level security, policies, triggers, rules, replica identity and publications, for the swap's transaction: given to the
     * new table only once it carries the name (a trigger on it while it fills would fire on every copied row; a policy
     * could hide rows from the copy), and taken off the old one where it would act twice.
     */
    List<String> onSwap(TableName table, TableName old) {
        List<String> sql = new ArrayList<>();
        if (rowSecurity) {
            sql.add("ALTER TABLE " + table.sql() + " ENABLE ROW LEVEL SECURITY");
        }
        if (forceRowSecurity) {
            sql.add("ALTER TABLE " + table.sql() + " FORCE ROW LEVEL SECURITY");
        }
        for (Policy p : policies) {
            sql.add("CREATE POLICY " + Sql.ident(p.name()) + " ON " + table.sql() + " AS " + (p.permissive() ? "PERMISSIVE" : "RESTRICTIVE")
                    + " FOR " + command(p.command()) + " TO " + String.join(", ", p.roles().stream().map(r -> r.equals("public") ? "PUBLIC"
                    : Sql.ident(r)).toList()) + p.using().map(u -> " USING (" + u + ")").orElse("") + p.check().map(w -> " WITH CHECK (" + w + ")")
                    .orElse(""));
        }
        for (Trigger t : triggers) {
            sql.add(t.on(table));
        }
        for (Rule r : rules) {
            sql.add(r.on(table));
        }
        for (Publication pub : listedPublications()) {
            sql.add("ALTER PUBLICATION " + Sql.ident(pub.name()) + " DROP TABLE " + old.sql());
            sql.add(pub.add(table));
        }
        return sql;
    }

    /**
     * Rollback: the old table, once it carries the name again, rejoins the publications the partitioned table was in
     * (the swap took it out of them; dropping the partitioned table takes that out too), so a subscriber keeps receiving
     * the table's changes.
     */
    List<String> rejoinPublications(TableName table) {
        return listedPublications().stream().map(pub -> pub.add(table)).toList();
    }

    /**
     * What the table's publications would get wrong once it is converted, or rolled back, each with its fix; empty when
     * nothing. Seen on PostgreSQL 18, a subscriber beside: with publish_via_partition_root off, the converted table's changes
     * went out under its partitions' names, which the subscriber does not have, and it received none of them, without an
     * error on the publisher; under FOR ALL TABLES the copy's own tables were published too, and the progress table, which
     * has no replica identity, could not be updated ("cannot update table ... because it does not have a replica identity
     * and publishes updates").
     *
     * @param helpers what the goal creates or writes besides the table, as the message names them
     */
    List<String> publicationProblems(String helpers, boolean converting) {
        List<String> problems = new ArrayList<>();
        for (Publication p : publications) {
            String pub = Sql.ident(p.name());
            if (p.implicitly().isPresent()) {
                problems.add("publication " + pub + " publishes it " + p.implicitly().get() + ", so it would publish " + helpers + " too: a"
                        + " subscriber that lacks them stops applying, and those without a replica identity cannot even be updated. "
                        + Publications.namedInstead(p.name(), p.publish(), true) + " (for Debezium: publication.autocreate.mode = filtered)");
            } else if (converting && !p.viaRoot()) {
                problems.add("publication " + pub + " publishes it with publish_via_partition_root off, so after the swap each change"
                        + " would go out under the name of its row's partition, which a subscriber does not have, and the subscriber"
                        + " would receive none of them. Run ALTER PUBLICATION " + pub + " SET (publish_via_partition_root = true) first"
                        + " (a plain table is published the same either way)" + (p.partitioned().isEmpty() ? "" : "; it then also"
                        + " publishes the changes of " + String.join(", ", p.partitioned()) + " under their own names instead of their"
                        + " partitions', which their subscribers must have, and learn of with ALTER SUBSCRIPTION ... REFRESH PUBLICATION"));
            }
        }
        return problems;
    }

    /** The publications that name the table: those the swap moves it between. */
    List<Publication> listedPublications() {
        return publications.stream().filter(Publication::listed).toList();
    }

    /** The names of {@link #listedPublications()}, for the plan's reasons. */
    String listedNames() {
        return String.join(", ", listedPublications().stream().map(p -> Sql.ident(p.name()) + p.rowFilter().map(f -> " (rows WHERE " + f + ")")
                .orElse("") + (p.columns().isEmpty() ? "" : " (columns " + String.join(", ", p.columns()) + ")")).toList());
    }

    /**
     * The replica identity on {@code table} and on every partition it has by then: logical decoding reads the identity of
     * the partition a row is in. USING INDEX names the index the conversion gave the old one's name (extended with the
     * partition column) on the parent, and on each partition the index attached to it. Partitions created later take the
     * identity of the latest one (premake).
     */
    List<String> replicaIdentity(TableName table) {
        if (replicaIdentity == 'i' && replicaIndex.isPresent()) {
            return List.of("ALTER TABLE " + table.sql() + " REPLICA IDENTITY USING INDEX " + Sql.ident(replicaIndex.get()),
                    ReplicaIdentity.usingAttachedIndexes(new TableName(table.schema(), replicaIndex.get()), Optional.empty()));
        }
        if (replicaIdentity != 'f' && replicaIdentity != 'n') {
            return List.of();
        }
        String mode = replicaIdentity == 'f' ? "FULL" : "NOTHING";
        return List.of("ALTER TABLE " + table.sql() + " REPLICA IDENTITY " + mode,
                "DO $ri$ DECLARE p regclass; BEGIN FOR p IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = "
                        + Sql.literal(table.sql()) + "::regclass LOOP EXECUTE pg_catalog.format('ALTER TABLE %s REPLICA IDENTITY " + mode + "', p); END LOOP; END $ri$");
    }

    /**
     * The columns' statistics tuning on the new partitioned table, before it has partitions (so on it alone), and the table's
     * extended statistics, named {@link Statistics#building} until {@link #statisticsNames} gives them the old table's names.
     */
    List<String> parentStatistics(TableName parent) {
        List<String> sql = new ArrayList<>(tuning.stream().flatMap(c -> c.asParent().statements(parent).stream()).toList());
        statistics.forEach(s -> sql.add(s.as(s.building(), parent)));
        return sql;
    }

    /**
     * For the swap: the old table's extended statistics take the names {@code retired} gives them (from their ordinal and
     * name), and the new table's, built under {@link Statistics#building} names, take theirs, so that a migration that alters
     * or drops one by name finds the one of the table the application uses.
     */
    List<String> statisticsNames(BiFunction<Integer, String, String> retired) {
        List<String> sql = new ArrayList<>();
        for (int i = 0; i < statistics.size(); i++) {
            TableName name = statistics.get(i).name();
            sql.add("ALTER STATISTICS " + name.sql() + " RENAME TO " + Sql.ident(retired.apply(i + 1, name.name())));
            sql.add("ALTER STATISTICS " + statistics.get(i).building().sql() + " RENAME TO " + Sql.ident(name.name()));
        }
        return sql;
    }

    /**
     * For a rollback, once the partitioned table and its statistics are dropped: the old table's extended statistics get back
     * the names {@link #statisticsNames} gave the partitioned table's (where {@code retired} finds them; a table converted before
     * the plugin named them so kept its own). ALTER STATISTICS has no IF EXISTS for RENAME before PostgreSQL 15.
     */
    List<String> restoreStatisticsNames(BiFunction<Integer, String, String> retired) {
        List<String> sql = new ArrayList<>();
        for (int i = 0; i < statistics.size(); i++) {
            TableName name = statistics.get(i).name();
            String from = retired.apply(i + 1, name.name());
            sql.add("DO $st$ BEGIN IF EXISTS (SELECT FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace"
                    + " WHERE n.nspname = " + Sql.literal(name.schema()) + " AND s.stxname = " + Sql.literal(from) + ") THEN ALTER STATISTICS "
                    + new TableName(name.schema(), from).sql() + " RENAME TO " + Sql.ident(name.name()) + "; END IF; END $st$");
        }
        return sql;
    }

    /** ... and on each of its partitions, as the plain table had it, with the table's extended statistics. */
    List<String> partitionStatistics(TableName partition) {
        List<String> sql = new ArrayList<>(tuning.stream().flatMap(c -> c.statements(partition).stream()).toList());
        for (int i = 0; i < statistics.size(); i++) {
            sql.add(statistics.get(i).on(partition, i + 1));
        }
        return sql;
    }

    /** What the plan tells about what is carried over; empty when there is nothing besides the usual. */
    String describe(TableName t) {
        List<String> parts = new ArrayList<>();
        if (rowSecurity || forceRowSecurity) {
            parts.add("row-level security (" + (forceRowSecurity ? "enabled and forced" : "enabled") + ") with " + policies.size() + " polic(ies)");
        } else if (!policies.isEmpty()) {
            parts.add(policies.size() + " polic(ies) (row-level security off)");
        }
        if (!triggers.isEmpty()) {
            parts.add("trigger(s) " + String.join(", ", triggers.stream().map(x -> Sql.ident(x.name())).toList()) + " (recreated on the new table"
                    + " in the swap; they stay on the old one too, where nothing writes)");
        }
        if (!rules.isEmpty()) {
            parts.add("rule(s) " + String.join(", ", rules.stream().map(x -> Sql.ident(x.name())).toList()) + " (recreated on the new table"
                    + " in the swap; they stay on the old one too, where nothing writes)");
        }
        if (replicaIdentity == 'f' || replicaIdentity == 'n') {
            parts.add("replica identity " + (replicaIdentity == 'f' ? "FULL" : "NOTHING") + " (on the parent and every partition)");
        } else if (replicaIdentity == 'i') {
            parts.add("replica identity USING INDEX " + replicaIndex.map(Sql::ident).orElse("?") + " (on the parent; on every partition"
                    + " its index attached to it)");
        }
        if (!listedPublications().isEmpty()) {
            parts.add("membership of publication(s) " + listedNames() + " (the old table leaves them)");
        }
        if (!columnGrants.isEmpty()) {
            parts.add(columnGrants.size() + " column-level grant(s)");
        }
        if (!labels.isEmpty()) {
            parts.add(labels.size() + " security label(s)");
        }
        if (!statistics.isEmpty()) {
            parts.add(statistics.size() + " extended statistics object(s) (on every partition, as premake gives new ones, and on the"
                    + " parent under their names; the old table's are renamed)");
        }
        if (!tuning.isEmpty()) {
            parts.add("the statistics tuning of column(s) " + ColumnTuning.describe(tuning) + " (on every partition; on the parent, whose"
                    + " statistics are of the whole table, n_distinct becomes n_distinct_inherited), which LIKE leaves out");
        }
        if (tablespace.isPresent()) {
            parts.add("tablespace " + Sql.ident(tablespace.get()) + " (the partitioned table's, so every partition, premade ones too, is"
                    + " created there)");
        }
        if (!storage.isEmpty()) {
            parts.add("storage parameters " + storage.describe() + " (on every partition; a partitioned table has none, and premake gives"
                    + " new partitions those of the latest)");
        }
        return parts.isEmpty() ? "" : "; carried over from " + t + ": " + String.join("; ", parts);
    }

    private static String command(String polcmd) {
        return switch (polcmd) {
            case "r" -> "SELECT";
            case "a" -> "INSERT";
            case "w" -> "UPDATE";
            case "d" -> "DELETE";
            default -> "ALL";
        };
    }

    private static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : Arrays.asList((String[]) a.getArray());
    }

    private static final class Builder {
        boolean rowSecurity;
        boolean force;
        char replident = 'd';
        Optional<String> replicaIndex = Optional.empty();
        final List<Publication> publications = new ArrayList<>();
        final List<String> children = new ArrayList<>();
        final List<Policy> policies = new ArrayList<>();
        final List<ColumnGrant> columnGrants = new ArrayList<>();
        final List<Label> labels = new ArrayList<>();
        final List<Trigger> triggers = new ArrayList<>();
        final List<Rule> rules = new ArrayList<>();
        StorageParameters storage = StorageParameters.NONE;
        Optional<String> tablespace = Optional.empty();
        final List<String> tablespaceGrants = new ArrayList<>();
        final List<ColumnTuning> tuning = new ArrayList<>();
        final List<Statistics> statistics = new ArrayList<>();
    }
}
