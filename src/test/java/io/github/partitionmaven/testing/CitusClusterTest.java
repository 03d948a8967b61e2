package io.github.partitionmaven.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Facts about a real Citus coordinator with a distributed, range-partitioned {@code chat_history}, proven on the
 * cluster {@link CitusCluster} gives (skipped, with the reason, when there is none). Prints what it measures.
 */
class CitusClusterTest {

    /** Is {@code ?::regclass} a hash-distributed table co-located with its partition parent (same colocation group)? */
    static final String DISTRIBUTED_AND_COLOCATED_WITH_PARENT = """
            SELECT EXISTS (
              SELECT 1 FROM pg_inherits i
                JOIN pg_dist_partition c ON c.logicalrelid = i.inhrelid
                JOIN pg_dist_partition p ON p.logicalrelid = i.inhparent
               WHERE i.inhrelid = ?::regclass
                 AND c.partmethod = 'h' AND p.partmethod = 'h'
                 AND c.colocationid = p.colocationid AND c.colocationid <> 0)""";

    /** What Citus makes of a relation on the coordinator, from its metadata alone (no worker round trip). */
    static final String CITUS_TABLE_KIND = """
            SELECT CASE WHEN d.logicalrelid IS NULL THEN 'plain'
                        WHEN d.partmethod = 'h' THEN 'distributed'
                        WHEN d.repmodel = 't' THEN 'reference'
                        WHEN d.colocationid = 0 THEN 'citus local'
                        ELSE 'single-shard distributed' END
              FROM (SELECT ?::regclass AS rel) r LEFT JOIN pg_dist_partition d ON d.logicalrelid = r.rel""";

    private static CitusCluster.Db db;

    /** The database is made on the first test; each test asks for the cluster, so surefire counts every skip. */
    @BeforeEach
    void clean() {
        CitusCluster cluster = CitusCluster.get();
        if (db == null) {
            db = cluster.freshDatabase(CitusClusterTest.class);
            System.out.println("[citus] " + cluster.describe() + ", database " + db.name());
        }
        db.exec("DROP TABLE IF EXISTS chat_history, ref_users, local_notes, plain_notes, single_notes CASCADE");
    }

    @AfterAll
    static void drop() {
        if (db != null) {
            db.close();
        }
    }

    private static void createChatHistory() {
        db.exec("""
                CREATE TABLE chat_history (id bigserial, user_id int, role varchar(20), content text, created_at timestamp not null,
                  primary key (id, created_at, user_id)) PARTITION BY RANGE (created_at)""",
                "SELECT create_distributed_table('chat_history', 'user_id')");
    }

    /** The month partition {@code chat_history_YYYY_MM} made the way the plugin makes one: LIKE, then ATTACH. */
    private static void attachMonth(Statement s, int year, int month) throws SQLException {
        String name = String.format("chat_history_%d_%02d", year, month);
        String from = String.format("%d-%02d-01", year, month);
        String to = month == 12 ? String.format("%d-01-01", year + 1) : String.format("%d-%02d-01", year, month + 1);
        s.execute("CREATE TABLE " + name + " (LIKE chat_history INCLUDING ALL)");
        s.execute("ALTER TABLE chat_history ATTACH PARTITION " + name + " FOR VALUES FROM ('" + from + "') TO ('" + to + "')");
    }

