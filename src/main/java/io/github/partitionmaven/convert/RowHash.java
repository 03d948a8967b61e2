package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A 64-bit hash of a row over all its columns, for the verification's checksums: each column hashed by its type's own
 * extended hash function (the one hash indexes use) with its position as seed, the column hashes XORed. This costs a
 * third less CPU than {@code hash_record_extended(r, 0)}, which first copies every row into a record. A NULL hashes to
 * the column's seed; a type without a hash function hashes its text form.
 *
 * @param columns every column of the table, in column order
 */
public record RowHash(List<Column> columns) {

    /**
     * @param function the qualified extended hash function of the column's type; empty when the type has none
     * @param cast     the type the function takes, when the column must be cast to it (a domain, varchar to text)
     * @param notNull  whether the column is NOT NULL (its hash needs no stand-in for NULL)
     */
    public record Column(String name, Optional<String> function, Optional<String> cast, boolean notNull) {
    }

    /** Hash functions per column, from the default hash operator class of each column's type (or domain base type). */
    static final String COLUMNS = """
            SELECT a.attrelid::bigint, a.attname, h.function,
                   CASE WHEN h.polymorphic OR h.opcintype = a.atttypid THEN NULL ELSE pg_catalog.format_type(h.opcintype, NULL) END AS cast_to,
                   a.attnotnull AND NOT EXISTS (SELECT 1 FROM pg_constraint n WHERE n.conrelid = a.attrelid AND n.contype = 'n'
                                                   AND NOT n.convalidated AND n.conkey = ARRAY[a.attnum]) AS not_null,
                   pg_catalog.format_type(a.atttypid, a.atttypmod) AS type
              FROM pg_attribute a
              JOIN pg_type t ON t.oid = a.atttypid
              JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
              LEFT JOIN LATERAL (
                   SELECT pg_catalog.format('%I.%I', pn.nspname, p.proname) AS function, oc.opcintype,
                          oc.opcintype IN ('anyarray'::regtype, 'anyenum'::regtype, 'anyrange'::regtype, 'anymultirange'::regtype,
                                           'record'::regtype) AS polymorphic
                     FROM pg_opclass oc
                     JOIN pg_am am ON am.oid = oc.opcmethod AND am.amname = 'hash'
                     JOIN pg_amproc ap ON ap.amprocfamily = oc.opcfamily AND ap.amprocnum = 2
                                      AND ap.amproclefttype = oc.opcintype AND ap.amprocrighttype = oc.opcintype
                     JOIN pg_proc p ON p.oid = ap.amproc JOIN pg_namespace pn ON pn.oid = p.pronamespace
                    WHERE oc.opcdefault
                      AND (oc.opcintype = bt.oid
                           OR EXISTS (SELECT 1 FROM pg_cast k WHERE k.castsource = bt.oid AND k.casttarget = oc.opcintype AND k.castmethod = 'b')
                           OR (oc.opcintype = 'anyarray'::regtype AND bt.typcategory = 'A')
                           OR (oc.opcintype = 'anyenum'::regtype AND bt.typtype = 'e')
                           OR (oc.opcintype = 'anyrange'::regtype AND bt.typtype = 'r')
                           OR (oc.opcintype = 'anymultirange'::regtype AND bt.typtype = 'm')
                           OR (oc.opcintype = 'record'::regtype AND bt.typtype = 'c'))
                    ORDER BY oc.opcintype = bt.oid DESC, oc.opcintype
                    LIMIT 1) h ON true
             WHERE a.attrelid = ANY (?::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attrelid, a.attnum
            """;

    public RowHash {
        columns = List.copyOf(columns);
    }

    /**
     * This hash with the integer columns {@code widened} to bigint on one side (a conversion with {@code <widenKeys>}): they
     * are hashed as bigint on both sides, which gives the same values, since PostgreSQL's bigint hash equals its integer and
     * smallint hashes for every value those hold (cross-type hash joins rely on it).
     */
    public RowHash widened(java.util.Set<String> widened) {
        return new RowHash(columns.stream().map(c -> widened.contains(c.name())
                ? new Column(c.name(), Optional.of("pg_catalog.hashint8extended"), Optional.of("pg_catalog.int8"), c.notNull()) : c).toList());
    }

    /** The row hash of the row aliased {@code alias}, a bigint expression. */
    public String sql(String alias) {
        List<String> terms = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            Column col = columns.get(i);
            String value = alias + "." + Sql.ident(col.name());
            String seed = Integer.toString(i + 1);
            String hash = col.function().isPresent()
                    ? col.function().get() + "(" + value + col.cast().map(c -> "::" + c).orElse("") + ", " + seed + ")"
                    : "pg_catalog.hashtextextended(" + value + "::text, " + seed + ")";
            terms.add(col.notNull() ? hash : "coalesce(" + hash + ", " + seed + ")");
        }
        return String.join(" # ", terms);
    }

    /** The fallback when an array or composite holds a type without a hash function: the hash of the whole row's text. */
    public static String wholeRowText(String alias) {
        return "pg_catalog.hashtextextended(" + alias + "::text, 0)";
    }
}
