package io.github.partitionmaven.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.engine.Planners;
import io.github.partitionmaven.execute.ConnectionSettings;
import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.prune.ArchiveRestore;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.testing.DebianPostgres;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.PgBouncer;
import io.github.partitionmaven.testing.PgBouncer.Auth;
import io.github.partitionmaven.testing.PgBouncer.PoolMode;
import io.github.partitionmaven.testing.Ports;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.Standby;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every goal through a real PgBouncer (Debian's) in session, transaction and statement pooling mode, and the applying goals
 * against a real streaming standby. Session mode works; transaction and statement mode are detected before the plugin sets
 * anything, and refused with the fix; a standby is refused naming pg_is_in_recovery(), or skipped when asked.
 */
class PoolersAndStandbysTest {

    /** The session settings the plugin changes; none may be left on a pooled server connection. */
    private static final List<String> SESSION_SETTINGS = List.of("TimeZone", "DateStyle", "lock_timeout", "statement_timeout",
            "client_connection_check_interval", "idle_in_transaction_session_timeout");

    @TempDir
    Path archives;

    private static PgBouncer bouncer(TestDb db, PoolMode mode) throws Exception {
        PgBouncer.assumeAvailable();
        TestServer s = db.server();
        Map<String, String> users = new LinkedHashMap<>();
        users.put(s.user(), s.password() == null ? "" : s.password());
        String url = s.url("x");
        int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1, url.lastIndexOf('/')));
        // 6 servers: the main session, two copy sessions and the verification's second session of a conversion fit
        return PgBouncer.start("127.0.0.1", port, mode, Auth.TRUST, users, Map.of("default_pool_size", "6"));
    }

    private PartitionEngine engine(ConnectionSettings cs, String now, Engines.RecordingLog log, TableSpec... tables) {
        RunSettings settings = PolicyReader.settings("UTC", now, "300ms", 3, Clock.systemUTC());
        return new PartitionEngine(cs, settings, PolicyReader.tables(Arrays.asList(tables), settings),
                Planners.standard(ConvertOptions.DEFAULTS.withBatchSize(500),
                        new PruneOptions(archives, PruneOptions.Compression.GZIP, PruneOptions.DEFAULT_COMPRESSION_LEVEL, "test")), log);
    }

    private static ConnectionSettings through(PgBouncer b, TestDb db) {
        return new ConnectionSettings(b.url(db.name()), db.server().user(), db.server().password(), Map.of());
    }

    private static Map<String, String> settings(Connection c) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Statement s = c.createStatement()) {
            for (String name : SESSION_SETTINGS) {
                try (ResultSet rs = s.executeQuery("SHOW " + name)) {
                    rs.next();
                    out.put(name, rs.getString(1));
                }
            }
        }
        return out;
    }

    /** What every server connection behind the pooler has set now: each client holds a transaction, so each gets its own server. */
    private static List<Map<String, String>> everyServer(PgBouncer b, TestDb db, int servers) throws SQLException {
        List<Connection> clients = new ArrayList<>();
        try {
            List<Map<String, String>> out = new ArrayList<>();
            for (int i = 0; i < servers; i++) {
                Connection c = b.connect(db.name(), db.server().user(), db.server().password(), Map.of("prepareThreshold", "0"));
                clients.add(c);
                c.setAutoCommit(false);
                out.add(settings(c));
            }
            return out;
        } finally {
            for (Connection c : clients) {
                c.rollback();
                c.close();
            }
        }
    }

    private static long advisoryLocks(TestDb db) {
        return db.queryLong("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'");
    }

    private static void seedPlain(TestDb db) {
        db.exec("CREATE TABLE chat (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, body text)",
                "INSERT INTO chat SELECT g, timestamptz '2026-01-01 00:00+00' + g * interval '1 hour', 'm' || g FROM generate_series(1, 3000) g",
                "ANALYZE chat");
    }

    @Test
    void transactionPoolingIsRefusedBeforeTheFirstSettingSoNothingLeaksIntoOtherClients() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2026, 9), YearMonth.of(2026, 10)).toArray(String[]::new));
        Map<String, String> defaults;
        try (Connection direct = db.connect()) {
            defaults = settings(direct);
        }
        String before = db.snapshot();
        try (PgBouncer b = bouncer(db, PoolMode.TRANSACTION)) {
            PartitionEngine engine = engine(through(b, db), "2026-11-24", new Engines.RecordingLog(), Engines.month("chat_history"));
            for (Runnable goal : List.<Runnable>of(() -> engine.apply(Goal.PREMAKE), () -> engine.plan(Goal.POLICY_GOALS),
                    () -> engine.check(CheckThresholds.DEFAULTS))) {
                PartitionException e = assertThrows(PartitionException.class, goal::run);
                System.out.println(e.getMessage());
                assertEquals(PartitionException.Kind.CONFIGURATION, e.kind());
                assertTrue(e.getMessage().contains("in transaction pooling mode (PgBouncer pool_mode = transaction)"), e.getMessage());
                assertTrue(e.getMessage().contains("Point <url> (-Dpartition.url) straight at PostgreSQL, or at a PgBouncer database"
                        + " with pool_mode = session."), e.getMessage());
                assertTrue(e.getMessage().endsWith(PartitionException.NOTHING_CHANGED), e.getMessage());
            }
            List<Map<String, String>> servers = everyServer(b, db, 6);
            for (Map<String, String> s : servers) {
                assertEquals(defaults, s, "no setting of the plugin left on a pooled server connection");
            }
            System.out.println("transaction pooling: " + b.show("POOLS"));
        }
        assertEquals(0, advisoryLocks(db));
        assertEquals(before, db.snapshot());
    }

    @Test
    void statementPoolingIsRefusedToo() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2026, 9), YearMonth.of(2026, 10)).toArray(String[]::new));
        String before = db.snapshot();
        try (PgBouncer b = bouncer(db, PoolMode.STATEMENT)) {
            PartitionEngine engine = engine(through(b, db), "2026-11-24", new Engines.RecordingLog(), Engines.month("chat_history"));
            PartitionException e = assertThrows(PartitionException.class, () -> engine.apply(Goal.PREMAKE));
            System.out.println(e.getMessage());
            assertEquals(PartitionException.Kind.CONFIGURATION, e.kind());
            assertTrue(e.getMessage().contains("in statement pooling mode (PgBouncer pool_mode = statement)"), e.getMessage());
        }
        assertEquals(before, db.snapshot());
    }

    @Test
    void sessionPoolingRunsEveryGoalAndLeavesNoLockNorSettingBehind() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        seedPlain(db);
        Map<String, String> defaults;
        try (Connection direct = db.connect()) {
            defaults = settings(direct);
        }
        String rows = db.queryStrings("SELECT count(*) || ':' || sum(id) FROM chat").get(0);
        TableSpec chat = new TableSpec("chat", "created_at", "month", 2, null, "2 months", "archive", null);
        try (PgBouncer b = bouncer(db, PoolMode.SESSION)) {
            ConnectionSettings cs = through(b, db);
            Engines.RecordingLog log = new Engines.RecordingLog();
            engine(cs, "2026-05-10", log, chat).apply(Goal.CONVERT);
            assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat'").get(0));
            engine(cs, "2026-05-10", log, chat).apply(Goal.ROLLBACK);
            assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat'").get(0));
            db.exec("DROP TABLE IF EXISTS chat_old");
            engine(cs, "2026-05-10", log, chat).apply(Goal.CONVERT);
            assertEquals(rows, db.queryStrings("SELECT count(*) || ':' || sum(id) FROM chat").get(0));
            engine(cs, "2026-06-20", log, chat).apply(Goal.PREMAKE);
            assertTrue(db.partitions("chat").stream().anyMatch(p -> p.startsWith("chat_2026_08 ")), db.partitions("chat").toString());
            engine(cs, "2026-06-20", log, chat).apply(Goal.PRUNE);
            assertFalse(db.partitions("chat").stream().anyMatch(p -> p.startsWith("chat_2026_01 ")), db.partitions("chat").toString());
            Path manifest;
            try (Stream<Path> files = Files.walk(archives)) {
                manifest = files.filter(p -> p.getFileName().toString().endsWith(".manifest.json")).sorted().findFirst().orElseThrow();
            }
            engine(cs, "2026-06-20", log, chat).apply(ArchiveRestore.planner(manifest, Optional.empty()));
            assertTrue(db.partitions("chat").stream().anyMatch(p -> p.startsWith("chat_2026_01 ")), db.partitions("chat").toString());
            assertFalse(engine(cs, "2026-06-20", log, chat).check(CheckThresholds.DEFAULTS).tables().isEmpty());

            assertEquals(0, advisoryLocks(db), "the per-table lock went with the session");
            for (Map<String, String> s : everyServer(b, db, 6)) {
                assertEquals(defaults, s, "PgBouncer's DISCARD ALL at the end of each client session leaves nothing behind");
            }
            System.out.println("session pooling: " + b.show("POOLS"));
        }
    }

    @Test
    void standbyIsRefusedNamingPgIsInRecoveryOrSkippedWhenAsked() throws Exception {
        String major = TestServer.majorVersion();
        TestServer primary;
        if (Standby.basebackup(major).isPresent()) {
            primary = TestServer.get();
        } else {
            // no pg_basebackup of this major here: stand by from a second embedded server of the version Debian ships one of
            Standby.assumeAvailable(DebianPostgres.MAJOR);
            primary = TestServer.startEmbedded(Ports.free(), DebianPostgres.MAJOR);
        }
        TestDb pdb = primary.createDatabase("standby_goals_" + ProcessHandle.current().pid());
        pdb.exec(Seed.partitionedTables(YearMonth.of(2026, 9), YearMonth.of(2026, 10)).toArray(String[]::new));
        String before = pdb.snapshot();
        try (Standby standby = Standby.of(primary); Connection p = pdb.connect()) {
            standby.awaitReplay(p, 30_000);
            ConnectionSettings cs = new ConnectionSettings(standby.url(pdb.name()), primary.user(), null, Map.of());
            TableSpec chat = new TableSpec("chat_history", "created_at", "month", 2, null, "1 month", "drop", null);

            PartitionPlan plan = engine(cs, "2026-11-24", new Engines.RecordingLog(), chat).plan(Set.of(Goal.PREMAKE, Goal.PRUNE));
            assertTrue(plan.tables().get(0).findings().stream().anyMatch(f -> f.severity() == Finding.Severity.WARNING
                    && f.message().startsWith("The server is a standby (pg_catalog.pg_is_in_recovery() is true)")), plan.tables().get(0).findings().toString());
            for (Goal goal : List.of(Goal.PREMAKE, Goal.PRUNE, Goal.CONVERT, Goal.ROLLBACK)) {
                PartitionException e = assertThrows(PartitionException.class, () -> engine(cs, "2026-11-24", new Engines.RecordingLog(), chat).apply(goal));
                assertEquals(PartitionException.Kind.ENVIRONMENT, e.kind());
                assertTrue(e.getMessage().startsWith("The server is a standby (pg_catalog.pg_is_in_recovery() is true): partition:" + goal.goalName()),
                        e.getMessage());
                assertTrue(e.getMessage().contains("-Dpartition.onStandby=skip"), e.getMessage());
            }
            PartitionException restore = assertThrows(PartitionException.class, () -> engine(cs, "2026-11-24", new Engines.RecordingLog(), chat)
                    .apply(ArchiveRestore.planner(archives.resolve("any.manifest.json"), Optional.empty())));
            assertTrue(restore.getMessage().startsWith("The server is a standby (pg_catalog.pg_is_in_recovery() is true): partition:restore"),
                    restore.getMessage());

            Engines.RecordingLog log = new Engines.RecordingLog();
            PartitionPlan skipped = engine(cs, "2026-11-24", log, chat).onStandby(PartitionEngine.OnStandby.SKIP).apply(Goal.PREMAKE);
            assertTrue(skipped.isEmpty());
            assertTrue(log.text().contains("partition:premake skipped, as -Dpartition.onStandby=skip asks. Nothing was changed."), log.text());
            System.out.println(log.text());
        }
        assertEquals(before, pdb.snapshot());
    }
}
