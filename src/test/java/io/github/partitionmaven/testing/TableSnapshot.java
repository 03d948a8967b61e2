package io.github.partitionmaven.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The schema of one table as its users see it, item by item ("column x not null" -> "true"): columns with type, default,
 * NOT NULL, identity and its sequence, generated expression, grants and comment; constraints (foreign keys out included);
 * foreign keys of other tables referencing it; indexes other than the constraints'; triggers; row-level security and
 * policies; grants, replica identity, comment and storage parameters of the table (of its partitions, for a partitioned one). Taken before and after a conversion, {@link #differences}
 * lists what changed.
 */
public final class TableSnapshot {

    private final Map<String, String> items;

    private TableSnapshot(Map<String, String> items) {
        this.items = items;
    }

    public static TableSnapshot of(TestDb db, String table) {
        String t = "'" + table.replace("'", "''") + "'::regclass";
        String sql = """
                SELECT 'column ' || a.attname || ' ' || x.k || E'\\t' || coalesce(x.v, '')
                  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum,
                       LATERAL (VALUES
                       ('type', format_type(a.atttypid, a.atttypmod)),
                       ('not null', a.attnotnull::text),
                       ('default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END),
                       ('identity', a.attidentity::text),
                       ('generated', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END),
                       ('sequence', pg_get_serial_sequence(%1$s::text, a.attname)),
                       ('grants', a.attacl::text),
                       ('comment', col_description(a.attrelid, a.attnum))) x(k, v)
                 WHERE a.attrelid = %1$s AND a.attnum > 0 AND NOT a.attisdropped
                UNION ALL
                SELECT 'constraint ' || conname || E'\\t' || pg_get_constraintdef(oid) || CASE WHEN contype = 'f'
                       THEN ' -> ' || confrelid::regclass::text ELSE '' END
                  FROM pg_constraint WHERE conrelid = %1$s
                UNION ALL
                SELECT 'referenced by ' || conrelid::regclass::text || ' ' || conname || E'\\t' || pg_get_constraintdef(oid)
                       || ' -> ' || confrelid::regclass::text
                  FROM pg_constraint WHERE confrelid = %1$s AND conrelid <> %1$s AND contype = 'f' AND conparentid = 0
                UNION ALL
                SELECT 'index ' || c.relname || E'\\t' || replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ')
                  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                 WHERE i.indrelid = %1$s AND NOT EXISTS (SELECT FROM pg_constraint WHERE conindid = i.indexrelid AND conrelid = %1$s)
                UNION ALL
                SELECT 'trigger ' || tgname || E'\\t' || pg_get_triggerdef(oid) || ' ' || tgenabled::text
                  FROM pg_trigger WHERE tgrelid = %1$s AND NOT tgisinternal
                UNION ALL
                SELECT 'policy ' || polname || E'\\t' || CASE WHEN polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END || ' ' || polcmd::text
                       || ' ' || polroles::text || ' USING ' || coalesce(pg_get_expr(polqual, polrelid), '') || ' WITH CHECK '
                       || coalesce(pg_get_expr(polwithcheck, polrelid), '')
                  FROM pg_policy WHERE polrelid = %1$s
                UNION ALL
                SELECT 'table ' || x.k || E'\\t' || coalesce(x.v, '')
                  FROM pg_class c, LATERAL (VALUES
                       ('row level security', c.relrowsecurity::text || ' forced ' || c.relforcerowsecurity::text),
                       ('grants', c.relacl::text),
                       ('owner', pg_get_userbyid(c.relowner)::text),
                       ('replica identity', c.relreplident::text),
                       ('comment', obj_description(c.oid, 'pg_class')),
                       -- a partitioned table has none: those of its partitions, each different set once
                       ('storage parameters', CASE WHEN c.relkind = 'p' THEN (SELECT string_agg(DISTINCT s.o, ' | ')
                            FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid,
                                 LATERAL (SELECT coalesce(array_to_string(p.reloptions, ','), '') || ' toast ' || coalesce((SELECT
                                          array_to_string(t.reloptions, ',') FROM pg_class t WHERE t.oid = p.reltoastrelid), '')) s(o)
                           WHERE i.inhparent = c.oid)
                            ELSE coalesce(array_to_string(c.reloptions, ','), '') || ' toast ' || coalesce((SELECT
                                 array_to_string(t.reloptions, ',') FROM pg_class t WHERE t.oid = c.reltoastrelid), '') END)) x(k, v)
                 WHERE c.oid = %1$s
                """.formatted(t);
        Map<String, String> items = new TreeMap<>();
        for (String line : db.queryStrings(sql)) {
            int tab = line.indexOf('\t');
            items.put(line.substring(0, tab), line.substring(tab + 1));
        }
        return new TableSnapshot(items);
    }

    /** Each item that differs, as "item: before => after" (an absent item reads as "(none)"). */
    public List<String> differences(TableSnapshot after) {
        List<String> out = new ArrayList<>();
        for (String key : new TreeSet<>(union(after))) {
            String a = items.get(key);
            String b = after.items.get(key);
            if (!Objects.equals(a, b)) {
                out.add(key + ": " + (a == null ? "(none)" : a) + " => " + (b == null ? "(none)" : b));
            }
        }
        return out;
    }

    /** The item's value after, or null when gone. */
    public String get(String item) {
        return items.get(item);
    }

    public List<String> changedItems(TableSnapshot after) {
        List<String> out = new ArrayList<>();
        for (String key : new TreeSet<>(union(after))) {
            if (!Objects.equals(items.get(key), after.items.get(key))) {
                out.add(key);
            }
        }
        return out;
    }

    private java.util.Set<String> union(TableSnapshot after) {
        java.util.Set<String> keys = new TreeSet<>(items.keySet());
        keys.addAll(after.items.keySet());
        return keys;
    }

    @Override
    public String toString() {
        return String.join("\n", items.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList());
    }
}
