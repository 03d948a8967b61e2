package io.github.partitionmaven.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Citus cluster (one coordinator, its workers) for the tests, one per JVM.
 *
 * <p>Where it comes from, in this order:
 * <ol>
 * <li>{@code PARTITION_TEST_CITUS_URL} (e.g. {@code jdbc:postgresql://127.0.0.1:55460/postgres}, as {@code .ci/run}
 * exports it): the coordinator's maintenance database, user {@code postgres} unless the URL names one, no password
 * (trust). Set but not a Citus coordinator is an error, not a skip.</li>
 * <li>Otherwise a Citus coordinator already answering on port 55460 (user {@code postgres}, trust).</li>
 * <li>Otherwise, where Docker runs (Testcontainers finds it), Testcontainers' {@code citusdata/citus:13.2} image:
 * a coordinator and two workers on one Docker network, the workers registered by their network aliases, so the
 * shards live on two other servers as on the shared folder's cluster; stopped when the JVM ends. Before the shared
 * folder because it needs no root and installs nothing on the host.</li>
 * <li>Otherwise, when {@code ../shared/citus/start-cluster.sh} exists beside the project, we run as root and
 * PostgreSQL 15 is installed, it starts a cluster on ports 55460-55462 and stops and purges it when the JVM ends.</li>
 * <li>Otherwise {@link #get()} skips the calling test (a JUnit assumption) with one line saying why.</li>
 * </ol>
 * Call {@link #get()} from {@code @BeforeEach} (or the test), not {@code @BeforeAll}: surefire reports a class aborted
 * in {@code @BeforeAll} as "Tests run: 0", hiding the skip.
 *
 * <p>Each test class takes its own database with {@link #freshDatabase(Class)}: created on the coordinator and,
 * through {@code citus.enable_create_database_propagation} (Citus 12.2+), on every worker; {@code CREATE EXTENSION
 * citus} on every node; then the coordinator and the workers registered in it ({@code citus_set_coordinator_host},
 * {@code citus_add_node}), since Citus keeps its node metadata per database. Plain JDK and JDBC only.
 */
public final class CitusCluster {

    public static final String URL_ENV = "PARTITION_TEST_CITUS_URL";
    public static final int COORDINATOR_PORT = 55460;
    public static final List<Integer> WORKER_PORTS = List.of(55461, 55462);
    private static final String DEFAULT_USER = "postgres";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private static CitusCluster instance;
    private static String unavailable;

    private final String host;
    private final int port;
    private final String maintenanceDb;
    private final String user;
    private final String origin;
    private final List<Node> workers;
    /** The coordinator as the workers reach it ({@code citus_set_coordinator_host}). */
    private final Node coordinatorForWorkers;
    /** A worker as {@code pg_dist_node} names it, to where the tests reach it (differs only for containers). */
    private final java.util.Map<Node, Node> reach;

    /** A worker as the coordinator knows it ({@code pg_dist_node}). */
    public record Node(String host, int port) {
    }

    private CitusCluster(String host, int port, String maintenanceDb, String user, String origin) throws SQLException {
        this(host, port, maintenanceDb, user, origin, new Node(host, port), java.util.Map.of());
    }

    private CitusCluster(String host, int port, String maintenanceDb, String user, String origin, Node coordinatorForWorkers,
                         java.util.Map<Node, Node> reach) throws SQLException {
        this.host = host;
        this.port = port;
        this.maintenanceDb = maintenanceDb;
        this.user = user;
        this.origin = origin;
        this.coordinatorForWorkers = coordinatorForWorkers;
        this.reach = java.util.Map.copyOf(reach);
        try (Connection c = connect(url(maintenanceDb)); Statement s = c.createStatement()) {
            String version = citusVersion(c);
            if (version == null) {
                throw new SQLException("no citus extension in database " + maintenanceDb + " on " + host + ":" + port);
            }
            List<Node> w = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT nodename, nodeport FROM pg_dist_node"
                    + " WHERE noderole = 'primary' AND isactive AND groupid <> 0 ORDER BY nodeid")) {
                while (rs.next()) {
                    w.add(new Node(rs.getString(1), rs.getInt(2)));
                }
            }
            if (w.isEmpty()) {
                throw new SQLException("the coordinator at " + host + ":" + port + " has no active workers in pg_dist_node");
            }
            this.workers = List.copyOf(w);
        }
    }

    /** The cluster, or a skipped test with one line naming why there is none. */
    public static synchronized CitusCluster get() {
        assumeTrue(unavailableReason() == null, unavailable);
        return instance;
    }

    /** Why there is no cluster, or null when there is one; looks for it (or starts it) on first use, never skips. */
    public static synchronized String unavailableReason() {
        if (instance == null && unavailable == null) {
            try {
                instance = locate();
                System.err.println("Citus tests run on " + instance.describe());
            } catch (Unavailable e) {
                unavailable = "No Citus cluster, Citus tests skipped: " + e.getMessage();
                System.err.println(unavailable);
            }
        }
        return unavailable;
    }

    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private static CitusCluster locate() throws Unavailable {
        String env = System.getenv(URL_ENV);
        if (env != null && !env.isBlank()) {
            try {
                return fromUrl(env.trim(), URL_ENV + "=" + env.trim());
            } catch (SQLException e) {
                throw new IllegalStateException(URL_ENV + "=" + env + " is not a usable Citus coordinator: " + e.getMessage(), e);
            }
        }
        String coordinatorUrl = "jdbc:postgresql://127.0.0.1:" + COORDINATOR_PORT + "/postgres";
        if (listening(COORDINATOR_PORT)) {
            try {
                return fromUrl(coordinatorUrl, "already running on port " + COORDINATOR_PORT);
            } catch (SQLException e) {
                throw new Unavailable("port " + COORDINATOR_PORT + " is taken by something that is not a Citus coordinator: "
                        + e.getMessage());
            }
        }
        if (TestServer.dockerAvailable()) {
            return CitusContainers.start();
        }
        Path shared = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().normalize()
                .resolveSibling("shared").resolve("citus");
        Path start = shared.resolve("start-cluster.sh");
        if (!Files.isRegularFile(start)) {
            throw new Unavailable(URL_ENV + " is not set, no Docker for Testcontainers' " + CitusContainers.IMAGE
                    + " (no DOCKER_HOST, no /var/run/docker.sock, or the daemon does not answer) and there is no " + start + " to start one");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new Unavailable(URL_ENV + " is not set and starting " + start + " needs root (running as "
                    + System.getProperty("user.name") + ")");
        }
        if (!Files.isExecutable(Path.of("/usr/lib/postgresql/15/bin/initdb"))) {
            throw new Unavailable(URL_ENV + " is not set and PostgreSQL 15 is not installed"
                    + " (apt-get install -y postgresql-15 libcurl4, then rerun)");
        }
        return startCluster(shared, coordinatorUrl);
    }

    private static CitusCluster startCluster(Path shared, String coordinatorUrl) throws Unavailable {
        Path base = Path.of(System.getProperty("java.io.tmpdir"), "citus-test-" + ProcessHandle.current().pid());
        List<String> ports = new ArrayList<>();
        ports.add(String.valueOf(COORDINATOR_PORT));
        WORKER_PORTS.forEach(p -> ports.add(String.valueOf(p)));
        Path log = Path.of(System.getProperty("basedir", "."), "target", "citus-cluster.log");
        List<String> cmd = new ArrayList<>(List.of(shared.resolve("start-cluster.sh").toString(), "-d", base.toString()));
        if (Files.exists(Path.of("/usr/lib/postgresql/15/lib/citus.so"))) {
            cmd.add("-n"); // installed already (e.g. by an earlier run); do not rewrite a library another cluster may use
        }
        cmd.addAll(ports);
        List<String> stop = new ArrayList<>(List.of(shared.resolve("stop-cluster.sh").toString(), "-d", base.toString(), "--purge"));
        stop.addAll(ports);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            run(stop, log, 60);
            try {
                Files.deleteIfExists(base);
            } catch (IOException ignored) {
                // left in the temporary directory
            }
        }, "citus-cluster-stop"));
        waitUntilBindable(ports);
        int rc = run(cmd, log, 180);
        if (rc != 0) { // once more from scratch: a passing client connection may have held one of the ports
            run(stop, log, 60);
            waitUntilBindable(ports);
            rc = run(cmd, log, 180);
        }
        if (rc != 0) {
            throw new Unavailable("starting the cluster (" + String.join(" ", cmd) + ") failed twice, exit code " + rc + ": "
                    + lastLine(log) + " (full output: " + log + ")");
        }
        try {
            return fromUrl(coordinatorUrl, "started by the tests in " + base + " (log " + log + ")");
        } catch (SQLException e) {
            throw new Unavailable("the started cluster does not answer as a Citus coordinator: " + e.getMessage());
        }
    }

    private static int run(List<String> cmd, Path log, int timeoutSeconds) {
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -3;
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /**
     * Waits (up to 70 s) until PostgreSQL could bind each port: the ports lie in Linux's ephemeral range, and a
     * client socket's TIME-WAIT on one of them makes the server's bind fail even with SO_REUSEADDR.
     */
    private static void waitUntilBindable(List<String> ports) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(70);
        for (String p : ports) {
            while (System.nanoTime() < deadline) {
                try (java.net.ServerSocket ss = new java.net.ServerSocket()) {
                    ss.setReuseAddress(true);
                    ss.bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(p)));
                    break;
                } catch (IOException busy) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A cluster in containers: the coordinator reached at host:port, named {@code coordinatorForWorkers} inside. */
    static CitusCluster ofContainers(String host, int port, String origin, Node coordinatorForWorkers, java.util.Map<Node, Node> reach)
            throws SQLException {
        return new CitusCluster(host, port, "postgres", DEFAULT_USER, origin, coordinatorForWorkers, reach);
    }

    private static CitusCluster fromUrl(String url, String origin) throws SQLException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]*)(?:\\?(.*))?").matcher(url);
        if (!m.matches()) {
            throw new SQLException("expected jdbc:postgresql://host[:port]/database[?user=...], got " + url);
        }
        String user = DEFAULT_USER;
        if (m.group(4) != null) {
            for (String kv : m.group(4).split("&")) {
                if (kv.startsWith("user=")) {
                    user = kv.substring(5);
                }
            }
        }
        String db = m.group(3).isEmpty() ? "postgres" : m.group(3);
        return new CitusCluster(m.group(1), m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)), db, user, origin);
    }

    /** Citus' version string ({@code citus_version()}) when the database has the extension, else null. */
    public static String citusVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'citus'")) {
            if (!rs.next()) {
                return null;
            }
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT citus_version()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Where the cluster came from, for messages. */
    public String describe() {
        return "Citus coordinator " + host + ":" + port + " with workers " + workerPorts() + " (" + origin + ")";
    }

    public String coordinatorHost() {
        return host;
    }

    public int coordinatorPort() {
        return port;
    }

    /** The workers' ports as the tests reach them, in {@code pg_dist_node} order. */
    public List<Integer> workerPorts() {
        return workers.stream().map(w -> reach.getOrDefault(w, w).port()).toList();
    }

    public List<Node> workers() {
        return workers;
    }

    public String user() {
        return user;
    }

    /** The coordinator's JDBC URL for {@code database}. */
    public String url(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** A worker's JDBC URL for {@code database}: where its shards are, to reach them directly. */
    public String workerUrl(Node worker, String database) {
        Node at = reach.getOrDefault(worker, worker);
        return "jdbc:postgresql://" + at.host() + ":" + at.port() + "/" + database;
    }

    public Connection connect(String url) throws SQLException {
        Properties p = new Properties();
        if (!url.contains("user=")) {
            p.setProperty("user", user);
        }
        return DriverManager.getConnection(url, p);
    }

    /** The coordinator's maintenance database (where the cluster's own node metadata is). */
    public Connection admin() throws SQLException {
        return connect(url(maintenanceDb));
    }

    /** A fresh database on the whole cluster, named after {@code testClass}, with Citus created and the workers added. */
    public Db freshDatabase(Class<?> testClass) {
        String name = ("c_" + testClass.getSimpleName() + "_" + COUNTER.incrementAndGet() + "_" + ProcessHandle.current().pid())
                .toLowerCase(Locale.ROOT);
        try {
            createDatabase(name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create Citus database " + name + " on " + describe() + ": " + e.getMessage(), e);
        }
        return new Db(this, name);
    }

    private void createDatabase(String name) throws SQLException {
        String quoted = "\"" + name + "\"";
        try (Connection c = admin(); Statement s = c.createStatement()) {
            // Citus 12.2+: CREATE/DROP DATABASE on the coordinator also runs on every worker
            s.execute("SET citus.enable_create_database_propagation = on");
            s.execute("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + quoted);
        }
        for (Node w : workers) {
            try (Connection c = connect(workerUrl(w, "postgres")); Statement s = c.createStatement()) {
                boolean exists;
                try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
                    exists = rs.next();
                }
                if (!exists) { // an older Citus without the propagation
                    s.execute("CREATE DATABASE " + quoted);
                }
            }
            try (Connection c = connect(workerUrl(w, name)); Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION IF NOT EXISTS citus");
            }
        }
        try (Connection c = connect(url(name)); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS citus");
            s.execute("SELECT citus_set_coordinator_host('" + coordinatorForWorkers.host().replace("'", "''") + "', "
                    + coordinatorForWorkers.port() + ")");
            for (Node w : workers) {
                s.execute("SELECT citus_add_node('" + w.host().replace("'", "''") + "', " + w.port() + ")");
            }
        }
    }

    /** One database on the cluster, for one test class. */
    public static final class Db implements AutoCloseable {

        private final CitusCluster cluster;
        private final String name;

        Db(CitusCluster cluster, String name) {
            this.cluster = cluster;
            this.name = name;
        }

        public CitusCluster cluster() {
            return cluster;
        }

        public String name() {
            return name;
        }

        /** The coordinator's JDBC URL of this database. */
        public String url() {
            return cluster.url(name);
        }

        public String user() {
            return cluster.user();
        }

        /** A connection to this database on the coordinator. */
        public Connection connect() throws SQLException {
            return cluster.connect(url());
        }

        /** A connection to this database on a worker, given by port (one of {@link #workerPorts()}). */
        public Connection connectWorker(int workerPort) throws SQLException {
            Node w = cluster.workers.stream().filter(n -> cluster.reach.getOrDefault(n, n).port() == workerPort).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no worker on port " + workerPort + ": " + cluster.workerPorts()));
            return cluster.connect(cluster.workerUrl(w, name));
        }

        public List<Integer> workerPorts() {
            return cluster.workerPorts();
        }

        /** Runs statements one by one on the coordinator (Citus refuses several in one string for propagated DDL). */
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

        /** Drops the database on the coordinator and (propagated) on the workers. */
        @Override
        public void close() {
            try (Connection c = cluster.admin(); Statement s = c.createStatement()) {
                s.execute("SET citus.enable_create_database_propagation = on");
                s.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
            } catch (SQLException e) {
                System.err.println("could not drop Citus test database " + name + ": " + e.getMessage());
            }
        }
    }
}
