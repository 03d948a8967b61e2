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
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;

/**
 * A streaming hot standby of a primary (normally the embedded {@link TestServer}): cloned with
 * {@code pg_basebackup -R -X stream} of the primary's major version, started from the embedded binaries
 * of that version on a free port, ready once it is in recovery and streaming.
 *
 * <p>The primary needs nothing beyond PostgreSQL's defaults (wal_level=replica, max_wal_senders=10) and
 * initdb's pg_hba.conf ({@code host replication all 127.0.0.1/32 trust}), which the embedded server has.
 * The embedded archives hold no pg_basebackup, so one of the same major version comes from
 * {@code -Dpartition.test.pg_basebackup=...}, the unpacked embedded binaries, or Debian's
 * {@code /usr/lib/postgresql/<major>/bin} (Debian 12 ships 15 only). pg_basebackup refuses newer servers.
 */
public final class Standby implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final String user;
    private final Process process;

    private Standby(Path dir, int port, String user, Process process) {
        this.dir = dir;
        this.port = port;
        this.user = user;
        this.process = process;
    }

    /** A pg_basebackup of the major version, if there is one here. */
    public static Optional<Path> basebackup(String major) {
        List<Path> candidates = new ArrayList<>();
        String explicit = System.getProperty("partition.test.pg_basebackup");
        if (explicit != null && !explicit.isBlank()) {
            candidates.add(Path.of(explicit));
        }
        candidates.add(EmbeddedBinaries.archive(major).getParent().resolve("unpacked/bin/pg_basebackup"));
        candidates.add(Path.of("/usr/lib/postgresql", major, "bin", "pg_basebackup"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** Skips the calling test, with one line saying why, when no standby of this major version can be made here. */
    public static void assumeAvailable(String major) {
        Assumptions.assumeTrue(basebackup(major).isPresent(), "Standby skipped: no pg_basebackup " + major
                + " (the embedded binaries have none; Debian's is in /usr/lib/postgresql/" + major + "/bin, postgresql-client-" + major + ")");
        Assumptions.assumeTrue(Files.exists(EmbeddedBinaries.archive(major)), "Standby skipped: no embedded PostgreSQL " + major + " binaries");
    }

    /** The primary's major version ("18"). */
    public static String major(Connection primary) throws SQLException {
        try (Statement s = primary.createStatement(); ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
            rs.next();
            return Integer.toString(rs.getInt(1));
        }
    }

    /** A standby of the test server (whose superuser must be allowed to replicate without a password, as embedded). */
    public static Standby of(TestServer primary) throws IOException, SQLException {
        String url = primary.url("postgres");
        String hostPort = url.substring(url.indexOf("//") + 2, url.lastIndexOf('/'));
        int primaryPort = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        String major;
        try (Connection c = primary.admin()) {
            major = major(c);
        }
        return start("127.0.0.1", primaryPort, primary.user(), major);
    }

    /** Clones the primary at host:port as replication user {@code user} (trusted) and starts the standby. */
    public static Standby start(String host, int primaryPort, String user, String major) throws IOException, SQLException {
        Path pgBasebackup = basebackup(major).orElseThrow(() -> new IllegalStateException("no pg_basebackup " + major));
        Path postgres = EmbeddedBinaries.home(major).resolve("bin/postgres");
        int port = Ports.free();
        Path dir = Files.createTempDirectory("standby-" + port + "-");
        Unprivileged.handOver(dir);
        Path data = dir.resolve("data");
        Unprivileged.runChecked(Unprivileged.command(List.of(pgBasebackup.toString(), "-h", host, "-p", Integer.toString(primaryPort),
                "-U", user, "-D", data.toString(), "-R", "-X", "stream", "-c", "fast", "--no-sync", "-w")), dir.resolve("basebackup.log"));
        List<String> cmd = new ArrayList<>(List.of(postgres.toString(), "-D", data.toString(), "-p", Integer.toString(port),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "hot_standby=on",
                "-c", "fsync=off", "-c", "shared_preload_libraries=", "-c", "max_connections=100",
                "-c", "logging_collector=off", "-c", "cluster_name=standby"));
        Process p = new ProcessBuilder(Unprivileged.command(cmd)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("postgres.log").toFile()).start();
        Standby s = new Standby(dir, port, user, p);
        Runtime.getRuntime().addShutdownHook(new Thread(s::stopQuietly));
        try {
            s.awaitReady();
        } catch (IOException | SQLException | RuntimeException e) {
            String log = s.log();
            s.stop();
            throw new IOException("standby did not start: " + e.getMessage() + "\n" + log, e);
        }
        return s;
    }

    private void awaitReady() throws IOException, SQLException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("postgres exited " + process.exitValue());
            }
            try (Connection c = connect("postgres"); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), (SELECT status FROM pg_stat_wal_receiver)")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new IOException("the clone is not in recovery: standby.signal missing?");
                }
                if ("streaming".equals(rs.getString(2))) {
                    return;
                }
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the standby is not streaming after 60 s");
            }
            PgBouncer.sleep(100);
        }
    }

    /**
     * Waits until the standby has replayed everything the primary wrote so far. Commits a tiny
     * transaction with synchronous_commit on first, so WAL the primary wrote asynchronously is flushed
     * (and so sent); runs on the given primary connection.
     */
    public void awaitReplay(Connection primary, long timeoutMillis) throws SQLException {
        String target;
        try (Statement s = primary.createStatement()) {
            s.execute("SET synchronous_commit = local");
            s.execute("SELECT txid_current()");
            s.execute("RESET synchronous_commit");
            try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_flush_lsn()")) {
                rs.next();
                target = rs.getString(1);
            }
        }
        if (!primary.getAutoCommit()) {
            primary.commit();
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("SELECT pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn, pg_last_wal_replay_lsn()")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("standby replayed to " + rs.getString(2) + ", primary flushed " + target);
                    }
                }
                PgBouncer.sleep(20);
            }
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

    /** Connects as the replication user (the primary's superuser). */
    public Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        return DriverManager.getConnection(url(database), p);
    }

    public String log() {
        return Unprivileged.logs(dir, "basebackup.log", "postgres.log");
    }

    /** Stops the standby (fast shutdown) and deletes its data directory. */
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
