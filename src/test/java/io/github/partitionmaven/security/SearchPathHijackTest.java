package io.github.partitionmaven.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.convert.ConvertPlanner;
import io.github.partitionmaven.convert.RollbackPlanner;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.engine.Planners;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.premake.PremakePlanner;
import io.github.partitionmaven.prune.ArchiveRestore;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CVE-2018-1058 against the plugin: an unprivileged role plants, in {@code public}, a copy of every pg_catalog function the
 * plugin's SQL names (found by scanning the main sources), and the database puts {@code public} before pg_catalog on the
 * path, so every unqualified call in a session that trusts the path would run the copy. Each copy bumps a sequence, which
 * no rollback undoes. Every goal then runs; the sequence must not move.
 */
@DatabaseTest
class SearchPathHijackTest {

    private static final Pattern CALL = Pattern.compile("\\b([a-z_][a-z0-9_]*)\\s*\\(");
    private static final String HIJACKER = "partition_hijacker";

    @TempDir
    Path archives;

    @Test
    void noGoalCallsAFunctionPlantedInPublicByAnotherRole() throws Exception {
        TestDb convertDb = TestDb.fresh(getClass());
        convertDb.exec(Seed.plainTables().toArray(String[]::new));
        convertDb.exec(Seed.rows(20, 2_000, LocalDate.of(2025, 12, 3), LocalDate.of(2026, 11, 20)).toArray(String[]::new));
        TestDb pruneDb = TestDb.fresh(getClass());
        pruneDb.exec(Seed.partitionedTables(YearMonth.of(2025, 10), YearMonth.of(2026, 9)).toArray(String[]::new));
        pruneDb.exec(Seed.rows(20, 3_000, LocalDate.of(2025, 10, 1), LocalDate.of(2026, 8, 1)).toArray(String[]::new));
        pruneDb.exec("ANALYZE");

        Set<String> called = functionsInMainSql(convertDb);
        assertTrue(called.containsAll(List.of("hashtext", "to_regclass", "pg_try_advisory_lock", "pg_get_expr", "format_type")), called.toString());
        int planted = plant(convertDb, called);
        plant(pruneDb, called);
        assertTrue(planted > called.size(), "planted " + planted + " copies of " + called.size() + " functions");
        System.out.println("SearchPathHijackTest: planted " + planted + " hijack functions for " + called.size() + " names: " + called);
        assertEquals(0, calls(convertDb), "the plant itself calls nothing");

        ConvertOptions copy = ConvertOptions.DEFAULTS.withBatchSize(500);
        List<Planner> convertPlanners = List.of(new ConvertPlanner(copy), new RollbackPlanner(copy), new PremakePlanner());
        TableSpec chat = Engines.month("chat_history");
        engine(convertDb, "2026-11-24", convertPlanners, chat).plan(Set.of(Goal.CONVERT));
        engine(convertDb, "2026-11-24", convertPlanners, chat).apply(Goal.CONVERT);
        engine(convertDb, "2026-11-24", convertPlanners, chat).apply(Goal.ROLLBACK);
        ConvertOptions attach = copy.withStrategy(ConvertOptions.Strategy.ATTACH);
        List<Planner> attachPlanners = List.of(new ConvertPlanner(attach), new RollbackPlanner(attach), new PremakePlanner());
        engine(convertDb, "2026-11-24", attachPlanners, chat).apply(Goal.CONVERT);
        engine(convertDb, "2026-11-24", attachPlanners, chat).apply(Goal.ROLLBACK);
        assertEquals(0, calls(convertDb), "convert and rollback (copy and attach) called a planted function");

        List<Planner> prune = Planners.standard(new PruneOptions(archives, PruneOptions.Compression.GZIP, 1, "test"));
        pruneDb.exec("CREATE SCHEMA kept");
        // now - 8, 7, 6 months: October goes by drop, November by detach, December by archive
        engine(pruneDb, "2026-07-01", prune, retained("8 months", "drop", null)).apply(Goal.PRUNE);
        engine(pruneDb, "2026-07-01", prune, retained("7 months", "detach", "kept")).apply(Goal.PRUNE);
        engine(pruneDb, "2026-07-01", prune, retained("6 months", "archive", null)).apply(Goal.PRUNE);
        engine(pruneDb, "2026-07-01", prune, retained("6 months", "archive", null))
                .apply(ArchiveRestore.planner(archives.resolve("public.chat_history_2025_12.manifest.json"), Optional.of(
                        io.github.partitionmaven.core.TableName.parse("public.restored_december"))));
        engine(pruneDb, "2026-07-01", prune, Engines.month("cost_tracking")).apply(Goal.PREMAKE);
        engine(pruneDb, "2026-07-01", prune, Engines.month("cost_tracking"), retained("6 months", "archive", null))
                .plan(Set.of(Goal.PREMAKE, Goal.PRUNE));
        engine(pruneDb, "2026-07-01", prune, Engines.month("cost_tracking"), retained("6 months", "archive", null))
                .check(CheckThresholds.DEFAULTS);
        assertEquals(0, calls(pruneDb), "prune (drop, detach, archive), restore, premake, plan or check called a planted function");
        assertTrue(pruneDb.queryLong("SELECT count(*) FROM public.restored_december") > 0, "the goals did run");

        // the control: a session that trusts the path runs the plant
        try (Connection c = trusting(pruneDb); Statement s = c.createStatement()) {
            s.execute("SELECT hashtext('x'::varchar), to_regclass('x'::varchar)");
        }
        assertEquals(2, calls(pruneDb), "the planted functions are live for a session that trusts the path");
    }