    private static boolean bool(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static String string(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static void fact(String what) {
        System.out.println("[citus] " + what);
    }

    @Test
    void detectsCitusFromJdbc() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'citus'")) {
                assertTrue(rs.next());
                fact("pg_extension citus extversion = " + rs.getString(1));
            }
            String v = CitusCluster.citusVersion(c);
            assertTrue(v.startsWith("Citus "), v);
            fact("citus_version() = " + v);
            try (ResultSet rs = s.executeQuery("SELECT citus_is_coordinator(), (SELECT groupid FROM pg_dist_local_group),"
                    + " current_setting('shared_preload_libraries'), current_setting('server_version')")) {
                rs.next();
                assertTrue(rs.getBoolean(1));
                assertEquals(0, rs.getInt(2));
                fact("citus_is_coordinator() = " + rs.getBoolean(1) + ", pg_dist_local_group.groupid = " + rs.getInt(2)
                        + ", shared_preload_libraries = '" + rs.getString(3) + "', server_version " + rs.getString(4));
            }
        }
        // a worker's copy of the database: Citus is there, but it is not the coordinator
        try (Connection w = db.connectWorker(db.workerPorts().get(0)); Statement s = w.createStatement();
                ResultSet rs = s.executeQuery("SELECT citus_is_coordinator(), (SELECT groupid FROM pg_dist_local_group)")) {
            rs.next();
            assertFalse(rs.getBoolean(1));
            fact("on a worker: citus_is_coordinator() = false, pg_dist_local_group.groupid = " + rs.getInt(2));
        }
        // a database without the extension (Citus loaded by the server, not created there) looks like plain PostgreSQL
        String plain = "c_plain_" + ProcessHandle.current().pid();
        try (Connection a = db.cluster().admin(); Statement s = a.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + plain);
            s.execute("CREATE DATABASE " + plain); // propagation off: coordinator only
        }
        try (Connection c = db.cluster().connect(db.cluster().url(plain)); Statement s = c.createStatement()) {
            assertNull(CitusCluster.citusVersion(c));
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT citus_version()"));
            fact("without CREATE EXTENSION citus: no pg_extension row; citus_version() fails " + e.getSQLState() + " " + e.getMessage());
        } finally {
            try (Connection a = db.cluster().admin(); Statement s = a.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + plain + " WITH (FORCE)");
            }
        }
    }

    @Test
    void likeAndAttachDistributesTheNewPartitionColocated() throws SQLException {
        createChatHistory();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            attachMonth(s, 2024, 1);
            s.execute("CREATE TABLE chat_history_2024_02 PARTITION OF chat_history FOR VALUES FROM ('2024-02-01') TO ('2024-03-01')");
            s.execute("CREATE TABLE plain_notes (id int)");
            assertTrue(bool(c, DISTRIBUTED_AND_COLOCATED_WITH_PARENT, "chat_history_2024_01"));
            assertTrue(bool(c, DISTRIBUTED_AND_COLOCATED_WITH_PARENT, "chat_history_2024_02"));
            assertFalse(bool(c, DISTRIBUTED_AND_COLOCATED_WITH_PARENT, "plain_notes"));
            try (ResultSet rs = s.executeQuery("""
                    SELECT logicalrelid::regclass, partmethod, colocationid, column_to_column_name(logicalrelid, partkey),
                           (SELECT count(*) FROM pg_dist_shard sh WHERE sh.logicalrelid = d.logicalrelid)
                      FROM pg_dist_partition d WHERE logicalrelid::regclass::text LIKE 'chat_history%' ORDER BY 1""")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getString(1) + " partmethod=" + rs.getString(2) + " colocationid=" + rs.getInt(3) + " column="
                            + rs.getString(4) + " shards=" + rs.getInt(5));
                    assertEquals("user_id", rs.getString(4));
                }
                assertEquals(3, rows.size(), rows::toString);
                fact("pg_dist_partition after LIKE+ATTACH and PARTITION OF: " + rows);
            }
            // the same from the citus_tables view (which also asks the workers for sizes, so it is slower)
            try (ResultSet rs = s.executeQuery("SELECT count(DISTINCT colocation_id), bool_and(citus_table_type = 'distributed')"
                    + " FROM citus_tables WHERE table_name::text LIKE 'chat_history%'")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
                assertTrue(rs.getBoolean(2));
            }
        }
    }

    @Test
    void plainDetachWorksConcurrentlyIsRefused() throws SQLException {
        createChatHistory();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            attachMonth(s, 2024, 1);
            attachMonth(s, 2024, 2);
            s.execute("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (7, 'user', 'hi', '2024-01-05'),"
                    + " (8, 'user', 'hi', '2024-02-05')");
            for (String variant : List.of("CONCURRENTLY", "FINALIZE")) {
                SQLException e = assertThrows(SQLException.class,
                        () -> s.execute("ALTER TABLE chat_history DETACH PARTITION chat_history_2024_01 " + variant));
                assertEquals("ALTER TABLE .. DETACH PARTITION .. " + variant + " commands are currently unsupported.",
                        ((org.postgresql.util.PSQLException) e).getServerErrorMessage().getMessage());
                assertEquals("XX000", e.getSQLState());
                fact("DETACH ... " + variant + ": SQLSTATE " + e.getSQLState() + " '" + e.getMessage() + "'");
            }
            s.execute("ALTER TABLE chat_history DETACH PARTITION chat_history_2024_01");
            assertEquals("distributed", string(c, CITUS_TABLE_KIND, "chat_history_2024_01"), "a detached partition stays distributed");
            assertFalse(bool(c, DISTRIBUTED_AND_COLOCATED_WITH_PARENT, "chat_history_2024_01"), "no parent any more");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM chat_history_2024_01")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
            s.execute("DROP TABLE chat_history_2024_01");
            fact("plain DETACH PARTITION works; the detached table stays distributed (pg_dist_partition row kept) with its rows;"
                    + " DROP TABLE drops it with its shards");
        }
    }

    @Test
    void lockTimeoutBindsOnWorkerShardsOnlyWhenPropagated() throws Exception {
        createChatHistory();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            attachMonth(s, 2024, 1);
            s.execute("INSERT INTO chat_history (user_id, role, content, created_at) SELECT g, 'user', 'x', '2024-01-10'"
                    + " FROM generate_series(1, 100) g");
        }
        int workerPort = db.workerPorts().get(0);
        String shard;
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT shard_name FROM citus_shards WHERE table_name = 'chat_history_2024_01'::regclass AND nodeport = ?"
                        + " ORDER BY shardid LIMIT 1")) {
            ps.setInt(1, workerPort);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                shard = rs.getString(1);
            }
        }
        fact("holding ACCESS SHARE on shard " + shard + " on worker port " + workerPort + " for 3 s (BEGIN; SELECT count(*) FROM shard)"
                + " from a direct connection to the worker");
        long holdMillis = 3000;

        // 1. session SET lock_timeout only: applies on the coordinator, not on the worker's shard, so DETACH waits for the holder
        Outcome plain = detachWhileShardLocked(shard, workerPort, holdMillis, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SET lock_timeout = '500ms'");
            }
        });
        fact("SET lock_timeout = '500ms' alone: DETACH " + plain);
        assertNull(plain.error, "the DETACH went through once the holder let go");
        assertTrue(plain.millis >= holdMillis - 200, "waited for the worker lock: " + plain.millis);
        db.exec("ALTER TABLE chat_history ATTACH PARTITION chat_history_2024_01 FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')");

        // 2. the recipe: SET citus.propagate_set_commands = 'local', then SET LOCAL lock_timeout inside the transaction
        Outcome local = detachWhileShardLocked(shard, workerPort, holdMillis, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SET citus.propagate_set_commands = 'local'");
                c.setAutoCommit(false);
                s.execute("SET LOCAL lock_timeout = '500ms'");
            }
        });
        fact("SET citus.propagate_set_commands = 'local'; BEGIN; SET LOCAL lock_timeout = '500ms': DETACH " + local);
        assertNotNull(local.error);
        assertEquals("55P03", local.error.getSQLState());
        assertTrue(local.millis < holdMillis - 1000, "gave up early: " + local.millis);

        // 3. both SET LOCAL inside the transaction (nothing left behind in the session)
        Outcome bothLocal = detachWhileShardLocked(shard, workerPort, holdMillis, c -> {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL citus.propagate_set_commands = 'local'");
                s.execute("SET LOCAL lock_timeout = '500ms'");
            }
        });
        fact("BEGIN; SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL lock_timeout = '500ms': DETACH " + bothLocal);
        assertNotNull(bothLocal.error);
        assertEquals("55P03", bothLocal.error.getSQLState());

        // 4. propagation on but a session-level SET lock_timeout: only SET LOCAL is propagated
        Outcome sessionSet = detachWhileShardLocked(shard, workerPort, holdMillis, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SET citus.propagate_set_commands = 'local'");
                s.execute("SET lock_timeout = '500ms'");
            }
            c.setAutoCommit(false);
        });
        fact("SET citus.propagate_set_commands = 'local'; SET lock_timeout (session); BEGIN: DETACH " + sessionSet);
        assertNull(sessionSet.error, "a session-level SET is not propagated even with propagate_set_commands = 'local'");
        assertTrue(sessionSet.millis >= holdMillis - 200, "waited for the worker lock: " + sessionSet.millis);
    }

    interface Setup {
        void apply(Connection c) throws SQLException;
    }

    record Outcome(long millis, SQLException error) {
        @Override
        public String toString() {
            return error == null ? "succeeded after " + millis + " ms"
                    : "failed after " + millis + " ms: SQLSTATE " + error.getSQLState() + " '" + error.getMessage().replace('\n', ' ') + "'";
        }
    }

    /** Holds ACCESS SHARE on {@code shard} on the worker (an open transaction that read it) for {@code holdMillis} while the coordinator detaches the partition. */
    private static Outcome detachWhileShardLocked(String shard, int workerPort, long holdMillis, Setup setup) throws Exception {
        CountDownLatch locked = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Exception> holderError = new java.util.concurrent.atomic.AtomicReference<>();
        Thread holder = new Thread(() -> {
            try (Connection w = db.connectWorker(workerPort); Statement s = w.createStatement()) {
                w.setAutoCommit(false);
                // a long reader; LOCK TABLE on a shard is refused ("cannot modify ... because it is a shard of a distributed table")
                s.execute("SELECT count(*) FROM " + shard);
                locked.countDown();
                Thread.sleep(holdMillis);
                w.rollback();
            } catch (SQLException | InterruptedException e) {
                holderError.set(e);
                locked.countDown();
            }
        }, "shard-lock-holder");
        holder.start();
        assertTrue(locked.await(10, TimeUnit.SECONDS));
        assertNull(holderError.get(), () -> "lock holder: " + holderError.get());
        long t0 = System.nanoTime();
        SQLException error = null;
        try (Connection c = db.connect()) {
            setup.apply(c);
            try (Statement s = c.createStatement()) {
                s.execute("ALTER TABLE chat_history DETACH PARTITION chat_history_2024_01");
                if (!c.getAutoCommit()) {
                    c.commit();
                }
            } catch (SQLException e) {
                error = e;
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
            }
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        holder.join(30_000);
        return new Outcome(millis, error);
    }

    @Test
    void multiStatementStrings() throws SQLException {
        createChatHistory();
        String two = "CREATE TABLE chat_history_2024_01 (LIKE chat_history INCLUDING ALL);"
                + " ALTER TABLE chat_history ATTACH PARTITION chat_history_2024_01 FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')";
        String txn = "BEGIN; ALTER TABLE chat_history DETACH PARTITION chat_history_2024_01; COMMIT";
        // simple query protocol (psql -c, pgjdbc preferQueryMode=simple): Citus forwards the whole string to the workers
        Properties simple = new Properties();
        simple.setProperty("user", db.user());
        simple.setProperty("preferQueryMode", "simple");
        try (Connection c = java.sql.DriverManager.getConnection(db.url(), simple); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.execute(two));
            fact("simple protocol, '" + two + "': SQLSTATE " + e.getSQLState() + " '" + e.getMessage().replace('\n', ' ') + "'");
            assertTrue(e.getMessage().contains("cannot insert multiple commands into a prepared statement"), e.getMessage());
        }
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'chat_history_2024_01'"), "rolled back as one");
        // pgjdbc's default (extended protocol) splits the string and sends each statement by itself
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute(two);
            fact("pgjdbc default (extended) protocol, same string: works (pgjdbc sends the statements one by one)");
            s.execute(txn);
            fact("pgjdbc default protocol, '" + txn + "': works");
        }
        try (Connection c = java.sql.DriverManager.getConnection(db.url(), simple); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE chat_history ATTACH PARTITION chat_history_2024_01 FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')");
            SQLException e = assertThrows(SQLException.class, () -> s.execute(txn));
            fact("simple protocol, '" + txn + "': SQLSTATE " + e.getSQLState() + " '" + e.getMessage().replace('\n', ' ') + "'");
        }
    }

    @Test
    void copyOutOfAPartitionThroughCopyManager() throws Exception {
        createChatHistory();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            attachMonth(s, 2024, 1);
            s.execute("INSERT INTO chat_history (user_id, role, content, created_at) SELECT g % 10, 'user', 'row ' || g,"
                    + " '2024-01-01'::timestamp + g * interval '1 minute' FROM generate_series(1, 500) g");
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            StringWriter out = new StringWriter();
            long rows = copy.copyOut("COPY (SELECT * FROM chat_history_2024_01) TO STDOUT", out);
            assertEquals(500, rows);
            assertEquals(500, out.toString().lines().count());
            StringWriter direct = new StringWriter();
            long rows2 = copy.copyOut("COPY chat_history_2024_01 TO STDOUT", direct);
            assertEquals(500, rows2);
            fact("CopyManager.copyOut(\"COPY (SELECT * FROM chat_history_2024_01) TO STDOUT\") = " + rows
                    + " rows; COPY chat_history_2024_01 TO STDOUT = " + rows2 + " rows");
            SQLException e = assertThrows(SQLException.class, () -> copy.copyOut("COPY chat_history TO STDOUT", new StringWriter()));
            fact("COPY chat_history (the partitioned parent) TO STDOUT: SQLSTATE " + e.getSQLState() + " '"
                    + e.getMessage().replace('\n', ' ') + "'");
        }
    }

    @Test
    void tellsDistributedFromReferenceAndLocalTables() throws SQLException {
        createChatHistory();
        db.exec("CREATE TABLE ref_users (id int primary key)", "SELECT create_reference_table('ref_users')",
                "CREATE TABLE local_notes (id int primary key)", "SELECT citus_add_local_table_to_metadata('local_notes')",
                "CREATE TABLE single_notes (id int primary key)", "SELECT create_distributed_table('single_notes', null)",
                "CREATE TABLE plain_notes (id int)");
        try (Connection c = db.connect()) {
            assertEquals("distributed", string(c, CITUS_TABLE_KIND, "chat_history"));
            assertEquals("reference", string(c, CITUS_TABLE_KIND, "ref_users"));
            assertEquals("citus local", string(c, CITUS_TABLE_KIND, "local_notes"));
            assertEquals("single-shard distributed", string(c, CITUS_TABLE_KIND, "single_notes"));
            assertEquals("plain", string(c, CITUS_TABLE_KIND, "plain_notes"));
            List<String> rows = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                    SELECT d.logicalrelid::regclass, d.partmethod, d.repmodel, d.colocationid, t.citus_table_type, t.distribution_column
                      FROM pg_dist_partition d LEFT JOIN citus_tables t ON t.table_name = d.logicalrelid ORDER BY 1::text""")) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + " partmethod=" + rs.getString(2) + " repmodel=" + rs.getString(3) + " colocationid="
                            + rs.getInt(4) + " citus_tables.citus_table_type=" + rs.getString(5) + " distribution_column="
                            + rs.getString(6));
                }
            }
            rows.forEach(r -> fact("kinds: " + r));
            fact("kinds: plain_notes has no pg_dist_partition row");
        }
    }

    @Test
    void citusTimePartitionHelpers() throws SQLException {
        createChatHistory();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            String create = "SELECT create_time_partitions(table_name := 'chat_history', partition_interval := '1 month',"
                    + " end_at := '2024-07-01', start_from := '2024-01-01')";
            try (ResultSet rs = s.executeQuery(create)) {
                rs.next();
                assertTrue(rs.getBoolean(1));
            }
            List<String> parts = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT partition::text || ' ' || from_value || ' .. ' || to_value FROM time_partitions"
                    + " WHERE parent_table = 'chat_history'::regclass ORDER BY from_value")) {
                while (rs.next()) {
                    parts.add(rs.getString(1));
                }
            }
            assertEquals(6, parts.size(), parts::toString);
            fact(create + " -> " + parts);
            for (String p : List.of("chat_history_p2024_01", "chat_history_p2024_06")) {
                assertTrue(bool(c, DISTRIBUTED_AND_COLOCATED_WITH_PARENT, p), p);
            }
            try (ResultSet rs = s.executeQuery(create)) {
                rs.next();
                fact("the same call again returns " + rs.getBoolean(1) + " (nothing to create)");
            }
            String drop = "CALL drop_old_time_partitions(table_name := 'chat_history', older_than := '2024-03-01')";
            s.execute(drop);
            parts.clear();
            try (ResultSet rs = s.executeQuery("SELECT partition::text FROM time_partitions WHERE parent_table = 'chat_history'::regclass"
                    + " ORDER BY from_value")) {
                while (rs.next()) {
                    parts.add(rs.getString(1));
                }
            }
            assertEquals(List.of("chat_history_p2024_03", "chat_history_p2024_04", "chat_history_p2024_05", "chat_history_p2024_06"), parts);
            fact(drop + " -> left " + parts + " (drops partitions whose upper bound <= older_than, with DROP TABLE)");
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT create_time_partitions('chat_history',"
                    + " '1 month', '2024-08-01')"));
            fact("create_time_partitions without start_from starts at now(): " + e.getSQLState() + " '"
                    + e.getMessage().replace('\n', ' ') + "'");
        }
    }

    /** The application: inserts into chat_history at a steady rate, recording the slowest insert since the last reset. */
    static final class Writer implements AutoCloseable {
        private final Thread thread;
        private final AtomicLong maxNanos = new AtomicLong();
        private final AtomicLong inserts = new AtomicLong();
        private final List<Throwable> errors = new ArrayList<>();
        private volatile boolean running = true;

        Writer(int perSecond, String createdAt) {
            long pause = 1_000_000_000L / perSecond;
            thread = new Thread(() -> {
                try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO chat_history (user_id, role, content, created_at) VALUES (?, 'user', 'still writing', '" + createdAt + "')")) {
                    long next = System.nanoTime();
                    int i = 0;
                    while (running) {
                        ps.setInt(1, 1 + i++ % 50);
                        long t0 = System.nanoTime();
                        try {
                            ps.executeUpdate();
                        } catch (SQLException e) {
                            synchronized (errors) {
                                errors.add(e);
                            }
                        }
                        maxNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
                        inserts.incrementAndGet();
                        next += pause;
                        long sleep = next - System.nanoTime();
                        if (sleep > 0) {
                            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                        }
                    }
                } catch (SQLException | InterruptedException e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            }, "citus-writer");
            thread.setDaemon(true);
            thread.start();
        }

        Writer warm() throws InterruptedException {
            while (inserts.get() < 50 && thread.isAlive()) {
                Thread.sleep(5);
            }
            maxNanos.set(0);
            return this;
        }

        double takeMaxMillis() {
            return maxNanos.getAndSet(0) / 1e6;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(30_000);
            synchronized (errors) {
                assertEquals(List.of(), errors);
            }
        }
    }

    interface Op {
        void run(Statement s) throws SQLException;
    }

    private static String measure(Writer w, String what, Op op) throws Exception {
        Thread.sleep(300);
        w.takeMaxMillis();
        long t0 = System.nanoTime();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            op.run(s);
        }
        double took = (System.nanoTime() - t0) / 1e6;
        Thread.sleep(300);
        double max = w.takeMaxMillis();
        return String.format("%-56s took %7.1f ms, writer's max insert latency %7.1f ms", what, took, max);
    }

    /** Rounds of the stall measurement: 1 by default, more with {@code -Dpartition.test.citus.rounds=N}. */
    @Test
    void writerStallDuringCitusHelpersAndByHand() throws Exception {
        int months = 4;
        int rounds = Integer.getInteger("partition.test.citus.rounds", 1);
        List<String> lines = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            db.exec("DROP TABLE IF EXISTS chat_history CASCADE");
            createChatHistory();
            // 2023-09 .. 2024-06 exist; the writer writes into 2024-06
            db.exec("SELECT create_time_partitions('chat_history', '1 month', '2024-07-01', '2023-09-01')");
            try (Writer w = new Writer(200, "2024-06-15 12:00").warm()) {
                Thread.sleep(1000);
                lines.add(String.format("round %d: %-47s          writer's max insert latency %7.1f ms", round, "idle (1 s)",
                        w.takeMaxMillis()));
                lines.add("round " + round + ": " + measure(w, "create_time_partitions, " + months + " months",
                        s -> s.execute("SELECT create_time_partitions('chat_history', '1 month', '2024-11-01', '2024-07-01')")));
                lines.add("round " + round + ": " + measure(w, "CREATE (LIKE) + ATTACH by hand, " + months + " months", s -> {
                    for (int m = 11; m <= 14; m++) {
                        attachMonth(s, 2024 + (m - 1) / 12, (m - 1) % 12 + 1);
                    }
                }));
                lines.add("round " + round + ": " + measure(w, "drop_old_time_partitions, " + months + " months",
                        s -> s.execute("CALL drop_old_time_partitions('chat_history', '2024-01-01')")));
                lines.add("round " + round + ": " + measure(w, "DETACH + DROP by hand, " + months + " months", s -> {
                    for (int m = 1; m <= months; m++) {
                        String p = String.format("chat_history_p2024_%02d", m);
                        s.execute("ALTER TABLE chat_history DETACH PARTITION " + p);
                        s.execute("DROP TABLE " + p);
                    }
                }));
            }
            assertEquals(10, db.queryLong("SELECT count(*) FROM pg_inherits WHERE inhparent = 'chat_history'::regclass"));
        }
        fact("writer at 200 inserts/s into chat_history (32 shards per table, 2 workers):");
        lines.forEach(l -> fact("  " + l));
    }
}
