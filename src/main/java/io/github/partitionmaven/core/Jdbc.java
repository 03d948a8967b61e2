package io.github.partitionmaven.core;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * The JDBC shapes the engine repeats: a query whose answer is one value (a count, a flag, a name), and a
 * text[] column as a list. The query runs on the caller's connection, so inside its transaction and snapshot.
 */
public final class Jdbc {

    private Jdbc() {
    }

    /** The first column of the one row {@code sql} returns, as a long (0 for NULL); {@code params} bind to its {@code ?}s in order. */
    public static long queryLong(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The first column of the one row {@code sql} returns, as a boolean (false for NULL). */
    public static boolean queryBoolean(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** The first column of the one row {@code sql} returns, as text (null for NULL). */
    public static String queryString(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** A text[] column as a list; NULL as an empty list. */
    public static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps;
        } catch (SQLException e) {
            ps.close();
            throw e;
        }
    }
}
