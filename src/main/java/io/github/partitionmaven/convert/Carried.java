package io.github.partitionmaven.convert;

import io.github.partitionmaven.catalog.ReplicaIdentity;
import io.github.partitionmaven.catalog.StorageParameters;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a table has besides columns, keys and indexes that the partitioned successor must get too, or the swap would
 * quietly change who sees and replicates what: row-level security and its policies, column-level grants, replica
 * identity, publication membership, security labels, the table's own triggers (whose functions would stop firing), and its
 * storage parameters (which every partition gets: a partitioned table has none).
 * Read for all tables in a fixed number of queries.
 */
record Carried(boolean rowSecurity, boolean forceRowSecurity, List<Policy> policies, List<ColumnGrant> columnGrants, char replicaIdentity,
               Optional<String> replicaIndex, List<String> publications, List<Label> labels, List<Trigger> triggers, List<String> children,
               StorageParameters storage) {

    static final Carried NONE = new Carried(false, false, List.of(), List.of(), 'd', Optional.empty(), List.of(), List.of(), List.of(), List.of(),
            StorageParameters.NONE);

    record Policy(String name, boolean permissive, String command, List<String> roles, Optional<String> using, Optional<String> check) {
    }

    record ColumnGrant(String column, Optional<String> grantee, String privilege, boolean grantable) {
    }

    record Label(String provider, Optional<String> column, String label) {
    }

    /** A trigger's definition as pg_get_triggerdef prints it, and the table name as printed there. */
    record Trigger(String name, String definition, String printedTable) {
        String on(TableName target) {
            return definition.replaceFirst(" ON " + java.util.regex.Pattern.quote(printedTable) + " ", java.util.regex.Matcher.quoteReplacement(
                    " ON " + target.sql() + " "));
        }
    }

    private static final String TABLES = """
            SELECT c.oid::bigint, c.relrowsecurity, c.relforcerowsecurity, c.relreplident::text,
                   (SELECT ci.relname FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid WHERE i.indrelid = c.oid AND i.indisreplident),
                   (SELECT pg_catalog.array_agg(p.pubname::text ORDER BY p.pubname) FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid
                     WHERE r.prrelid = c.oid),
                   (SELECT pg_catalog.array_agg(pg_catalog.format('%I.%I', cn.nspname, ch.relname) ORDER BY 1) FROM pg_inherits h JOIN pg_class ch ON ch.oid = h.inhrelid
                      JOIN pg_namespace cn ON cn.oid = ch.relnamespace WHERE h.inhparent = c.oid),
                   c.reloptions, (SELECT tc.reloptions FROM pg_class tc WHERE tc.oid = c.reltoastrelid)
              FROM pg_class c WHERE c.oid = ANY (?::oid[])
            """;

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

    static Map<Long, Carried> read(Connection c, Long[] oids) throws SQLException {
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
            t.publications.addAll(strings(rs.getArray(6)));
            t.children.addAll(strings(rs.getArray(7)));
            t.storage = StorageParameters.of(strings(rs.getArray(8)), strings(rs.getArray(9)));
        });
        ConvertCatalogReader.query(c, POLICIES, oids, rs -> b.get(rs.getLong(1)).policies.add(new Policy(rs.getString(2), rs.getBoolean(3), rs.getString(4),
                strings(rs.getArray(5)), Optional.ofNullable(rs.getString(6)), Optional.ofNullable(rs.getString(7)))));
        ConvertCatalogReader.query(c, COLUMN_GRANTS, oids, rs -> b.get(rs.getLong(1)).columnGrants.add(new ColumnGrant(rs.getString(2),
                Optional.ofNullable(rs.getString(3)), rs.getString(4), rs.getBoolean(5))));
        ConvertCatalogReader.query(c, LABELS, oids, rs -> b.get(rs.getLong(1)).labels.add(new Label(rs.getString(2), Optional.ofNullable(rs.getString(3)),
                rs.getString(4))));
        ConvertCatalogReader.query(c, TRIGGERS, oids, rs -> b.get(rs.getLong(1)).triggers.add(new Trigger(rs.getString(2), rs.getString(3), rs.getString(4))));
        Map<Long, Carried> out = new HashMap<>();
        b.forEach((oid, t) -> out.put(oid, new Carried(t.rowSecurity, t.force, List.copyOf(t.policies), List.copyOf(t.columnGrants), t.replident,
                t.replicaIndex, List.copyOf(t.publications), List.copyOf(t.labels), List.copyOf(t.triggers), List.copyOf(t.children), t.storage)));
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
     * Row-level security, policies, triggers, replica identity and publications, for the swap's transaction: given to the
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
        for (String pub : publications) {
            sql.add("ALTER PUBLICATION " + Sql.ident(pub) + " DROP TABLE " + old.sql());
            sql.add("ALTER PUBLICATION " + Sql.ident(pub) + " ADD TABLE " + table.sql());
        }
        return sql;
    }

    /**
     * Rollback: the old table, once it carries the name again, rejoins the publications the partitioned table was in
     * (the swap took it out of them; dropping the partitioned table takes that out too), so a subscriber keeps receiving
     * the table's changes.
     */
    List<String> rejoinPublications(TableName table) {
        return publications.stream().map(pub -> "ALTER PUBLICATION " + Sql.ident(pub) + " ADD TABLE " + table.sql()).toList();
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
        if (replicaIdentity == 'f' || replicaIdentity == 'n') {
            parts.add("replica identity " + (replicaIdentity == 'f' ? "FULL" : "NOTHING") + " (on the parent and every partition)");
        } else if (replicaIdentity == 'i') {
            parts.add("replica identity USING INDEX " + replicaIndex.map(Sql::ident).orElse("?") + " (on the parent; on every partition"
                    + " its index attached to it)");
        }
        if (!publications.isEmpty()) {
            parts.add("membership of publication(s) " + String.join(", ", publications) + " (the old table leaves them)");
        }
        if (!columnGrants.isEmpty()) {
            parts.add(columnGrants.size() + " column-level grant(s)");
        }
        if (!labels.isEmpty()) {
            parts.add(labels.size() + " security label(s)");
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
        final List<String> publications = new ArrayList<>();
        final List<String> children = new ArrayList<>();
        final List<Policy> policies = new ArrayList<>();
        final List<ColumnGrant> columnGrants = new ArrayList<>();
        final List<Label> labels = new ArrayList<>();
        final List<Trigger> triggers = new ArrayList<>();
        StorageParameters storage = StorageParameters.NONE;
    }
}
