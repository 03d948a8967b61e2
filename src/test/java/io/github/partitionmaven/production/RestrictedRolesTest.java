package io.github.partitionmaven.production;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.engine.Planners;
import io.github.partitionmaven.prune.ArchiveRestore;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.execute.ConnectionSettings;
import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.Roles;
import io.github.partitionmaven.testing.TestDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The applying goals run as the roles production has: the owner, a role without CREATE, a read-only role with timeouts. */
@DatabaseTest
class RestrictedRolesTest {

    static final TableSpec EVENTS = new TableSpec("app.events", "created_at", "month", 2, null, null, null, null);

    static PartitionEngine engineAs(TestDb db, Roles.Login login, String now, Engines.RecordingLog log, TableSpec... tables) {
        ConnectionSettings cs = login == null ? db.settings() : new ConnectionSettings(db.url(), login.user(), login.password(), Map.of());
        RunSettings settings = PolicyReader.settings("UTC", now, "300ms", 3, Clock.systemUTC());
        return new PartitionEngine(cs, settings, PolicyReader.tables(Arrays.asList(tables), settings), log);
    }

    private static List<String> warnings(PartitionPlan plan) {
        return plan.tables().stream().flatMap(t -> t.findings().stream()).filter(f -> f.severity() == Finding.Severity.WARNING)
                .map(Finding::message).toList();
    }

    /** The refusal of {@code goal} for role {@code u}: CREATE on schema app and ownership of app.events, each with its GRANT. */
    private static void assertLacksCreateAndOwnership(PartitionException e, String goal, String u, String owner) {
        assertEquals(PartitionException.Kind.DATABASE_STATE, e.kind());
        assertTrue(e.getMessage().startsWith("Role \"" + u + "\" lacks 2 privilege(s) the steps of partition:" + goal + " need:"), e.getMessage());
        assertTrue(e.getMessage().contains("CREATE on schema \"app\" (fix: GRANT CREATE ON SCHEMA \"app\" TO \"" + u + "\";)"), e.getMessage());
        assertTrue(e.getMessage().contains("ownership of \"app\".\"events\" (fix: GRANT \"" + owner + "\" TO \"" + u + "\";"), e.getMessage());
        assertTrue(e.getMessage().endsWith(PartitionException.NOTHING_CHANGED), e.getMessage());
    }

    @Test
    void roleWithoutCreateNorOwnershipIsRefusedWithEveryGrantItLacksAndTheGrantsMakeItWork() throws SQLException {
        TestDb db = TestDb.fresh(getClass());
        Roles roles = Roles.create(db);
        String u = roles.noCreate().user();
        String owner = roles.owner().user();
        String before = db.snapshot();

        PartitionEngine engine = engineAs(db, roles.noCreate(), "2026-01-15", new Engines.RecordingLog(), EVENTS);
        List<String> planWarnings = warnings(engine.plan(Set.of(Goal.PREMAKE)));
        assertEquals(1, planWarnings.size(), planWarnings.toString());
        assertTrue(planWarnings.get(0).contains("GRANT CREATE ON SCHEMA \"app\" TO \"" + u + "\""), planWarnings.get(0));

        assertLacksCreateAndOwnership(assertThrows(PartitionException.class, () -> engine.apply(Goal.PREMAKE)), "premake", u, owner);
        assertEquals(before, db.snapshot(), "refused before any change");

        db.exec("GRANT CREATE ON SCHEMA app TO " + u, "GRANT " + owner + " TO " + u);
        engineAs(db, roles.noCreate(), "2026-01-15", new Engines.RecordingLog(), EVENTS).apply(Goal.PREMAKE);
        assertEquals(List.of("events_2026_01", "events_2026_02", "events_2026_03"), db.queryStrings(
                "SELECT relname::text FROM pg_class WHERE relname LIKE 'events_2026%' ORDER BY 1"));
        assertEquals(List.of(owner, owner, owner), db.queryStrings("SELECT pg_get_userbyid(relowner)::text FROM pg_class"
                + " WHERE relname LIKE 'events_2026%' ORDER BY relname"), "premade partitions get the parent's owner");
        assertEquals(List.of("true", "true"), db.queryStrings("SELECT has_table_privilege('" + roles.limited().user() + "', oid, 'SELECT')::text"
                + " FROM pg_class WHERE relname IN ('events_2026_02', 'events_2026_03')"), "and the parent's grants");
    }

