package io.github.partitionmaven.check;

import io.github.partitionmaven.catalog.Catalog;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.TableName;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A conversion (or rollback) that started and did not finish: its progress record is still there, and with it (strategy
 * copy) the capture trigger that logs every write of the application and a growing change log.
 */
public record UnfinishedConversion(TableName table, String strategy, String startedAt, long copiedRows, Optional<String> lastError)
        implements HealthFinding {

    /** The comment every progress record carries (see ConvertNames#createProgress), naming its operation and table. */
    private static final Pattern COMMENT = Pattern.compile("partition-maven-plugin: progress of the (\\w+) of (.+); dropped when it completes");

    private static final String RECORDS = """
            SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), d.description
              FROM pg_description d JOIN pg_class c ON c.oid = d.objoid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE d.classoid = 'pg_class'::regclass AND d.objsubid = 0 AND c.relkind = 'r'
               AND d.description LIKE 'partition-maven-plugin: progress of the %'
            """;

    @Override
    public Check check() {
        return Check.CONVERSION;
    }

    @Override
    public String message() {
        return "an unfinished " + strategy + " of " + table + " (started " + startedAt + (strategy.equals("attach") ? "" : ", " + copiedRows + " row(s) copied")
                + lastError.map(e -> "; last error: " + e).orElse("") + ") is still in place: its capture trigger, if any, costs every"
                + " write of the application and its change log keeps growing";
    }

    @Override
    public String remedy() {
        return strategy.equals("rollback") ? "run `mvn partition:rollback` to finish it"
                : "run `mvn partition:convert` to finish it, or `mvn partition:convert -Dpartition.abandon` to remove it";
    }

    /** The unfinished conversions of the catalog's tables, in two queries whatever their number. */
    static Map<TableName, UnfinishedConversion> read(Connection c, Catalog catalog) throws SQLException {
        Map<String, TableName> bySql = new HashMap<>();
        for (TableState t : catalog.tables()) {
            if (t.name() != null) {
                bySql.put(t.name().sql(), t.name());
            }
        }
        List<String> records = new ArrayList<>();
        List<TableName> tables = new ArrayList<>();
        List<String> strategies = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(RECORDS)) {
            while (rs.next()) {
                Matcher m = COMMENT.matcher(rs.getString(2));
                if (m.matches() && bySql.containsKey(m.group(2))) {
                    records.add(rs.getString(1));
                    strategies.add(m.group(1));
                    tables.add(bySql.get(m.group(2)));
                }
            }
        }
        Map<TableName, UnfinishedConversion> out = new HashMap<>();
        if (records.isEmpty()) {
            return out;
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            parts.add("SELECT " + i + ", coalesce(pg_catalog.to_jsonb(p)->>'started_at', '?'), copied_rows, pg_catalog.to_jsonb(p)->>'last_error' FROM " + records.get(i) + " p");
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(String.join(" UNION ALL ", parts))) {
            while (rs.next()) {
                int i = rs.getInt(1);
                out.put(tables.get(i), new UnfinishedConversion(tables.get(i), strategies.get(i), rs.getString(2), rs.getLong(3),
                        Optional.ofNullable(rs.getString(4))));
            }
        }
        return out;
    }
}
