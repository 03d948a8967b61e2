package io.github.partitionmaven.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's PgBouncer ({@code /usr/sbin/pgbouncer}, package pgbouncer) as a child process on a free port in
 * front of one PostgreSQL (normally the embedded {@link TestServer}), every database passed through
 * ({@code * = host=... port=...}).
 *
 * <p>Clients authenticate with {@link Auth#TRUST} (no password asked, the user must be in the auth file)
 * or {@link Auth#SCRAM} (the client's password is checked against the auth file). The auth file holds plain
 * passwords, so PgBouncer can log in to a server that asks for scram (e.g. {@link TestServer#PASSWORD_USER}).
 * Users are added with {@link #addUser}, which reloads PgBouncer. The admin console (database
 * {@code pgbouncer}, user {@link #ADMIN}) answers SHOW POOLS, SHOW SERVERS, ... through {@link #show} and
 * {@link #console}.
 *
 * <p>PgBouncer refuses to run as root; see {@link Unprivileged} for how it runs from a root JVM.
 */
public final class PgBouncer implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/pgbouncer");
    /** The admin console user (also an ordinary user towards the server). */
    public static final String ADMIN = "postgres";

    public enum PoolMode {
        SESSION, TRANSACTION, STATEMENT
    }

    public enum Auth {
        /** No password asked; the user must be in the auth file. */
        TRUST("trust"),
        /** Passwords checked (scram-sha-256) against the auth file; the admin console trusted from 127.0.0.1 (auth_type hba). */
        SCRAM("hba");

        final String setting;

        Auth(String setting) {
            this.setting = setting;
        }
    }

    private final int port;
    private final Path dir;
    private final Process process;
    private final Map<String, String> users;
    private final Auth auth;

    private PgBouncer(int port, Path dir, Process process, Map<String, String> users, Auth auth) {
        this.port = port;
        this.dir = dir;
        this.process = process;
        this.users = users;
        this.auth = auth;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** Skips the calling test, with one line saying why, when PgBouncer is not installed. */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(available(), "PgBouncer skipped: " + BINARY + " is absent (apt-get install pgbouncer)");
    }

    /** PgBouncer in front of the test server, trust auth, its superuser and password user known, pool size 2. */
    public static PgBouncer start(TestServer server, PoolMode mode) throws IOException {
        Map<String, String> users = new LinkedHashMap<>();
        users.put(server.user() == null ? ADMIN : server.user(), server.password() == null ? "" : server.password());
        if (server.passwordUserReady()) {
            users.put(TestServer.PASSWORD_USER, TestServer.PASSWORD);
        }
        return start("127.0.0.1", serverPort(server), mode, Auth.TRUST, users, Map.of("default_pool_size", "2"));
    }

    /**
     * Starts PgBouncer.
     *
     * @param users user name to plain password ("" for none), written to the auth file; {@link #ADMIN} is added
     * @param settings more [pgbouncer] settings, e.g. default_pool_size, server_reset_query, max_prepared_statements
     */
    public static PgBouncer start(String host, int serverPort, PoolMode mode, Auth auth, Map<String, String> users,
            Map<String, String> settings) throws IOException {
        if (!available()) {
            throw new IllegalStateException(BINARY + " is absent");
        }
        int port = Ports.free();
        Path dir = Files.createTempDirectory("pgbouncer-" + port + "-");
        Map<String, String> all = new LinkedHashMap<>(users);
        all.putIfAbsent(ADMIN, "");
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("listen_addr", "127.0.0.1");
        conf.put("listen_port", Integer.toString(port));
        conf.put("unix_socket_dir", "");
        conf.put("auth_type", auth.setting);
        if (auth == Auth.SCRAM) {
            // clients give scram passwords, the admin console stays trusted (for show/console)
            Files.writeString(dir.resolve("hba.conf"), "host pgbouncer " + ADMIN + " 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
            conf.put("auth_hba_file", dir.resolve("hba.conf").toString());
        }
        conf.put("auth_file", dir.resolve("userlist.txt").toString());
        conf.put("admin_users", ADMIN);
        conf.put("stats_users", ADMIN);
        conf.put("pool_mode", mode.name().toLowerCase(java.util.Locale.ROOT));
        conf.put("default_pool_size", "2");
        conf.put("max_client_conn", "100");
        // pgjdbc sends extra_float_digits at startup, which PgBouncer does not track
        conf.put("ignore_startup_parameters", "extra_float_digits");
        conf.put("logfile", dir.resolve("pgbouncer.log").toString());
        conf.put("pidfile", dir.resolve("pgbouncer.pid").toString());
        conf.put("server_login_retry", "1");
        conf.putAll(settings);
        StringBuilder ini = new StringBuilder("[databases]\n* = host=" + host + " port=" + serverPort + "\n\n[pgbouncer]\n");
        conf.forEach((k, v) -> ini.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(dir.resolve("pgbouncer.ini"), ini);
        writeUsers(dir, all);
        Unprivileged.handOver(dir);
        Process p = new ProcessBuilder(Unprivileged.command(List.of(BINARY.toString(), dir.resolve("pgbouncer.ini").toString())))
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        PgBouncer b = new PgBouncer(port, dir, p, all, auth);
        Runtime.getRuntime().addShutdownHook(new Thread(b::stopQuietly));
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!listening(port)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                String log = b.log();
                b.stop();
                throw new IOException("PgBouncer did not start on port " + port + ": " + log);
            }
            sleep(50);
        }
        return b;
    }

    private static int serverPort(TestServer server) {
        String url = server.url("x");
        String hostPort = url.substring(url.indexOf("//") + 2, url.lastIndexOf('/'));
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static void writeUsers(Path dir, Map<String, String> users) throws IOException {
        StringBuilder sb = new StringBuilder();
        users.forEach((u, pw) -> sb.append('"').append(u.replace("\"", "\"\"")).append("\" \"").append(pw.replace("\"", "\"\""))
                .append("\"\n"));
        Files.writeString(dir.resolve("userlist.txt"), sb);
    }

    /** Adds (or changes) a user in the auth file and reloads PgBouncer. */
    public synchronized void addUser(String user, String password) throws IOException {
        users.put(user, password == null ? "" : password);
        writeUsers(dir, users);
        Unprivileged.handOver(dir);
        console("RELOAD");
    }

    public int port() {
        return port;
    }

    public Path directory() {
        return dir;
    }

    /** A JDBC URL for a database through PgBouncer. */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Connects through PgBouncer; extra pgjdbc properties (e.g. prepareThreshold) may be given. */
    public Connection connect(String database, String user, String password, Map<String, String> properties) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        properties.forEach(p::setProperty);
        return DriverManager.getConnection(url(database), p);
    }

    public Connection connect(String database, String user, String password) throws SQLException {
        return connect(database, user, password, Map.of());
    }

    /**
     * Runs {@code SHOW what} (POOLS, SERVERS, CLIENTS, STATS, ...) on the admin console: one map per row.
     * pgjdbc cannot talk to the console (it reports PgBouncer's version as server_version, so pgjdbc sends a
     * SET extra_float_digits at connect, which the console refuses), so this speaks the simple query protocol itself;
     * the console is always trusted from 127.0.0.1 (see {@link Auth#SCRAM}).
     */
    public List<Map<String, String>> show(String what) throws IOException {
        return console("SHOW " + what);
    }

    /** Runs one admin console command (RELOAD, PAUSE db, RESUME db, KILL db, SHOW ...): its rows, if any. */
    public List<Map<String, String>> console(String command) throws IOException {
        try (Socket sock = new Socket("127.0.0.1", port)) {
            sock.setSoTimeout(10_000);
            java.io.DataOutputStream out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(sock.getOutputStream()));
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(sock.getInputStream()));
            byte[] params = ("user\0" + ADMIN + "\0database\0pgbouncer\0\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(8 + params.length);
            out.writeInt(196608);
            out.write(params);
            out.flush();
            readUntilReady(in, null);
            byte[] sql = (command + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeByte('Q');
            out.writeInt(4 + sql.length);
            out.write(sql);
            out.flush();
            List<Map<String, String>> rows = new ArrayList<>();
            readUntilReady(in, rows);
            out.writeByte('X');
            out.writeInt(4);
            out.flush();
            return rows;
        }
    }

    private static void readUntilReady(java.io.DataInputStream in, List<Map<String, String>> rows) throws IOException {
        List<String> columns = new ArrayList<>();
        String error = null;
        while (true) {
            int type = in.readUnsignedByte();
            byte[] body = new byte[in.readInt() - 4];
            in.readFully(body);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(body);
            switch (type) {
                case 'R' -> {
                    if (b.getInt() != 0) {
                        throw new IOException("the admin console asks for a password: it should trust " + ADMIN);
                    }
                }
                case 'T' -> {
                    columns.clear();
                    int n = b.getShort();
                    for (int i = 0; i < n; i++) {
                        columns.add(cstring(b));
                        b.position(b.position() + 18);
                    }
                }
                case 'D' -> {
                    int n = b.getShort();
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        int len = b.getInt();
                        String v = null;
                        if (len >= 0) {
                            v = new String(body, b.position(), len, java.nio.charset.StandardCharsets.UTF_8);
                            b.position(b.position() + len);
                        }
                        row.put(columns.get(i), v);
                    }
                    if (rows != null) {
                        rows.add(row);
                    }
                }
                case 'E' -> {
                    StringBuilder sb = new StringBuilder();
                    while (b.hasRemaining() && b.get(b.position()) != 0) {
                        char field = (char) b.get();
                        String v = cstring(b);
                        if (field == 'M' || field == 'C') {
                            sb.append(sb.length() == 0 ? "" : " ").append(v);
                        }
                    }
                    error = sb.toString();
                }
                case 'Z' -> {
                    if (error != null) {
                        throw new IOException("PgBouncer admin console: " + error);
                    }
                    return;
                }
                default -> {
                    // S (parameter), K (key), C (complete), N (notice): nothing to keep
                }
            }
        }
    }

    private static String cstring(java.nio.ByteBuffer b) {
        int start = b.position();
        while (b.get() != 0) {
            // to the terminator
        }
        return new String(b.array(), start, b.position() - start - 1, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** {@code pgbouncer --version}'s first line. */
    public static String version() throws IOException {
        Path log = Files.createTempFile("pgbouncer-version", ".txt");
        try {
            return Unprivileged.runChecked(List.of(BINARY.toString(), "--version"), log).lines().findFirst().orElse("?");
        } finally {
            Files.deleteIfExists(log);
        }
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("stdout.log")) + (Files.exists(dir.resolve("pgbouncer.log"))
                    ? Files.readString(dir.resolve("pgbouncer.log")) : "");
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops PgBouncer (SIGINT: at once, dropping clients) and deletes its directory. */
    public void stop() {
        Unprivileged.stop(process, "INT", 10);
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

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