    private static TableSpec retained(String retention, String mode, String schema) {
        return new TableSpec("chat_history", "created_at", "month", null, null, retention, mode, schema);
    }

    private static PartitionEngine engine(TestDb db, String now, List<Planner> planners, TableSpec... tables) {
        RunSettings settings = PolicyReader.settings("UTC", now, "2s", 3, Clock.systemUTC());
        return new PartitionEngine(db.settings(), settings, PolicyReader.tables(Arrays.asList(tables), settings), planners,
                new Engines.RecordingLog());
    }

    /** Every name written as {@code name(} in the main sources that is also a plain function in pg_catalog. */
    static Set<String> functionsInMainSql(TestDb db) {
        Set<String> words = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = CALL.matcher(Files.readString(f));
                while (m.find()) {
                    words.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> out = new TreeSet<>(db.queryStrings("SELECT DISTINCT proname::text FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace"
                + " AND prokind = 'f' AND proname::text = ANY ('{" + String.join(",", words) + "}'::text[])"));
        return out;
    }

    /**
     * As an unprivileged role, a copy in {@code public} of every overload of each function (and a varchar variant of the
     * text ones the issue names), then {@code public} first on the database's path. Overloads PL/pgSQL cannot declare
     * (arguments of type "any" or internal) are left out: they cannot be planted by anyone without C functions.
     */
    static int plant(TestDb db, Set<String> functions) throws SQLException {
        db.exec("DO $$ BEGIN CREATE ROLE " + HIJACKER + " NOSUPERUSER NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                "GRANT CREATE, USAGE ON SCHEMA public TO " + HIJACKER, "GRANT " + HIJACKER + " TO CURRENT_USER");
        List<String> ddl = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("SET ROLE " + HIJACKER);
            s.execute("CREATE SEQUENCE public.hijack_calls");
            s.execute("GRANT USAGE, UPDATE ON SEQUENCE public.hijack_calls TO PUBLIC");
            try (ResultSet rs = s.executeQuery("SELECT p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),"
                    + " p.proretset OR p.proallargtypes IS NOT NULL OR p.prorettype = 'void'::regtype"
                    + " FROM pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind = 'f'"
                    + " AND p.proname::text = ANY ('{" + String.join(",", functions) + "}'::text[])")) {
                while (rs.next()) {
                    ddl.add(function(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)));
                }
            }
            for (String name : List.of("hashtext", "to_regclass", "to_regtype")) {
                ddl.add(function(name, "varchar", "integer", false).replace("RETURNS integer", "RETURNS "
                        + (name.equals("hashtext") ? "integer" : name.equals("to_regclass") ? "regclass" : "regtype")));
            }
            ddl.add(function("hashtextextended", "varchar, bigint", "bigint", false));
            int planted = 0;
            for (String sql : ddl) {
                try {
                    s.execute(sql);
                    planted++;
                } catch (SQLException refused) {
                    // "any", internal, cstring...: not declarable in PL/pgSQL
                }
            }
            s.execute("RESET ROLE");
            s.execute("ALTER DATABASE " + db.name() + " SET search_path = public, pg_catalog");
            return planted;
        }
    }

    private static String function(String name, String args, String result, boolean bareReturn) {
        return "CREATE FUNCTION public." + name + "(" + args + ") RETURNS " + result + " LANGUAGE plpgsql AS $hijack$ BEGIN"
                + " PERFORM pg_catalog.nextval('public.hijack_calls'); RETURN" + (bareReturn ? "" : " NULL") + "; END $hijack$";
    }

    /** How often any planted function ran. */
    static long calls(TestDb db) throws SQLException {
        try (Connection c = trusting(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM public.hijack_calls")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A session that keeps the database's path, as a careless client would. */
    private static Connection trusting(TestDb db) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", db.settings().user());
        if (db.settings().password() != null) {
            p.setProperty("password", db.settings().password());
        }
        return DriverManager.getConnection(db.url(), p);
    }
}
