package io.github.partitionmaven.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Used by the invoker projects' groovy hooks (which see the test classpath): a fresh database per
 * project on the invoker test server, seeded with the seed's tables.
 */
public final class ItDatabases {

    private ItDatabases() {
    }

    /** Waits for the server, then (re)creates {@code database} and runs {@code statements} in it. */
    public static String create(int port, Path readyFile, String database, List<String> statements) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(readyFile)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The invoker test server did not start: no " + readyFile);
            }
            Thread.sleep(200);
        }
        try (Connection c = connect(port, "postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
            s.execute("CREATE DATABASE \"" + database + "\"");
        }
        try (Connection c = connect(port, database); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
        return "jdbc:postgresql://localhost:" + port + "/" + database;
    }

    /** The seed's tables partitioned by month for the six months before {@code now}, with rows in them. */
    public static List<String> seedPartitioned(LocalDate now, int rows) {
        YearMonth current = YearMonth.from(now);
        List<String> sql = new ArrayList<>(Seed.partitionedTables(current.minusMonths(6), current.minusMonths(1)));
        sql.addAll(Seed.rows(100, rows, current.minusMonths(6).atDay(1), current.atDay(1)));
        return sql;
    }

    /** The seed's tables as plain tables (before conversion), with rows over the twelve months before {@code now}. */
    public static List<String> seedPlain(LocalDate now, int rows) {
        YearMonth current = YearMonth.from(now);
        List<String> sql = new ArrayList<>(Seed.plainTables());
        sql.addAll(Seed.rows(100, rows, current.minusMonths(12).atDay(1), now));
        return sql;
    }

    public static long queryLong(int port, String database, String sql) throws SQLException {
        try (Connection c = connect(port, database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public static List<String> queryStrings(int port, String database, String sql) throws SQLException {
        try (Connection c = connect(port, database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    public static void exec(int port, String database, String... statements) throws SQLException {
        try (Connection c = connect(port, database); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    public static Connection connect(int port, String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/" + database, p);
    }
}
