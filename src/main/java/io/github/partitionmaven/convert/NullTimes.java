package io.github.partitionmaven.convert;

import io.github.partitionmaven.catalog.StorageParameters;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;

/**
 * Rows whose partition column is NULL, which no range partition can hold: the SQL that fixes them, for the refusal, and the
 * DEFAULT partition that keeps them with {@code <nullTimes>default</nullTimes>}.
 */
final class NullTimes {

    /**
     * Pages per transaction of the fix: 1,000 pages are 8 MB, about 60,000 of the seed's rows. Each batch reads its pages
     * through a TID range scan (PostgreSQL 14+), so the fix reads the table once whatever the share of NULLs, with or
     * without an index on the column: a loop of {@code WHERE col IS NULL LIMIT n} would read the rows already fixed
     * again in every batch when the column has no index. Each batch commits, so no lock or row version is held longer.
     */
    static final int PAGES_PER_BATCH = 1_000;

    /** The DEFAULT partition's CHECK, named after it, which lets premake's ATTACH skip scanning it. */
    static final String CONSTRAINT_SUFFIX = "_null_times";

    private NullTimes() {
    }

    /**
     * A DO block that runs {@code change} (an UPDATE or DELETE of {@code table} whose WHERE is completed here) page range by
     * page range, committing after each: run it as it is, outside a transaction block (psql's default).
     */
    static String batched(TableName table, String change, String column) {
        String pages = "pg_catalog.pg_relation_size(" + Sql.literal(table.sql()) + "::pg_catalog.regclass) / pg_catalog.current_setting("
                + "'block_size')::bigint";
        return "DO " + Sql.dollarQuoted(" DECLARE b bigint := 0; pages bigint := " + pages + "; BEGIN WHILE b <= pages LOOP " + change
                + " WHERE ctid >= pg_catalog.format('(%s,0)', b)::tid AND ctid < pg_catalog.format('(%s,0)', b + " + PAGES_PER_BATCH
                + ")::tid AND " + Sql.ident(column) + " IS NULL; COMMIT; b := b + " + PAGES_PER_BATCH + "; END LOOP; END ");
    }

    /** The refusal of {@code rows} NULL times, with two fixes to run as they are and the option that keeps them. */
    static String refusal(TableName table, String column, long rows, String fallback, String fallbackMeaning) {
        String k = Sql.ident(column);
        return rows + " row(s) of " + table + " have a NULL " + k + "; no range partition can hold them. Nothing was changed."
                + " Give them a time (here " + fallback + ", " + fallbackMeaning + "), in transactions of " + PAGES_PER_BATCH
                + " pages each, by running as it is (e.g. in psql, outside a transaction block):\n  "
                + batched(table, "UPDATE " + table.sql() + " SET " + k + " = " + fallback, column) + ";\nor delete them the same way:\n  "
                + batched(table, "DELETE FROM " + table.sql(), column) + ";\nthen run `mvn partition:convert` again (no ALTER TABLE ... SET"
                + " NOT NULL is needed: the new table makes " + k + " NOT NULL itself; run the fix again if the application wrote"
                + " more NULLs meanwhile). Or keep them as they are: <nullTimes>default</nullTimes> on the table puts them into a"
                + " DEFAULT partition of the new table.";
    }

    /** The DEFAULT partition of the new table, named as {@code <table>_default}. */
    static TableName partition(TableName table) {
        return new TableName(table.schema(), ConvertNames.fit(table.name(), "_default"));
    }

    /**
     * The DEFAULT partition holding only rows whose {@code column} is NULL (its CHECK says so), UNLOGGED like the others when
     * the table is, with their storage parameters.
     */
    static java.util.List<String> createPartition(TableName parent, TableName partition, String column, boolean unlogged,
                                                  StorageParameters storage) {
        return java.util.List.of("CREATE " + (unlogged ? "UNLOGGED " : "") + "TABLE " + partition.sql() + " PARTITION OF " + parent.sql()
                        + " DEFAULT" + storage.withClause(),
                "ALTER TABLE " + partition.sql() + " ADD CONSTRAINT " + Sql.ident(ConvertNames.fit(partition.name(), CONSTRAINT_SUFFIX))
                        + " CHECK (" + Sql.ident(column) + " IS NULL)");
    }
}
