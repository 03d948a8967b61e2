package io.github.partitionmaven.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.testing.PgBouncer.Auth;
import io.github.partitionmaven.testing.PgBouncer.PoolMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves the real-component helpers work and pins down what PgBouncer's transaction pooling does to a
 * client that relies on its session: session state (SET, session advisory locks, server-side prepared
 * statements) stays with the server connection, which the next transaction of any client may get.
 * Not a {@link DatabaseTest}: it tests the components, not the server version.
 */
class RealComponentsTest {

    private static TestDb db;

    @BeforeAll
    static void database() {
        db = TestDb.fresh(RealComponentsTest.class);
    }

    private static PgBouncer bouncer(PoolMode mode, int poolSize) throws Exception {
        PgBouncer.assumeAvailable();
        TestServer s = db.server();
        Map<String, String> users = new java.util.LinkedHashMap<>();
        users.put(s.user(), s.password() == null ? "" : s.password());
        users.put(TestServer.PASSWORD_USER, TestServer.PASSWORD);
        long t0 = System.nanoTime();
        PgBouncer b = PgBouncer.start("127.0.0.1", port(s), mode, Auth.TRUST, users, Map.of("default_pool_size", Integer.toString(poolSize)));
        System.out.printf("PgBouncer (%s, %s, pool %d) on port %d in %d ms, %s%n", PgBouncer.version(), mode, poolSize, b.port(),
                (System.nanoTime() - t0) / 1_000_000, Unprivileged.mode());
        return b;
    }

