package io.github.partitionmaven.partman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.catalog.ExternalManagers;
import io.github.partitionmaven.catalog.ExternalManagers.PartmanConfig;
import io.github.partitionmaven.check.CheckReport;
import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.execute.ConnectionSettings;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.testing.DebianPostgres;
import io.github.partitionmaven.testing.Engines.RecordingLog;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin beside a real pg_partman (Debian's postgresql-15-partman on Debian's PostgreSQL 15), installed in a
 * schema of its own ("tools", not the usual "partman") to prove the part_config is found wherever it lives.
 */
class PartmanTest {

    private static DebianPostgres pg;
    private static int databases;

    @BeforeAll
    static void start() throws Exception {
        DebianPostgres.assumePartmanAvailable();
        pg = DebianPostgres.start(Map.of());
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    /** A database with pg_partman in schema tools managing measurements (daily) and events (monthly, 6 months retention). */
    private static String managed() throws SQLException {
        String url = pg.createDatabase("partman_" + ++databases);
        exec(url, "CREATE SCHEMA tools", "CREATE EXTENSION pg_partman SCHEMA tools",
                "CREATE TABLE public.measurements (id bigint NOT NULL, ts timestamptz NOT NULL) PARTITION BY RANGE (ts)",
                "SELECT tools.create_parent('public.measurements', 'ts', 'native', 'daily', p_premake := 2)",
                "CREATE TABLE public.events (id bigint NOT NULL, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)",
                "SELECT tools.create_parent('public.events', 'created_at', 'native', 'monthly', p_premake := 3)",
                "UPDATE tools.part_config SET retention = '6 months', retention_keep_table = false WHERE parent_table = 'public.events'");
        return url;
    }

    private static Connection connect(String url) throws SQLException {
        return java.sql.DriverManager.getConnection(url, DebianPostgres.SUPERUSER, null);
    }

    /** Runs {@code statements} in one session, as the superuser. */
    private static void exec(String url, String... statements) throws SQLException {
        try (Connection c = connect(url); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static PartitionEngine engine(String url, RecordingLog log, TableSpec... specs) {
        RunSettings settings = PolicyReader.settings("UTC", null, "300ms", 3, Clock.systemUTC());
        return new PartitionEngine(new ConnectionSettings(url, DebianPostgres.SUPERUSER, null, null), settings,
                specs.length == 0 ? List.of() : PolicyReader.tables(Arrays.asList(specs), settings), log);
    }

    private static TableSpec measurements() {
        return new TableSpec("measurements", "ts", "day", 2, null, "30 days", null, null);
    }

    /** Partitions with bounds and part_config: what must not change when the plugin refuses. */
    private static String state(String url) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT i.inhparent::regclass || ' ' || i.inhrelid::regclass || ' ' || pg_get_expr(r.relpartbound, r.oid)"
                     + " FROM pg_inherits i JOIN pg_class r ON r.oid = i.inhrelid"
                     + " UNION ALL SELECT 'config ' || parent_table || ' ' || premake || ' ' || coalesce(retention, '-') FROM tools.part_config"
                     + " UNION ALL SELECT 'table ' || oid::regclass FROM pg_class WHERE relnamespace = 'tools'::regnamespace AND relkind = 'r'"
                     + " ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return String.join("\n", out);
    }

    @Test
    void premakeAndPruneRefuseAPartmanTableNamingBothWaysForward() throws Exception {
        String url = managed();
        String before = state(url);
        for (Goal goal : List.of(Goal.PREMAKE, Goal.PRUNE)) {
            PartitionException e = assertThrows(PartitionException.class, () -> engine(url, new RecordingLog(), measurements()).apply(goal));
            assertEquals(PartitionException.Kind.CONFIGURATION, e.kind());
            assertTrue(e.getMessage().startsWith("\"public\".\"measurements\" is managed by pg_partman 4.7.2 (public.measurements in \"tools\".\"part_config\""),
                    e.getMessage());
            assertTrue(e.getMessage().contains("partition:" + goal.goalName() + " would fight its maintenance")
                    && e.getMessage().contains("leave it to pg_partman") && e.getMessage().contains("-Dpartition.handOver=true")
                    && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
        }
        assertEquals(before, state(url), "refused before any change");
    }

    @Test
    void planShowsWhyThereAreNoStepsAndCheckStillReportsTheTable() throws Exception {
        String url = managed();
        PartitionPlan plan = engine(url, new RecordingLog(), measurements()).plan(Goal.POLICY_GOALS);
        assertEquals(List.of(), plan.steps());
        assertTrue(plan.tables().get(0).findings().get(0).message().contains("is managed by pg_partman (\"tools\".\"part_config\")"),
                plan.tables().get(0).findings().toString());

        RecordingLog log = new RecordingLog();
        CheckReport report = engine(url, log, measurements()).check(CheckThresholds.DEFAULTS);
        assertEquals(1, report.tables().size());
        assertTrue(report.tables().get(0).state().partitions().size() >= 5, "checked like any table");
        assertTrue(log.text().contains("\"public\".\"measurements\" is managed by pg_partman (\"tools\".\"part_config\", premake 2"), log.text());
    }

    @Test
    void importPrintsTheEquivalentConfigurationAndHandOverKeepsEveryPartition() throws Exception {
        String url = managed();
        PartitionEngine engine = engine(url, new RecordingLog());
        ExternalManagers managers = engine.externalManagers();
        assertEquals("tools", managers.partmanSchema().orElseThrow());
        StringBuilder xml = new StringBuilder();
        for (PartmanConfig c : managers.partman().values()) {
            xml.append(PartmanImport.tableXml(c, managers.partmanVersion()));
        }
        System.out.println(xml);
        assertTrue(xml.toString().contains("<table>\n  <name>public.events</name>\n  <column>created_at</column>\n  <interval>month</interval>\n"
                + "  <premake>3</premake>\n  <retention>6 months</retention>\n  <retentionMode>drop</retentionMode>\n</table>"), xml.toString());
        assertTrue(xml.toString().contains("<name>public.measurements</name>\n  <column>ts</column>\n  <interval>day</interval>\n"
                + "  <premake>2</premake>\n</table>"), xml.toString());

        String partitions = state(url).lines().filter(l -> l.startsWith("public.events ") || l.startsWith("events ")).toList().toString();
        engine.apply(PartmanImport.handOver(List.of(TableName.parse("public.events"))));
        String after = state(url);
        assertEquals(partitions, after.lines().filter(l -> l.startsWith("public.events ") || l.startsWith("events ")).toList().toString(),
                "every partition kept");
        assertTrue(!after.contains("config public.events") && after.contains("config public.measurements"), after);
        assertTrue(!after.contains("template_public_events") && after.contains("template_public_measurements"), after);

        // Now the plugin's: premake runs for events; measurements is still pg_partman's.
        TableSpec events = new TableSpec("events", "created_at", "month", 3, null, "6 months", null, null);
        engine(url, new RecordingLog(), events).apply(Goal.PREMAKE);
        PartitionException e = assertThrows(PartitionException.class, () -> engine(url, new RecordingLog(), events, measurements())
                .apply(Goal.PREMAKE));
        assertTrue(e.getMessage().contains("\"public\".\"measurements\" is managed by pg_partman"), e.getMessage());
    }

    @Test
    void anEpochTableOfPartmanIsImportedWithItsUnitAndThePluginKeepsItsIntegerBounds() throws Exception {
        String url = managed();
        exec(url, "SET TIME ZONE 'UTC'", "CREATE TABLE public.logins (id bigint NOT NULL, at_ms bigint NOT NULL) PARTITION BY RANGE (at_ms)",
                "SELECT tools.create_parent('public.logins', 'at_ms', 'native', 'monthly', p_premake := 2, p_epoch := 'milliseconds')");
        PartitionEngine engine = engine(url, new RecordingLog());
        PartmanConfig logins = engine.externalManagers().partman().values().stream().filter(c -> c.parentTable().equals("public.logins"))
                .findFirst().orElseThrow();
        String xml = PartmanImport.tableXml(logins, engine.externalManagers().partmanVersion());
        assertTrue(xml.contains("  <column>at_ms</column>\n  <epochUnit>milliseconds</epochUnit>\n  <interval>month</interval>\n"), xml);

        String before = state(url).lines().filter(l -> l.startsWith("logins ")).toList().toString();
        engine.apply(PartmanImport.handOver(List.of(TableName.parse("public.logins"))));
        TableSpec spec = new TableSpec("logins", "at_ms", "month", 4, null, null, null, null).withEpochUnit("milliseconds");
        CheckReport r = engine(url, new RecordingLog(), spec).check(CheckThresholds.DEFAULTS);
        assertTrue(r.findings().stream().noneMatch(f -> f.message().contains("gap") || f.message().contains("misaligned")),
                r.findings().toString());
        PartitionPlan premade = engine(url, new RecordingLog(), spec).apply(Goal.PREMAKE);
        assertEquals(2, premade.steps().size(), "premake 4 where pg_partman kept 2: " + premade.steps());
        List<String> after = state(url).lines().filter(l -> l.startsWith("logins ")).toList();
        assertTrue(after.containsAll(before.isEmpty() ? List.of() : List.of(before.substring(1, before.length() - 1).split(", "))),
                "pg_partman's partitions kept: " + after);
        assertTrue(after.stream().allMatch(l -> l.matches("logins \\S+ FOR VALUES FROM \\('\\d+'\\) TO \\('\\d+'\\)")
                || l.endsWith("DEFAULT")), after.toString());
    }

    @Test
    void handOverOfATablePartmanDoesNotManageIsRefused() throws Exception {
        String url = managed();
        String before = state(url);
        PartitionException e = assertThrows(PartitionException.class,
                () -> engine(url, new RecordingLog()).apply(PartmanImport.handOver(List.of(TableName.parse("public.nothing")))));
        assertTrue(e.getMessage().startsWith("\"public\".\"nothing\" is not in \"tools\".\"part_config\" (it has: public.events, public.measurements)")
                && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
        assertEquals(before, state(url));
    }

    @Test
    void aUserWhoCannotReadPartConfigIsToldWhatToGrant() throws Exception {
        String url = managed();
        exec(url, "DO $$ BEGIN CREATE ROLE app_migrator LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                "GRANT ALL ON ALL TABLES IN SCHEMA public TO app_migrator");
        RunSettings settings = PolicyReader.settings("UTC", null, "300ms", 3, Clock.systemUTC());
        PartitionEngine engine = new PartitionEngine(new ConnectionSettings(url, "app_migrator", null, null), settings,
                PolicyReader.tables(List.of(measurements()), settings), new RecordingLog());
        PartitionException e = assertThrows(PartitionException.class, () -> engine.plan(Goal.POLICY_GOALS));
        assertTrue(e.getMessage().startsWith("pg_partman 4.7.2 is installed in schema tools, but this user cannot read \"tools\".\"part_config\"")
                && e.getMessage().contains("GRANT USAGE ON SCHEMA \"tools\"") && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
    }
}