    @Test
    void partitionsPremadeByOneRoleArePrunedByTheOwner() throws SQLException {
        TestDb db = TestDb.fresh(getClass());
        Roles roles = Roles.create(db);
        engineAs(db, null, "2026-01-15", new Engines.RecordingLog(), EVENTS).apply(Goal.PREMAKE); // the superuser premakes
        TableSpec retained = new TableSpec("app.events", "created_at", "month", 2, null, "1 month", "drop", null);

        PartitionPlan pruned = engineAs(db, roles.owner(), "2026-04-10", new Engines.RecordingLog(), retained).apply(Goal.PRUNE);

        assertFalse(pruned.isEmpty());
        assertEquals(List.of("events_2026_03"), db.queryStrings("SELECT relname::text FROM pg_class WHERE relname LIKE 'events_2026%'"
                + " ORDER BY 1"), "January and February, premade by the superuser, dropped by the owner");
    }

    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void tableConvertedBySuperuserIsTheOwnersWithItsPartitionsAndTheOwnerPrunesIt(ConvertOptions.Strategy strategy) throws SQLException {
        TestDb db = TestDb.fresh(getClass());
        Roles roles = Roles.create(db);
        String owner = roles.owner().user();
        db.exec("SET ROLE " + owner + "; CREATE TABLE app.chat (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, body text);"
                        + " GRANT SELECT ON app.chat TO " + roles.limited().user() + ";"
                        + " INSERT INTO app.chat SELECT g, timestamptz '2026-01-01 00:00+00' + g * interval '1 hour', 'm' || g"
                        + " FROM generate_series(1, 3000) g; RESET ROLE");
        TableSpec chat = new TableSpec("app.chat", "created_at", "month", 1, null, "2 months", "drop", null);

        RunSettings run = PolicyReader.settings("UTC", "2026-05-10", "300ms", 3, Clock.systemUTC());
        new PartitionEngine(db.settings(), run, PolicyReader.tables(List.of(chat), run),
                Planners.standard(ConvertOptions.DEFAULTS.withStrategy(strategy), PruneOptions.defaults()), new Engines.RecordingLog())
                .apply(Goal.CONVERT);
        List<String> owners = db.queryStrings("SELECT DISTINCT pg_get_userbyid(c.relowner)::text FROM pg_class c"
                + " WHERE c.oid = 'app.chat'::regclass OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'app.chat'::regclass)");
        assertEquals(List.of(owner), owners, "the converted table and every partition belong to the table's owner");
        assertEquals(List.of("true"), db.queryStrings("SELECT DISTINCT has_table_privilege('" + roles.limited().user() + "', inhrelid, 'SELECT')::text"
                + " FROM pg_inherits WHERE inhparent = 'app.chat'::regclass"));

        engineAs(db, roles.owner(), "2026-07-10", new Engines.RecordingLog(), chat).apply(Goal.PRUNE);
        assertTrue(db.queryLong("SELECT count(*) FROM pg_inherits WHERE inhparent = 'app.chat'::regclass AND inhrelid::regclass::text"
                + " ~ 'chat_2026_0[1-4]$'") == 0, db.partitions("app.chat").toString());
    }

    @Test
    void aRestoreByARoleWithoutCreateNorOwnershipIsRefusedWithTheGrantsWhichMakeItRestoreTheMonthAsTheOwners(@TempDir Path archives)
            throws SQLException {
        TestDb db = TestDb.fresh(getClass());
        Roles roles = Roles.create(db);
        String u = roles.noCreate().user();
        String owner = roles.owner().user();
        db.exec("INSERT INTO app.events SELECT g, timestamptz '2026-01-01 00:00+00' + g * interval '1 hour', 'e' || g FROM generate_series(1, 500) g");
        String january = db.queryStrings("SELECT count(*) || ' ' || sum(id) FROM app.events_2026_01").get(0);
        TableSpec retained = new TableSpec("app.events", "created_at", "month", 1, null, "1 month", "archive", null);
        RunSettings run = PolicyReader.settings("UTC", "2026-03-10", "300ms", 3, Clock.systemUTC());
        new PartitionEngine(new ConnectionSettings(db.url(), owner, roles.owner().password(), Map.of()), run, PolicyReader.tables(List.of(retained), run),
                Planners.standard(ConvertOptions.DEFAULTS, PruneOptions.of(archives.toString(), "gzip", 1, "test")), new Engines.RecordingLog())
                .apply(Goal.PRUNE);
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'events_2026_01'"), "archived by the owner");
        Path manifest = archives.resolve("app.events_2026_01.manifest.json");

        String before = db.snapshot();
        assertLacksCreateAndOwnership(assertThrows(PartitionException.class, () -> engineAs(db, roles.noCreate(), "2026-03-10",
                new Engines.RecordingLog(), retained).apply(ArchiveRestore.planner(manifest, Optional.empty()))), "restore", u, owner);
        assertEquals(before, db.snapshot(), "refused before any change");

        db.exec("GRANT CREATE ON SCHEMA app TO " + u, "GRANT " + owner + " TO " + u);
        engineAs(db, roles.noCreate(), "2026-03-10", new Engines.RecordingLog(), retained).apply(ArchiveRestore.planner(manifest, Optional.empty()));
        assertEquals(january, db.queryStrings("SELECT count(*) || ' ' || sum(id) FROM app.events_2026_01").get(0));
        assertEquals(List.of(owner + " true true"), db.queryStrings("SELECT pg_get_userbyid(relowner)::text || ' ' || has_table_privilege('"
                + u + "', oid, 'INSERT') || ' ' || has_table_privilege('" + roles.limited().user() + "', oid, 'SELECT')"
                + " FROM pg_class WHERE relname = 'events_2026_01'"), "the parent owner's, with the parent's grants");
    }

