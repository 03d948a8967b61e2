package io.github.partitionmaven.check;

import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.core.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the slowest statements (by mean execution time) that name each table, from
 * pg_stat_statements in the current database, in one query for all tables. Only queries and DML
 * count: DDL and maintenance are expected to be slow. Absent or not preloaded, the extension gives
 * a note, not an error.
 */
public final class StatementStatsReader {

    private static final String EXTENSION = """
            SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
             WHERE e.extname = 'pg_stat_statements'""";

    private static final String SLOWEST = """
            WITH s AS MATERIALIZED (
                   SELECT query, calls, mean_exec_time, max_exec_time, total_exec_time FROM %s
                    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = pg_catalog.current_database()) AND calls > 0
                      AND query ~* '^\\s*(select|insert|update|delete|merge|with|table)\\M')
            SELECT t.idx, x.query, x.calls, x.mean_exec_time, x.max_exec_time, x.total_exec_time
              FROM unnest(?::int[], ?::text[]) AS t(idx, pattern)
             CROSS JOIN LATERAL (SELECT * FROM s WHERE s.query ~* t.pattern ORDER BY s.mean_exec_time DESC LIMIT ?) x
             ORDER BY t.idx, x.mean_exec_time DESC""";

    /** SQLSTATE object_not_in_prerequisite_state: the extension exists but is not in shared_preload_libraries. */
    private static final String NOT_LOADED = "55000";

    private StatementStatsReader() {
    }

    public static StatementStatistics read(Connection c, List<TableState> tables, int perTable) throws SQLException {
        if (perTable == 0) {
            return StatementStatistics.unavailable("slow statements not read: slowStatementsPerTable is 0");
        }
        String schema = null;
        try (PreparedStatement ps = c.prepareStatement(EXTENSION); ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                schema = rs.getString(1);
            }
        }
        if (schema == null) {
            return StatementStatistics.unavailable("pg_stat_statements is not installed in this database: slow statements are not"
                    + " reported (to have them: shared_preload_libraries = 'pg_stat_statements', then CREATE EXTENSION"
                    + " pg_stat_statements)");
        }
        List<TableState> existing = tables.stream().filter(t -> t.kind() == TableState.Kind.PLAIN
                || t.kind() == TableState.Kind.PARTITIONED).toList();
        Map<TableName, List<StatementStats>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(SLOWEST.formatted(Sql.qualified(schema, "pg_stat_statements")))) {
            ps.setArray(1, c.createArrayOf("int4", java.util.stream.IntStream.range(0, existing.size()).boxed().toArray()));
            ps.setArray(2, c.createArrayOf("text", existing.stream().map(t -> namePattern(t.name().name())).toArray()));
            ps.setInt(3, perTable);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(existing.get(rs.getInt("idx")).configured(), k -> new ArrayList<>()).add(new StatementStats(
                            rs.getString("query"), rs.getLong("calls"), rs.getDouble("mean_exec_time"),
                            rs.getDouble("max_exec_time"), rs.getDouble("total_exec_time")));
                }
            }
        } catch (SQLException e) {
            if (NOT_LOADED.equals(e.getSQLState())) {
                return StatementStatistics.unavailable("pg_stat_statements is installed but not loaded: slow statements are not"
                        + " reported (add it to shared_preload_libraries and restart the server)");
            }
            throw e;
        }
        return new StatementStatistics(true, "slowest statements from " + schema + ".pg_stat_statements", out);
    }

    /**
     * A case-insensitive PostgreSQL regular expression matching the table name as a whole word,
     * bare, schema-qualified or double-quoted; every character but letters, digits and _ is escaped.
     */
    static String namePattern(String name) {
        StringBuilder escaped = new StringBuilder();
        for (char ch : name.toCharArray()) {
            if (!Character.isLetterOrDigit(ch) && ch != '_') {
                escaped.append('\\');
            }
            escaped.append(ch);
        }
        return "(^|[^[:alnum:]_$])\"?" + escaped + "\"?($|[^[:alnum:]_$])";
    }
}
