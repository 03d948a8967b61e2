package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.execute.Connections;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.testing.ChatWriter;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.DebianPostgres;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.ForwardingLog;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * With the server compiling every statement (jit on, every threshold 0), the plugin's sessions do not: the swap stays short.
 * The embedded servers have no LLVM; Debian's PostgreSQL 15 has (llvmjit.so), so the swap runs there with JIT firing for every
 * other session, and pg_stat_statements tells which statements were compiled.
 */
@DatabaseTest
class JitSwapTest {

    private static final int ROWS = Integer.getInteger("partition.test.jit.rows", 20_000);
    /** The application's statements (ChatWriter), the only ones that may be compiled. */
    private static final List<String> WRITER = List.of("INSERT INTO chat_history (user_id, role, content, created_at) VALUES",
            "UPDATE chat_history SET content = ", "DELETE FROM chat_history WHERE id = ");
    private static DebianPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        if (DebianPostgres.available()) {
            pg = DebianPostgres.start(Map.of("jit", "on", "shared_preload_libraries", "pg_stat_statements", "max_connections", "60"));
        }
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.stop();
        }
    }

    @Test
    void thePluginsSessionsTurnJitOffWhereTheDatabaseTurnsItOn() throws Exception {
        TestDb db = TestDb.fresh(JitSwapTest.class);
        db.exec("ALTER DATABASE " + db.name() + " SET jit = on");
        assertEquals("on", db.queryStrings("SHOW jit").get(0));
        RunSettings run = PolicyReader.settings("UTC", ConvertTest.NOW, "300ms", 3, Clock.systemUTC());
        try (Connection c = Connections.open(db.settings(), run); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW jit")) {
            rs.next();
            assertEquals("off", rs.getString(1));
        }
    }

    @ParameterizedTest(name = "strategy {0}")
    @EnumSource(ConvertOptions.Strategy.class)
    void onDebiansPostgres15WithJitFiringEverywhereThePluginsStatementsAreNeverCompiledAndTheSwapStaysShort(ConvertOptions.Strategy strategy)
            throws Exception {
        DebianPostgres.assumeAvailable();
        TestDb db = TestServer.of(pg).createDatabase("jit_" + strategy.name().toLowerCase(java.util.Locale.ROOT));
        assertEquals("t", db.queryStrings("SELECT pg_jit_available()::text").get(0).substring(0, 1), "Debian's build has llvmjit");
        db.exec(Seed.plainTables().toArray(String[]::new));
        db.exec(Seed.rows(50, ROWS, LocalDate.of(2026, 1, 3), LocalDate.of(2026, 11, 20)).toArray(String[]::new));
        // set only now: with every threshold 0, even the foreign key's check of each inserted row would be compiled
        db.exec("ANALYZE", "CREATE EXTENSION pg_stat_statements", "ALTER DATABASE " + db.name() + " SET jit_above_cost = 0",
                "ALTER DATABASE " + db.name() + " SET jit_optimize_above_cost = 0", "ALTER DATABASE " + db.name() + " SET jit_inline_above_cost = 0");
        assertEquals("on", db.queryStrings("SHOW jit").get(0), "a new session of the application gets jit = on");
        SwapWatch watch = new SwapWatch(db);
        try (ChatWriter writer = new ChatWriter(db, false, 20, LocalDateTime.of(2026, 11, 1, 0, 0), LocalDateTime.of(2026, 11, 24, 0, 0))) {
            Thread.sleep(500);
            db.exec("SELECT pg_stat_statements_reset()");
            // the writer's statements are compiled (its foreign key and capture triggers' too): each can take longer than the
            // usual 300 ms lock_timeout on a busy machine, so the swap waits up to 2 s for them, 10 times
            ConvertOptions options = ConvertOptions.DEFAULTS.withStrategy(strategy);
            RunSettings run = PolicyReader.settings("UTC", ConvertTest.NOW, "2s", 10, Clock.systemUTC());
            new io.github.partitionmaven.engine.PartitionEngine(db.settings(), run, PolicyReader.tables(List.of(Engines.month("chat_history")), run),
                    List.of(new ConvertPlanner(options), new RollbackPlanner(options), new io.github.partitionmaven.premake.PremakePlanner()), watch)
                    .apply(Goal.CONVERT);
            writer.finishAfter(2);
        }
        Matcher m = Pattern.compile("ACCESS EXCLUSIVE held (\\d+) ms").matcher(watch.log.text());
        assertTrue(m.find(), watch.log.text());
        System.out.println("Debian PostgreSQL 15, jit on with every jit_*_cost 0, strategy " + strategy + ", " + ROWS + " rows: ACCESS EXCLUSIVE held "
                + m.group(1) + " ms; the plugin's sessions during the swap: " + watch.sessions);

        assertFalse(watch.sessions.isEmpty(), "the plugin's session was seen holding the lock");
        assertTrue(watch.sessions.stream().anyMatch(s -> s.contains("AccessExclusiveLock")), watch.sessions.toString());
        List<String> compiled = new ArrayList<>();
        List<String> planned = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("SET jit = off");
            try (ResultSet rs = s.executeQuery("SELECT jit_functions, regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements"
                    + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
                while (rs.next()) {
                    (rs.getLong(1) > 0 ? compiled : planned).add(rs.getString(2));
                }
            }
        }
        assertTrue(compiled.stream().anyMatch(q -> WRITER.stream().anyMatch(q::startsWith)), "JIT fires for the application: " + compiled);
        // the test's own reset, and the pooler probe's pid query: it runs before any step and any lock, on a session left as the
        // server (or pooler) gives it, where a SET would leak into the application's pooled sessions
        List<String> plugins = compiled.stream().filter(q -> WRITER.stream().noneMatch(q::startsWith))
                .filter(q -> !q.equals("SELECT pg_stat_statements_reset()") && !q.equals("SELECT pg_catalog.pg_backend_pid()")).toList();
        assertEquals(List.of(), plugins, "statements of the plugin compiled by JIT");
        assertTrue(planned.stream().anyMatch(q -> q.contains("chat_history_old")), "the plugin's statements are in pg_stat_statements: " + planned);
    }

    /**
     * When the swap has taken its lock, lists from another session (jit off) every session of the plugin and its locks on
     * chat_history. A session's settings are not visible to others, so whether they compiled anything is read afterwards from
     * pg_stat_statements (jit_functions), which counts the statements of every session, the plugin's other sessions included.
     */
    private static final class SwapWatch extends ForwardingLog {
        final Engines.RecordingLog log;
        final List<String> sessions = new ArrayList<>();
        private final TestDb db;

        SwapWatch(TestDb db) {
            this(db, new Engines.RecordingLog());
        }

        private SwapWatch(TestDb db, Engines.RecordingLog log) {
            super(log);
            this.log = log;
            this.db = db;
        }

        @Override
        public void debug(String message) {
            super.debug(message);
            if (message.startsWith("swap: ")) {
                try (Connection c = db.connect(); Statement s = c.createStatement()) {
                    s.execute("SET jit = off");
                    try (ResultSet rs = s.executeQuery("SELECT a.pid, a.state, (SELECT string_agg(l.mode, ',') FROM pg_locks l WHERE l.pid = a.pid"
                            + " AND l.relation = 'chat_history'::regclass) FROM pg_stat_activity a WHERE a.application_name = "
                            + "'" + Connections.APPLICATION_NAME + "' AND a.pid <> pg_backend_pid()")) {
                        while (rs.next()) {
                            sessions.add("pid " + rs.getInt(1) + " " + rs.getString(2) + " locks " + rs.getString(3));
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