    @Test
    void readOnlyRoleIsRefusedInOneMessageWithItsMissingPrivilegesAndItsTimeoutsAreNamed() throws SQLException {
        TestDb db = TestDb.fresh(getClass());
        Roles roles = Roles.create(db);
        String before = db.snapshot();
        PartitionEngine engine = engineAs(db, roles.limited(), "2026-01-15", new Engines.RecordingLog(), EVENTS);

        PartitionPlan plan = engine.plan(Set.of(Goal.PREMAKE));
        List<String> info = plan.tables().stream().flatMap(t -> t.findings().stream()).map(Finding::message).toList();
        assertTrue(info.stream().anyMatch(m -> m.startsWith("statement_timeout is " + Roles.STATEMENT_TIMEOUT + " for")), info.toString());
        assertTrue(info.stream().anyMatch(m -> m.startsWith("idle_in_transaction_session_timeout is " + Roles.IDLE_TIMEOUT)), info.toString());

        PartitionException e = assertThrows(PartitionException.class, () -> engine.apply(Goal.PREMAKE));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("default_transaction_read_only is on"), e.getMessage());
        assertTrue(e.getMessage().contains("ALTER ROLE \"" + roles.limited().user() + "\" RESET default_transaction_read_only;"), e.getMessage());
        assertTrue(e.getMessage().contains("lacks 2 privilege(s)"), e.getMessage());
        assertEquals(before, db.snapshot());
    }

    @Test
    void roleTimeoutsDoNotReachThePluginsSessions() throws SQLException {
        TestDb db = TestDb.fresh(getClass());
        Roles roles = Roles.create(db);
        db.exec("ALTER ROLE " + roles.owner().user() + " SET statement_timeout = '50ms'",
                "ALTER ROLE " + roles.owner().user() + " SET idle_in_transaction_session_timeout = '50ms'");
        try (Connection plain = roles.owner().connect(); Statement s = plain.createStatement()) {
            SQLException cancelled = assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(0.2)"));
            assertEquals("57014", cancelled.getSQLState(), "the role's own sessions are cancelled");
        }
        Engines.RecordingLog log = new Engines.RecordingLog();
        PartitionEngine engine = engineAs(db, roles.owner(), "2026-01-15", log, EVENTS);
        try (Connection c = engine.open(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_sleep(0.2)");
            c.setAutoCommit(false);
            s.execute("SELECT 1");
            Thread.sleep(200);
            try (ResultSet rs = s.executeQuery("SELECT current_setting('statement_timeout')")) {
                rs.next();
                assertEquals("0", rs.getString(1));
            }
            c.commit();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        engine.apply(Goal.PREMAKE);
        assertTrue(log.text().contains("statement_timeout is 50ms for " + roles.owner().user()), log.text());
        assertEquals(3, db.queryLong("SELECT count(*) FROM pg_inherits WHERE inhparent = 'app.events'::regclass"));
    }

    /** A plain table app.logs of 100 rows in January 2026, created by {@code owner}, and its monthly policy. */
    private static TableSpec logsOwnedBy(TestDb db, String owner) {
        db.exec("SET ROLE " + owner, "CREATE TABLE app.logs (id bigint PRIMARY KEY, created_at timestamptz NOT NULL)",
                "INSERT INTO app.logs SELECT g, timestamptz '2026-01-01' + g * interval '1 minute' FROM generate_series(1, 100) g", "RESET ROLE");
        return new TableSpec("app.logs", "created_at", "month", 2, null, null, null, null);
    }

    @Test
    void aRoleThatCannotSeeReplayLagOrAutovacuumIsWarnedThatTheCopyWillNotPauseForThemUntilGranted() throws SQLException {
        TestDb db = TestDb.fresh(getClass());
        Roles roles = Roles.create(db);
        String owner = roles.owner().user();
        TableSpec logs = logsOwnedBy(db, owner);
        String warning = "cannot read other sessions' statistics, so the copy cannot see a standby's replay lag";

        PartitionPlan before = engineAs(db, roles.owner(), "2026-01-15", new Engines.RecordingLog(), logs).plan(Set.of(Goal.CONVERT));
        assertTrue(warnings(before).stream().anyMatch(w -> w.contains(warning) && w.contains("GRANT pg_read_all_stats TO")), warnings(before).toString());
        assertFalse(copyStep(before).statements().stream().anyMatch(sql -> sql.contains("pg_stat_replication")),
                "nothing the role cannot read is asked");
        assertTrue(copyStep(before).reason().contains("more than 256 WAL segments wait for archive_command"), copyStep(before).reason());

        db.exec("GRANT pg_read_all_stats TO " + owner);
        PartitionPlan after = engineAs(db, roles.owner(), "2026-01-15", new Engines.RecordingLog(), logs).plan(Set.of(Goal.CONVERT));
        assertFalse(warnings(after).stream().anyMatch(w -> w.contains(warning)), warnings(after).toString());
        assertTrue(copyStep(after).statements().stream().anyMatch(sql -> sql.contains("pg_stat_replication") && sql.contains("pg_stat_progress_vacuum")),
                copyStep(after).statements().toString());
        assertTrue(copyStep(after).reason().contains("pauses while a standby's replay lag is over 60.0 s (<maxReplicaLag>)"), copyStep(after).reason());
        db.exec("REVOKE pg_read_all_stats FROM " + owner);
    }

    @Test
    void aViewAndAPolicyTheRoleMayNotDefineAgainAreRefusedBeforeAnyChangeWithTheirFix() throws SQLException {
        TestDb db = TestDb.fresh(getClass());
        Roles roles = Roles.create(db);
        String owner = roles.owner().user();
        TableSpec logs = logsOwnedBy(db, owner);
        // the superuser's: the swap could not define them again on the new table
        db.exec("CREATE VIEW app.recent_logs AS SELECT id, created_at FROM app.logs", "CREATE TABLE app.notes (log_id bigint)",
                "ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY logged ON app.notes USING (EXISTS (SELECT 1 FROM app.logs l WHERE l.id = notes.log_id))");
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> engineAs(db, roles.owner(), "2026-01-15", new Engines.RecordingLog(), logs).apply(Goal.CONVERT));
        assertTrue(e.getMessage().startsWith("Views read \"app\".\"logs\" that the plugin's role may not replace: \"app\".\"recent_logs\" (view).")
                && e.getMessage().contains("Connect as their owner") && e.getMessage().endsWith(PartitionException.NOTHING_CHANGED), e.getMessage());
        assertEquals(before, db.snapshot());

        db.exec("ALTER VIEW app.recent_logs OWNER TO " + owner);
        String viewOwned = db.snapshot();
        PartitionException policy = assertThrows(PartitionException.class,
                () -> engineAs(db, roles.owner(), "2026-01-15", new Engines.RecordingLog(), logs).apply(Goal.CONVERT));
        assertTrue(policy.getMessage().startsWith("PostgreSQL binds these to \"app\".\"logs\" by its identity")
                && policy.getMessage().contains("policy logged on app.notes reads it in its expressions"), policy.getMessage());
        assertEquals(viewOwned, db.snapshot());

        db.exec("ALTER TABLE app.notes OWNER TO " + owner);
        engineAs(db, roles.owner(), "2026-01-15", new Engines.RecordingLog(), logs).apply(Goal.CONVERT);
        assertEquals(List.of("p"), db.queryStrings("SELECT DISTINCT t.relkind::text FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid"
                + " JOIN pg_class t ON t.oid = d.refobjid WHERE r.ev_class = 'app.recent_logs'::regclass AND t.relname = 'logs'"),
                "once the role owns it, it follows the table");
        assertEquals(List.of("p"), db.queryStrings("SELECT DISTINCT t.relkind::text FROM pg_depend d JOIN pg_policy p ON p.oid = d.objid"
                + " JOIN pg_class t ON t.oid = d.refobjid WHERE p.polname = 'logged' AND t.relname = 'logs'"), "so does the policy");
    }

    private static io.github.partitionmaven.plan.Step copyStep(PartitionPlan plan) {
        return plan.tables().get(0).steps().stream().filter(st -> st.action().startsWith("copy the rows")).findFirst().orElseThrow();
    }
}
