package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.core.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Rows moving from {@code source} to {@code target}, identified by the single-column {@code key}:
 * the SQL of the change capture on the source, of the key-ordered batches, and of the replay of
 * captured keys. Convert moves old to new; rollback moves new back to old.
 *
 * @param keyType the key's SQL type as {@code format_type} prints it
 * @param columns the columns written (generated columns excluded)
 */
public record Transfer(TableName source, TableName target, String key, String keyType, List<String> columns, TableName changeLog,
                       TableName captureFunction, List<SelfReference> selfReferences) {

    /**
     * A foreign key of the table referencing the table itself, on both source and target: the referencing
     * {@code columns} hold the referenced row's {@code refColumns}.
     */
    public record SelfReference(List<String> columns, List<String> refColumns) {
    }

    public Transfer(TableName source, TableName target, String key, String keyType, List<String> columns, TableName changeLog,
                    TableName captureFunction) {
        this(source, target, key, keyType, columns, changeLog, captureFunction, List.of());
    }

    /** This transfer, replaying keys together with the rows their self-references tie them to ({@link #relatedKeys()}). */
    public Transfer withSelfReferences(List<SelfReference> references) {
        return new Transfer(source, target, key, keyType, columns, changeLog, captureFunction, List.copyOf(references));
    }

    /**
     * With self-references, the keys a replay of the keys {@code ?} must include so that no foreign key action or check
     * interferes: every row of the target referring to one of them, transitively (deleting them would cascade to those, or
     * be refused by them), and every row of the source they refer to, transitively, that the target does not hold yet
     * (inserting them would be refused without it). The replay deletes and inserts all of them in the same two statements.
     */
    public String relatedKeys() {
        String k = keyIdent();
        List<String> refCols = selfReferences.stream().flatMap(r -> r.refColumns().stream()).distinct().toList();
        List<String> cols = selfReferences.stream().flatMap(r -> r.columns().stream()).distinct().toList();
        // the CTEs name their columns (key, c0, c1, ...): the key can itself be one of the referenced columns
        String down = selfReferences.stream().map(r -> join("t", r.columns(), "d", r.refColumns(), refCols)).collect(Collectors.joining(" OR "));
        String up = selfReferences.stream().map(r -> join("s", r.refColumns(), "a", r.columns(), cols)).collect(Collectors.joining(" OR "));
        return "WITH RECURSIVE d(key, " + aliases(refCols) + ") AS (SELECT " + k + ", " + Sql.identList(refCols) + " FROM " + target.sql()
                + " WHERE " + k + " = ANY (" + keyArray() + ") UNION SELECT t." + k + ", " + qualified("t", refCols) + " FROM " + target.sql()
                + " t JOIN d ON " + down + "), a(key, " + aliases(cols) + ") AS (SELECT " + k + ", " + Sql.identList(cols) + " FROM "
                + source.sql() + " WHERE " + k + " = ANY (" + keyArray() + ") UNION SELECT s." + k + ", " + qualified("s", cols) + " FROM "
                + source.sql() + " s JOIN a ON " + up + " WHERE NOT EXISTS (SELECT FROM " + target.sql() + " x WHERE x." + k + " = s." + k
                + ")) SELECT key::text FROM d UNION SELECT key::text FROM a";
    }

    private static String aliases(List<String> columns) {
        return java.util.stream.IntStream.range(0, columns.size()).mapToObj(i -> "c" + i).collect(Collectors.joining(", "));
    }

    /** {@code l.left[i] = r.c<j>} for each i, where c<j> is the CTE's alias of right[i] among {@code cteColumns}. */
    private static String join(String l, List<String> left, String r, List<String> right, List<String> cteColumns) {
        List<String> eq = new ArrayList<>();
        for (int i = 0; i < left.size(); i++) {
            eq.add(l + "." + Sql.ident(left.get(i)) + " = " + r + ".c" + cteColumns.indexOf(right.get(i)));
        }
        return "(" + String.join(" AND ", eq) + ")";
    }

    private static String qualified(String alias, List<String> columns) {
        return columns.stream().map(c -> alias + "." + Sql.ident(c)).collect(Collectors.joining(", "));
    }

    public String keyIdent() {
        return Sql.ident(key);
    }

    /** The text[] parameter cast to an array of the key type. */
    public String keyArray() {
        return "CAST(? AS text[])::" + keyType + "[]";
    }

    public String columnList() {
        return Sql.identList(columns);
    }

    public List<String> captureDdl() {
        String k = keyIdent();
        String log = changeLog.sql();
        return List.of(
                "CREATE TABLE " + log + " (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, " + k + " " + keyType + " NOT NULL)",
                "CREATE FUNCTION " + captureFunction.sql() + "() RETURNS trigger LANGUAGE plpgsql AS " + Sql.dollarQuoted("\nBEGIN\n"
                        + "  IF TG_OP = 'TRUNCATE' THEN\n"
                        + "    RAISE EXCEPTION 'partition-maven-plugin is converting %: TRUNCATE would be lost; wait for the conversion to finish', TG_TABLE_NAME;\n"
                        + "  END IF;\n"
                        + "  IF TG_OP <> 'INSERT' THEN INSERT INTO " + log + " (" + k + ") VALUES (OLD." + k + "); END IF;\n"
                        + "  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW." + k + " IS DISTINCT FROM OLD." + k + ") THEN\n"
                        + "    INSERT INTO " + log + " (" + k + ") VALUES (NEW." + k + ");\n"
                        + "  END IF;\n  RETURN NULL;\nEND\n"),
                "CREATE TRIGGER " + Sql.ident(ConvertNames.CAPTURE_TRIGGER) + " AFTER INSERT OR UPDATE OR DELETE ON " + source.sql()
                        + " FOR EACH ROW EXECUTE FUNCTION " + captureFunction.sql() + "()",
                "CREATE TRIGGER " + Sql.ident(ConvertNames.TRUNCATE_GUARD) + " BEFORE TRUNCATE ON " + source.sql()
                        + " FOR EACH STATEMENT EXECUTE FUNCTION " + captureFunction.sql() + "()");
    }

    public List<String> dropCapture() {
        return List.of("DROP TRIGGER " + Sql.ident(ConvertNames.CAPTURE_TRIGGER) + " ON " + source.sql(),
                "DROP TRIGGER " + Sql.ident(ConvertNames.TRUNCATE_GUARD) + " ON " + source.sql(),
                "DROP FUNCTION " + captureFunction.sql() + "()",
                "DROP TABLE " + changeLog.sql());
    }

    /** {@link #dropCapture()} for whatever of it a killed run left. */
    public List<String> dropCaptureIfExists() {
        return List.of("DROP TRIGGER IF EXISTS " + Sql.ident(ConvertNames.CAPTURE_TRIGGER) + " ON " + source.sql(),
                "DROP TRIGGER IF EXISTS " + Sql.ident(ConvertNames.TRUNCATE_GUARD) + " ON " + source.sql(),
                "DROP FUNCTION IF EXISTS " + captureFunction.sql() + "()",
                "DROP TABLE IF EXISTS " + changeLog.sql());
    }

    /** Takes up to {@code ?} captured keys off the log; they are replayed in the same transaction. */
    public String takeKeys() {
        return "DELETE FROM " + changeLog.sql() + " WHERE seq IN (SELECT seq FROM " + changeLog.sql() + " ORDER BY seq LIMIT ?) RETURNING "
                + keyIdent() + "::text";
    }

    public String deleteKeys() {
        return "DELETE FROM " + target.sql() + " WHERE " + keyIdent() + " = ANY (" + keyArray() + ")";
    }

    public String insertKeys() {
        return "INSERT INTO " + target.sql() + " (" + columnList() + ") OVERRIDING SYSTEM VALUE SELECT " + columnList() + " FROM "
                + source.sql() + " WHERE " + keyIdent() + " = ANY (" + keyArray() + ")";
    }

    /**
     * The last key of the batch starting after {@code ?} ({@code first}: from the smallest key), given {@code ?} = batch size - 1;
     * no row means the rest of the table is smaller than a batch. An index-only walk over the key.
     */
    public String batchEnd(boolean first) {
        String k = keyIdent();
        return "SELECT " + k + "::text AS batch_end FROM " + source.sql() + (first ? "" : " WHERE " + k + " > " + keyParameter()) + " ORDER BY " + k
                + " OFFSET ? LIMIT 1";
    }

    /** The smallest and largest key, for cutting an integer key into ranges of a fixed width. */
    public String keySpan() {
        return "SELECT pg_catalog.min(" + keyIdent() + ")::bigint, pg_catalog.max(" + keyIdent() + ")::bigint FROM " + source.sql();
    }

    /** Copies the rows with keys in (lower, upper]; either bound may be absent (the start, the end of the table). */
    public String copyRange(boolean lower, boolean upper) {
        String k = keyIdent();
        List<String> where = new ArrayList<>();
        if (lower) {
            where.add(k + " > " + keyParameter());
        }
        if (upper) {
            where.add(k + " <= " + keyParameter());
        }
        return copyAll() + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where));
    }

    private String keyParameter() {
        return "CAST(? AS " + keyType + ")";
    }

    /** Everything in one statement: the offline path. */
    public String copyAll() {
        return "INSERT INTO " + target.sql() + " (" + columnList() + ") OVERRIDING SYSTEM VALUE SELECT " + columnList() + " FROM " + source.sql();
    }

    /** The target (or each of its partitions) with its size in pages: a batch's rows went to the last page and the pages it added. */
    public String targetPages() {
        String t = Sql.literal(target.sql()) + "::regclass";
        return "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::bigint"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND (c.oid = " + t
                + " OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = " + t + "))";
    }

    /**
     * Reads the pages [from, to) of each partition given (a qualified, quoted name), which sets the hint bits of the rows
     * committed there: the first reader of a row records that its transaction committed, and with data checksums it writes
     * the whole page into the WAL to do so if a checkpoint has begun since the page was written.
     */
    public static String readPages(Map<String, long[]> pages) {
        return pages.entrySet().stream().map(e -> "SELECT pg_catalog.count(*) FROM ONLY " + e.getKey() + " WHERE ctid >= '(" + e.getValue()[0]
                + ",0)'::tid AND ctid < '(" + e.getValue()[1] + ",0)'::tid").collect(Collectors.joining(" UNION ALL "));
    }

    /** Captures, as changed keys, every row that differs between target and source (rollback's resync). */
    public String captureDifferences() {
        return captureDifferences(null, null);
    }

    /**
     * Logs the keys whose rows differ; with {@code keptBefore} (a literal of the key type), a row only the target has whose
     * {@code timeColumn} is before it is left alone: its partition is gone from the source (retention), not a deletion.
     */
    public String captureDifferences(String timeColumn, String keptBefore) {
        String k = keyIdent();
        String onlyInTarget = keptBefore == null ? "s." + k + " IS NULL"
                : "(s." + k + " IS NULL AND NOT coalesce(t." + Sql.ident(timeColumn) + " < " + keptBefore + ", false))"; // a NULL time was never pruned
        return "INSERT INTO " + changeLog.sql() + " (" + k + ") SELECT coalesce(s." + k + ", t." + k + ") FROM " + source.sql() + " s FULL JOIN "
                + target.sql() + " t ON s." + k + " = t." + k + " WHERE " + onlyInTarget + " OR t." + k + " IS NULL OR s::text <> t::text";
    }
}
