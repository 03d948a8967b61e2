package io.github.partitionmaven.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's PostgreSQL 15 ({@code /usr/lib/postgresql/15/bin}, package postgresql-15), for what the embedded
 * binaries lack: extensions such as Debian's pg_partman (postgresql-15-partman). A private cluster:
 * initdb (trust, superuser {@value #SUPERUSER}) in a temporary directory, postgres as a child process on a
 * free port on 127.0.0.1 (no Unix socket), stopped and deleted by {@link #stop()}. Runs unprivileged
 * from a root JVM, see {@link Unprivileged}.
 */
public final class DebianPostgres implements AutoCloseable {

    public static final String MAJOR = "15";
    public static final Path BIN = Path.of("/usr/lib/postgresql", MAJOR, "bin");
    public static final String SUPERUSER = "postgres";

    private final Path dir;
    private final int port;
    private final Process process;

    private DebianPostgres(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    public static boolean available() {
        return Files.isExecutable(BIN.resolve("postgres")) && Files.isExecutable(BIN.resolve("initdb"));
    }

    /** Skips the calling test, with one line saying why, when Debian's PostgreSQL 15 is not installed. */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(available(), "Debian PostgreSQL skipped: no " + BIN + "/postgres (apt-get install postgresql-15)");
    }

    /** Whether Debian's pg_partman for this version is installed (postgresql-15-partman). */
    public static boolean partmanAvailable() {
        return Files.exists(Path.of("/usr/share/postgresql", MAJOR, "extension", "pg_partman.control"));
    }

    public static void assumePartmanAvailable() {
        assumeAvailable();
        Assumptions.assumeTrue(partmanAvailable(), "pg_partman skipped: /usr/share/postgresql/" + MAJOR
                + "/extension/pg_partman.control is absent (apt-get install postgresql-15-partman)");
    }

    public static DebianPostgres start() throws IOException, SQLException {
        return start(Map.of());
    }

    /**
     * Starts a fresh cluster.
     *
     * @param settings server settings passed as -c name=value, e.g. shared_preload_libraries=pg_partman_bgw
     */
    public static DebianPostgres start(Map<String, String> settings) throws IOException, SQLException {
        return start(true, settings);
    }

    /**
     * Starts a fresh cluster with PostgreSQL's own defaults (fsync, synchronous_commit and full_page_writes on, 128MB
     * shared_buffers) plus {@code settings}: what a benchmark compares with production, where the tests' settings would flatter
     * every write.
     */
    public static DebianPostgres startStock(Map<String, String> settings) throws IOException, SQLException {
        return start(false, settings);
    }

    private static DebianPostgres start(boolean testDefaults, Map<String, String> settings) throws IOException, SQLException {
        if (!available()) {
            throw new IllegalStateException(BIN + "/postgres is absent");
        }
        int port = Ports.free();
        Path dir = Files.createTempDirectory("debian-pg" + MAJOR + "-" + port + "-");
        Unprivileged.handOver(dir);
        Path data = dir.resolve("data");
        Unprivileged.runChecked(Unprivileged.command(List.of(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER,
                "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")), dir.resolve("initdb.log"));
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("listen_addresses", "127.0.0.1");
        conf.put("unix_socket_directories", "");
        conf.put("logging_collector", "off");
        if (testDefaults) {
            conf.put("fsync", "off");
            conf.put("synchronous_commit", "off");
            conf.put("full_page_writes", "off");
            conf.put("max_connections", "50");
            conf.put("shared_buffers", "32MB");
        }
        conf.putAll(settings);
        List<String> cmd = new ArrayList<>(List.of(BIN.resolve("postgres").toString(), "-D", data.toString(), "-p", Integer.toString(port)));
        conf.forEach((k, v) -> {
            cmd.add("-c");
            cmd.add(k + "=" + v);
        });
        Process p = new ProcessBuilder(Unprivileged.command(cmd)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("postgres.log").toFile()).start();
        DebianPostgres pg = new DebianPostgres(dir, port, p);
        Runtime.getRuntime().addShutdownHook(new Thread(pg::stopQuietly));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try (Connection c = pg.connect("postgres")) {
                return pg;
            } catch (SQLException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    String log = pg.log();
                    pg.stop();
                    throw new IOException("Debian PostgreSQL did not start: " + e.getMessage() + "\n" + log, e);
                }
            }
            PgBouncer.sleep(50);
        }
    }

    public int port() {
        return port;
    }

    public Path dataDirectory() {
        return dir.resolve("data");
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Connects as the superuser. */
    public Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", SUPERUSER);
        return DriverManager.getConnection(url(database), p);
    }

    /** Creates an empty database and returns its JDBC URL. */
    public String createDatabase(String name) throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
        }
        return url(name);
    }

    public String version() throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    public String log() {
        return Unprivileged.logs(dir, "initdb.log", "postgres.log");
    }

    /** Stops the server (fast shutdown) and deletes the cluster. */
    public void stop() {
        Unprivileged.stop(process, "INT", 20);
        Unprivileged.purge(dir);
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException ignored) {
            // JVM exit
        }
    }

    @Override
    public void close() {
        stop();
    }
}