    private static int port(TestServer s) {
        String url = s.url("x");
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1, url.lastIndexOf('/')));
    }

    private static Connection client(PgBouncer b) throws SQLException {
        return b.connect(db.name(), db.server().user(), db.server().password());
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String optional(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static int pid(Connection c) throws SQLException {
        return Integer.parseInt(one(c, "SELECT pg_backend_pid()"));
    }

    @Test
    void transactionModeHandsEachTransactionWhicheverServerIsFree() throws Exception {
        try (PgBouncer b = bouncer(PoolMode.TRANSACTION, 2); Connection a = client(b); Connection other = client(b)) {
            int first = pid(a); // autocommit: the server goes back to the pool right after
            other.setAutoCommit(false);
            int otherPid = pid(other); // takes the idle server, the one a just used
            int second = pid(a); // so a gets the other server
            assertEquals(first, otherPid, "the idle server goes to the next transaction, whichever client runs it");
            assertNotEquals(first, second, "one client, two transactions, two server backends");
            other.commit();

            List<Map<String, String>> pools = b.show("POOLS");
            Map<String, String> pool = pools.stream().filter(r -> db.name().equals(r.get("database"))).findFirst().orElseThrow();
            assertEquals("transaction", pool.get("pool_mode"));
            assertEquals("2", pool.get("cl_active"), pools.toString());
            Set<String> serverPids = b.show("SERVERS").stream().map(r -> r.get("remote_pid")).collect(Collectors.toSet());
            assertTrue(serverPids.containsAll(Set.of(Integer.toString(first), Integer.toString(second))), serverPids.toString());
            System.out.println("SHOW POOLS: " + pool);
        }
    }

    @Test
    void setLeaksIntoOtherClientsInTransactionModeNotInSessionMode() throws Exception {
        try (PgBouncer b = bouncer(PoolMode.TRANSACTION, 1); Connection a = client(b); Connection victim = client(b)) {
            try (Statement s = a.createStatement()) {
                s.execute("SET lock_timeout = '1234ms'");
                s.execute("SET statement_timeout = '4321ms'");
            }
            assertEquals("1234ms", one(victim, "SHOW lock_timeout"), "a's session SET is in victim's transaction");
            assertEquals("4321ms", one(victim, "SHOW statement_timeout"));
            // and a's later transactions may run without it, on a server whose settings nobody set for a
        }
        try (PgBouncer b = bouncer(PoolMode.TRANSACTION, 2); Connection a = client(b); Connection other = client(b)) {
            a.createStatement().execute("SET lock_timeout = '1234ms'");
            other.setAutoCommit(false);
            pid(other); // holds the server a set lock_timeout on
            assertEquals("0", one(a, "SHOW lock_timeout"), "a's own SET is gone in its next transaction");
            other.rollback();
        }
        try (PgBouncer b = bouncer(PoolMode.SESSION, 2)) {
            try (Connection a = client(b); Connection other = client(b)) {
                a.createStatement().execute("SET lock_timeout = '1234ms'");
                assertEquals("0", one(other, "SHOW lock_timeout"));
                assertEquals("1234ms", one(a, "SHOW lock_timeout"));
            }
            // the next session gets a server PgBouncer reset with server_reset_query (DISCARD ALL)
            try (Connection next = client(b)) {
                assertEquals("0", one(next, "SHOW lock_timeout"));
            }
        }
    }

    @Test
    void sessionAdvisoryLockStaysOnTheServerNotWithTheClientInTransactionMode() throws Exception {
        try (PgBouncer b = bouncer(PoolMode.TRANSACTION, 2); Connection a = client(b); Connection other = client(b);
                Connection direct = db.connect()) {
            int lockPid = Integer.parseInt(one(a, "SELECT pg_backend_pid() FROM (SELECT pg_advisory_lock(4242)) x"));
            other.setAutoCommit(false);
            assertEquals(lockPid, pid(other));
            assertEquals("t", one(other, "SELECT pg_try_advisory_lock(4242)"), "another client 'has' a's lock: same server");
            assertEquals("f", one(a, "SELECT pg_advisory_unlock(4242)"), "a cannot release its own lock: other server");
            assertEquals("f", one(direct, "SELECT pg_try_advisory_lock(4242)"));
            assertEquals(Integer.toString(lockPid), one(direct,
                    "SELECT string_agg(pid::text, ',') FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND granted"));
            one(other, "SELECT pg_advisory_unlock(4242)");
            one(other, "SELECT pg_advisory_unlock(4242)");
            other.commit();
            assertEquals("t", one(direct, "SELECT pg_try_advisory_lock(4242)"));
        }
    }

    @Test
    void serverSidePreparedStatementsBreakInTransactionMode() throws Exception {
        try (PgBouncer b = bouncer(PoolMode.TRANSACTION, 2)) {
            SQLException e = assertThrows(SQLException.class, () -> preparedAcrossServers(b, "1"));
            // 26000 "prepared statement S_1 does not exist" or 42P05 "... already exists", by which server gets which message
            assertTrue(Set.of("26000", "42P05").contains(e.getSQLState()), e.getSQLState() + " " + e.getMessage());
            System.out.println("prepareThreshold=1 through transaction pooling: " + e.getMessage());
            List<Integer> pids = preparedAcrossServers(b, "0");
            assertNotEquals(pids.get(0), pids.get(1), "prepareThreshold=0 (unnamed statements only) works on any server");
        }
    }

    /** Runs one PreparedStatement on a server, then, while another client holds that server, again: the pids. */
    private static List<Integer> preparedAcrossServers(PgBouncer b, String prepareThreshold) throws SQLException {
        try (Connection a = b.connect(db.name(), db.server().user(), db.server().password(), Map.of("prepareThreshold", prepareThreshold));
                Connection other = client(b); PreparedStatement ps = a.prepareStatement("SELECT pg_backend_pid() WHERE ? = 1")) {
            ps.setInt(1, 1);
            int first;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                first = rs.getInt(1);
            }
            other.setAutoCommit(false);
            assertEquals(first, pid(other));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return List.of(first, rs.getInt(1));
            } finally {
                other.rollback();
            }
        }
    }

    @Test
    void passwordUserThroughPgBouncerWithTrustAndWithScram() throws Exception {
        Assumptions.assumeTrue(db.server().passwordUserReady(), "password user skipped: the test server has no " + TestServer.PASSWORD_USER);
        try (PgBouncer b = bouncer(PoolMode.TRANSACTION, 2); Connection c = b.connect(db.name(), TestServer.PASSWORD_USER, null)) {
            assertEquals(TestServer.PASSWORD_USER, one(c, "SELECT current_user"), "PgBouncer logs in to the server with scram");
        }
        PgBouncer.assumeAvailable();
        try (PgBouncer b = PgBouncer.start("127.0.0.1", port(db.server()), PoolMode.SESSION, Auth.SCRAM,
                Map.of(TestServer.PASSWORD_USER, TestServer.PASSWORD), Map.of())) {
            try (Connection c = b.connect(db.name(), TestServer.PASSWORD_USER, TestServer.PASSWORD)) {
                assertEquals(TestServer.PASSWORD_USER, one(c, "SELECT current_user"));
            }
            SQLException e = assertThrows(SQLException.class, () -> b.connect(db.name(), TestServer.PASSWORD_USER, "wrong"));
            assertTrue(e.getMessage().contains("authentication failed"), e.getMessage());
        }
    }

    @Test
    void standbyStreamsFromThePrimary() throws Exception {
        String major = TestServer.majorVersion();
        TestServer primary;
        if (Standby.basebackup(major).isPresent()) {
            primary = TestServer.get();
        } else {
            // the embedded archives have no pg_basebackup: fall back to the version Debian ships one of
            major = DebianPostgres.MAJOR;
            Standby.assumeAvailable(major);
            long t0 = System.nanoTime();
            primary = TestServer.startEmbedded(Ports.free(), major);
            System.out.printf("no pg_basebackup %s here: standby of a second embedded server, %s, started in %d ms%n",
                    TestServer.majorVersion(), primary.describe(), (System.nanoTime() - t0) / 1_000_000);
        }
        TestDb pdb = primary.createDatabase("standby_probe_" + ProcessHandle.current().pid());
        pdb.exec("CREATE TABLE probe (id int PRIMARY KEY, note text)", "INSERT INTO probe VALUES (1, 'before the clone')");
        long t0 = System.nanoTime();
        try (Standby standby = Standby.of(primary); Connection p = pdb.connect()) {
            System.out.printf("standby (pg_basebackup %s) on port %d ready in %d ms%n", Standby.basebackup(major).orElseThrow(),
                    standby.port(), (System.nanoTime() - t0) / 1_000_000);
            p.createStatement().execute("INSERT INTO probe VALUES (2, 'after the clone')");
            long t1 = System.nanoTime();
            standby.awaitReplay(p, 30_000);
            System.out.printf("replay caught up in %d ms%n", (System.nanoTime() - t1) / 1_000_000);
            try (Connection s = standby.connect(pdb.name())) {
                assertEquals("t", one(s, "SELECT pg_is_in_recovery()"));
                // replayed up to the primary's flush position; under load the row has still been seen to lag a moment behind
                String note = null;
                for (long until = System.nanoTime() + 30_000_000_000L; note == null && System.nanoTime() < until; Thread.sleep(100)) {
                    note = optional(s, "SELECT note FROM probe WHERE id = 2");
                }
                assertEquals("after the clone", note);
                SQLException e = assertThrows(SQLException.class, () -> s.createStatement().execute("INSERT INTO probe VALUES (3, 'x')"));
                assertEquals("25006", e.getSQLState());
            }
            assertTrue(one(p, "SELECT string_agg(state, ',') FROM pg_stat_replication").contains("streaming"));
        }
    }

    @Test
    void debianPostgres15WithPartman() throws Exception {
        DebianPostgres.assumePartmanAvailable();
        long t0 = System.nanoTime();
        try (DebianPostgres pg = DebianPostgres.start(Map.of("shared_preload_libraries", "pg_partman_bgw"))) {
            System.out.printf("Debian %s on port %d: initdb + start in %d ms%n", pg.version(), pg.port(), (System.nanoTime() - t0) / 1_000_000);
            try (Connection c = pg.connect(name(pg.createDatabase("partman_probe"))); Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA partman");
                s.execute("CREATE EXTENSION pg_partman SCHEMA partman");
                String version = one(c, "SELECT extversion FROM pg_extension WHERE extname = 'pg_partman'");
                String args = one(c, "SELECT pg_get_function_arguments(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                        + " WHERE n.nspname = 'partman' AND p.proname = 'create_parent'");
                boolean v4 = args.matches("(?s)p_parent_table text, p_control text, p_type text, p_interval text.*");
                System.out.println("pg_partman " + version + " (" + (v4 ? "4.x" : "5.x") + " API): create_parent(" + args + ")");
                assertEquals(version.startsWith("4."), v4, args);
                s.execute("CREATE TABLE public.measurements (id bigint NOT NULL, ts timestamptz NOT NULL) PARTITION BY RANGE (ts)");
                s.execute(v4 ? "SELECT partman.create_parent('public.measurements', 'ts', 'native', 'daily', p_premake := 2)"
                        : "SELECT partman.create_parent('public.measurements', 'ts', '1 day', p_premake := 2)");
                long partitions = Long.parseLong(one(c, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.measurements'::regclass"));
                assertTrue(partitions >= 5, "current + 2 back + 2 ahead (+ default): " + partitions);
                assertEquals("1", one(c, "SELECT count(*) FROM partman.part_config WHERE parent_table = 'public.measurements'"));
                s.execute("INSERT INTO public.measurements VALUES (1, now())");
                s.execute(v4 ? "SELECT partman.run_maintenance()" : "CALL partman.run_maintenance_proc()");
                assertEquals("pg_partman_bgw", one(c, "SHOW shared_preload_libraries"));
                System.out.println("partitions made by create_parent: " + partitions);
            }
        }
    }

    private static String name(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    @Test
    void rolesHaveThePropertiesClaimed() throws Exception {
        TestDb rdb = TestDb.fresh(RealComponentsTest.class);
        Roles roles = Roles.create(rdb);
        try (Connection su = rdb.connect()) {
            for (Roles.Login l : roles.all()) {
                assertEquals("f", one(su, "SELECT rolsuper FROM pg_roles WHERE rolname = '" + l.user() + "'"));
            }
            assertEquals(roles.owner().user(), one(su, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'app'"));
            assertEquals(roles.owner().user(), one(su, "SELECT string_agg(DISTINCT relowner::regrole::text, ',') FROM pg_class"
                    + " WHERE relnamespace = 'app'::regnamespace AND relkind IN ('r', 'p')"));
            assertEquals("f", one(su, "SELECT has_schema_privilege('" + roles.noCreate().user() + "', 'app', 'CREATE')"));
            assertEquals("t", one(su, "SELECT has_schema_privilege('" + roles.noCreate().user() + "', 'app', 'USAGE')"));
            try (Connection owner = roles.owner().connect()) {
                owner.createStatement().execute("CREATE TABLE app.owner_made (id int)");
                owner.createStatement().execute("ALTER TABLE app.events DETACH PARTITION app.events_2026_01");
            }
            try (Connection nc = roles.noCreate().connect()) {
                nc.createStatement().execute("INSERT INTO app.items VALUES (1, 'one')");
                SQLException e = assertThrows(SQLException.class, () -> nc.createStatement().execute("CREATE TABLE app.x (id int)"));
                assertEquals("42501", e.getSQLState());
                e = assertThrows(SQLException.class, () -> nc.createStatement().execute("CREATE TABLE public.x (id int)"));
                assertEquals("42501", e.getSQLState());
                e = assertThrows(SQLException.class, () -> nc.createStatement().execute("ALTER TABLE app.items ADD COLUMN y int"));
                assertEquals("42501", e.getSQLState());
            }
            try (Connection lim = roles.limited().connect()) {
                assertEquals(Roles.STATEMENT_TIMEOUT, one(lim, "SHOW statement_timeout"));
                assertEquals(Roles.IDLE_TIMEOUT, one(lim, "SHOW idle_in_transaction_session_timeout"));
                assertEquals("on", one(lim, "SHOW default_transaction_read_only"));
                assertEquals("1", one(lim, "SELECT count(*) FROM app.items"));
                SQLException e = assertThrows(SQLException.class, () -> lim.createStatement().execute("DELETE FROM app.items"));
                assertEquals("25006", e.getSQLState());
                e = assertThrows(SQLException.class, () -> lim.createStatement().execute("SELECT pg_sleep(3)"));
                assertEquals("57014", e.getSQLState(), "statement_timeout cancels");
            }
            assertFalse(one(su, "SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting WHERE setrole = '"
                    + roles.limited().user() + "'::regrole").isEmpty());
            roles.drop(su);
            assertEquals("0", one(su, "SELECT count(*) FROM pg_roles WHERE rolname LIKE '" + roles.owner().user().replace("_owner", "") + "%'"));
        }
    }
}
