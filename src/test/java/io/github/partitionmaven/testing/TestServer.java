package io.github.partitionmaven.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The real PostgreSQL the tests run on, one per JVM: an external server when
 * {@code PARTITION_TEST_JDBC_URL} is set (with {@code PARTITION_TEST_USER}/{@code PARTITION_TEST_PASSWORD}),
 * else a Testcontainers container when Docker runs, else an embedded server started from the
 * binaries of the major version in {@code partition.test.pg} (14 to 18, default 18).
 */
public final class TestServer {

    /** A role whose password is really checked (scram), to test authentication and secrets handling. */
    private static final boolean DURABLE = Boolean.getBoolean("partition.test.durable");
    public static final String PASSWORD_USER = "partition_pw";
    public static final String PASSWORD = "s3cret-Pa55word";

    private static TestServer instance;

    private final String baseUrl;
    private final String adminUrl;
    private final String user;
    private final String password;
    private final boolean passwordUserReady;
    private final String kind;

    private TestServer(String baseUrl, String adminDb, String user, String password, boolean passwordUserReady, String kind) {
        this.baseUrl = baseUrl;
        this.adminUrl = baseUrl + adminDb;
        this.user = user;
        this.password = password;
        this.passwordUserReady = passwordUserReady;
        this.kind = kind;
    }

    public static synchronized TestServer get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    public static String majorVersion() {
        return System.getProperty("partition.test.pg", "18");
    }

    private static TestServer start() {
        String external = System.getenv("PARTITION_TEST_JDBC_URL");
        try {
            if (external != null && !external.isBlank()) {
                int slash = external.lastIndexOf('/');
                return new TestServer(external.substring(0, slash + 1), external.substring(slash + 1),
                        System.getenv("PARTITION_TEST_USER"), System.getenv("PARTITION_TEST_PASSWORD"), false, "external " + external);
            }
            if (dockerAvailable()) {
                return startContainer();
            }
            return startEmbedded(Integer.parseInt(System.getProperty("partition.it.port", "0")));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the test PostgreSQL: " + e.getMessage(), e);
        }
    }

    /** Whether Testcontainers can reach a Docker daemon (also the Citus cluster's second source). */
    static boolean dockerAvailable() {
        if (System.getenv("DOCKER_HOST") == null && !new File("/var/run/docker.sock").exists()) {
            return false;
        }
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    private static TestServer startContainer() throws SQLException {
        var container = new org.testcontainers.containers.PostgreSQLContainer<>("postgres:" + majorVersion());
        container.start();
        String url = container.getJdbcUrl();
        int slash = url.lastIndexOf('/');
        TestServer s = new TestServer(url.substring(0, slash + 1), url.substring(slash + 1), container.getUsername(),
                container.getPassword(), false, "testcontainers postgres:" + majorVersion());
        return s;
    }

    /** Starts an embedded server; port 0 picks a free one. Also used by the invoker projects' server. */
    public static TestServer startEmbedded(int port) throws IOException, SQLException {
        return startEmbedded(port, majorVersion());
    }

    /** Starts an embedded server of the given major version (13 exists only to test the refusal of old servers). */
    public static TestServer startEmbedded(int port, String major) throws IOException, SQLException {
        return startEmbedded(port, major, DURABLE);
    }

    /** ... and with fsync, synchronous_commit and full_page_writes on when {@code durable}, whatever the suite runs with. */
    public static TestServer startEmbedded(int port, String major, boolean durable) throws IOException, SQLException {
        return startEmbedded(port, major, durable, Map.of());
    }

    /** ... and with these server {@code settings} besides (e.g. autovacuum_naptime for a test that needs autovacuum soon). */
    public static TestServer startEmbedded(int port, String major, boolean durable, Map<String, String> settings) throws IOException, SQLException {
        Path binaries = EmbeddedBinaries.archive(major);
        if (!Files.exists(binaries)) {
            throw new IllegalStateException("No PostgreSQL " + major + " binaries at " + binaries
                    + ": run the build through Maven (mvn test), which unpacks them, or set partition.test.binaries.");
        }
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPgBinaryResolver((system, arch) -> new FileInputStream(binaries.toFile()))
                .setServerConfig("max_connections", "100")
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                // room for the statements of the whole suite (default 5000): a full table evicts the least used, a test's own
                .setServerConfig("pg_stat_statements.max", "50000");
        if (!durable) {
            // tests need no crash safety; benchmarks (-Dpartition.test.durable=true) keep PostgreSQL's defaults
            builder.setServerConfig("fsync", "off").setServerConfig("synchronous_commit", "off").setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_wal_size", "2GB");
        } else {
            // zonky's builder turns fsync and synchronous_commit off by default: back to PostgreSQL's own defaults
            builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").setServerConfig("full_page_writes", "on");
        }
        settings.forEach(builder::setServerConfig);
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedPostgres pg = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                pg.close();
            } catch (IOException ignored) {
                // the JVM is exiting
            }
        }));
        String base = "jdbc:postgresql://localhost:" + pg.getPort() + "/";
        TestServer s = new TestServer(base, "postgres", "postgres", null, true, "embedded PostgreSQL " + major + " on port " + pg.getPort()
                + (durable ? ", default durability (fsync, synchronous_commit and full_page_writes on)" : ", fsync off"));
        s.enablePasswordUser();
        return s;
    }

    /** The tests' view of a running Debian PostgreSQL (its superuser, trust authentication), to make {@link TestDb}s on it. */
    public static TestServer of(DebianPostgres pg) {
        return new TestServer("jdbc:postgresql://127.0.0.1:" + pg.port() + "/", "postgres", DebianPostgres.SUPERUSER, null, false,
                "Debian PostgreSQL " + DebianPostgres.MAJOR + " on port " + pg.port());
    }

    /** Creates a role whose password is checked (the embedded server trusts everyone else). */
    private void enablePasswordUser() throws SQLException, IOException {
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("SET password_encryption = 'scram-sha-256'");
            st.execute("CREATE ROLE " + PASSWORD_USER + " LOGIN SUPERUSER PASSWORD '" + PASSWORD + "'");
            String hba;
            try (ResultSet rs = st.executeQuery("SHOW hba_file")) {
                rs.next();
                hba = rs.getString(1);
            }
            Path file = Path.of(hba);
            String rules = "host all " + PASSWORD_USER + " 127.0.0.1/32 scram-sha-256\nhost all " + PASSWORD_USER
                    + " ::1/128 scram-sha-256\nlocal all " + PASSWORD_USER + " scram-sha-256\n";
            Files.writeString(file, rules + Files.readString(file));
            st.execute("SELECT pg_reload_conf()");
        }
    }

    public String describe() {
        return kind;
    }

    public boolean passwordUserReady() {
        return passwordUserReady;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String url(String database) {
        return baseUrl + database;
    }

    public Connection admin() throws SQLException {
        return connect(adminUrl);
    }

    public Connection connect(String url) throws SQLException {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection(url, p);
    }

    /** Creates a fresh, empty database and returns it. */
    public TestDb createDatabase(String name) throws SQLException {
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
            st.execute("CREATE DATABASE \"" + name + "\"");
        }
        return new TestDb(this, name);
    }

    public static List<String> supportedMajors() {
        return List.of("14", "15", "16", "17", "18");
    }
}
