package io.github.partitionmaven.testing;

import io.github.partitionmaven.execute.ConnectionSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** One database on the test server, with the few helpers tests need to set up and inspect state. */
public final class TestDb {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final TestServer server;
    private final String name;

    TestDb(TestServer server, String name) {
        this.server = server;
        this.name = name;
    }

    /** A fresh database named after the test class. */
    public static TestDb fresh(Class<?> testClass) {
        try {
            return TestServer.get().createDatabase(("t_" + testClass.getSimpleName() + "_" + COUNTER.incrementAndGet()
                    + "_" + ProcessHandle.current().pid()).toLowerCase(java.util.Locale.ROOT));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public String name() {
        return name;
    }

    public String url() {
        return server.url(name);
    }

    public TestServer server() {
        return server;
    }

    public ConnectionSettings settings() {
        return new ConnectionSettings(url(), server.user(), server.password(), Map.of());
    }

    public Connection connect() throws SQLException {
        return server.connect(url());
    }

    public void exec(String... statements) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public long queryLong(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public List<String> queryStrings(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Partitions of {@code parent} with their bounds as the catalog prints them in a UTC session, ordered. */
    public List<String> partitions(String parent) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE 'UTC'");
            List<String> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
                    + " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '" + parent.replace("'", "''")
                    + "'::regclass ORDER BY pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', c.relpartbound::text, c.relname")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            out.sort(null);
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * A tablespace named after this database and {@code what}, in a directory beside the server's data directory and owned
     * as that is (the tests run as root, the server as the data directory's owner); returns its name.
     */
    public String createTablespace(String what) throws java.io.IOException {
        String tablespace = name + "_" + what;
        java.nio.file.Path data = java.nio.file.Path.of(queryStrings("SELECT current_setting('data_directory')").get(0));
        java.nio.file.Path dir = data.resolveSibling(data.getFileName() + "_" + tablespace);
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.setOwner(dir, java.nio.file.Files.getOwner(data));
        exec("CREATE TABLESPACE " + tablespace + " LOCATION '" + dir + "'");
        return tablespace;
    }

    /** Row count and an order-independent checksum over every column of every row of {@code relation}: equal ones prove the rows kept. */
    public String checksum(String relation) {
        return queryStrings("SELECT count(*) || ':' || coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint)::text, '0')"
                + " FROM " + relation + " t").get(0);
    }

    /**
     * Everything a goal could change, as text: relations, their kinds, partition bounds, columns,
     * constraints, indexes, sequences with their type and range, and row counts per user schema. Equal snapshots prove nothing
     * changed.
     */
    public String snapshot() {
        String sql = """
                SELECT string_agg(line, E'\\n' ORDER BY line) FROM (
                  SELECT format('%s.%s %s %s', n.nspname, c.relname, c.relkind, coalesce(pg_get_expr(c.relpartbound, c.oid), '')) AS line
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind IN ('r', 'p', 'i', 'I', 'S', 'v')
                  UNION ALL
                  SELECT format('%s col %s %s', a.attrelid::regclass, a.attname, format_type(a.atttypid, a.atttypmod))
                    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND a.attnum > 0 AND NOT a.attisdropped
                     AND c.relkind IN ('r', 'p')
                  UNION ALL
                  SELECT format('%s con %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) FROM pg_constraint
                   WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
                  UNION ALL
                  SELECT format('%s sequence %s %s..%s', seqrelid::regclass, format_type(seqtypid, NULL), seqmin, seqmax) FROM pg_sequence
                  UNION ALL
                  SELECT format('%s trigger %s', tgrelid::regclass, pg_get_triggerdef(oid)) FROM pg_trigger WHERE NOT tgisinternal
                  UNION ALL
                  SELECT format('function %s', p.oid::regprocedure) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
                ) x""";
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE 'UTC'");
            StringBuilder sb = new StringBuilder();
            try (ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                sb.append(rs.getString(1));
            }
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n"
                    + " ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
                    + " ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + t)) {
                    rs.next();
                    sb.append('\n').append(t).append(" rows ").append(rs.getLong(1));
                }
            }
            return sb.toString();
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
