package io.github.partitionmaven.engine;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.catalog.Catalog;
import io.github.partitionmaven.catalog.CatalogReader;
import io.github.partitionmaven.catalog.ExternalManagers;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.execute.ConnectionSettings;
import io.github.partitionmaven.execute.Connections;
import io.github.partitionmaven.execute.PoolerProbe;
import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.execute.StepExecutor;
import io.github.partitionmaven.execute.TableLock;
import io.github.partitionmaven.check.CheckReport;
import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.check.HealthCheck;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.InputPlanner;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.plan.ReviewedPlan;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.plan.TablePlan;
import io.github.partitionmaven.plan.TableRequirements;
import io.github.partitionmaven.premake.PremakePlanner;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.policy.TablePolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one entry point of the engine: reads the catalog, plans, and applies. {@link #plan} changes
 * nothing; {@link #apply} plans every table first (so bad input fails before any change), then per
 * table takes the advisory lock, plans again from fresh catalog state and runs exactly those steps.
 */
public final class PartitionEngine {

    /** How long a run waits for another run of the plugin on the same table. */
    public static final Duration TABLE_LOCK_WAIT = Duration.ofMinutes(10);

    private final ConnectionSettings connection;
    private final RunSettings settings;
    private final List<TablePolicy> tables;
    private final List<Planner> planners;
    private final EngineLog log;

    /** @param planners the planners of every goal, in the order their steps run (see {@link Planners}) */
    public PartitionEngine(ConnectionSettings connection, RunSettings settings, List<TablePolicy> tables, List<Planner> planners,
                           EngineLog log) {
        this.connection = connection;
        this.settings = settings;
        this.tables = List.copyOf(tables);
        this.planners = List.copyOf(planners);
        this.log = log;
    }

    public PartitionEngine(ConnectionSettings connection, RunSettings settings, List<TablePolicy> tables, EngineLog log) {
        this(connection, settings, tables, Planners.standard(), log);
    }

    public List<TablePolicy> tables() {
        return tables;
    }

    public EngineLog log() {
        return log;
    }

    public RunSettings settings() {
        return settings;
    }

    /** What an applying goal does on a standby. */
    public enum OnStandby {
        /** Refuse, naming pg_is_in_recovery() (the default: a release pipeline that reached a standby must not pass). */
        FAIL,
        /** Do nothing and say so: for schedules that run against every node of a cluster. */
        SKIP
    }

    /** The same engine with another choice for standbys. */
    public PartitionEngine onStandby(OnStandby choice) {
        PartitionEngine e = new PartitionEngine(connection, settings, tables, planners, log);
        e.onStandby = choice;
        return e;
    }

    private OnStandby onStandby = OnStandby.FAIL;
    private volatile boolean sessionsChecked;

    /**
     * A session set up for the plugin. The first one of an engine is preceded by the pooler probe: under transaction pooling
     * the SETs of the session would already leak into other clients' server connections.
     */
    public Connection open() {
        if (!sessionsChecked) {
            synchronized (this) {
                if (!sessionsChecked) {
                    PoolerProbe.requireRealSessions(connection);
                    sessionsChecked = true;
                }
            }
        }
        return Connections.open(connection, settings);
    }

    /** The plan of the given goals for every configured table, with what the pre-flight found as findings. */
    public PartitionPlan plan(Set<Goal> goals) {
        try (Connection c = open()) {
            PartitionPlan p = plan(c, goals, tables);
            return withPreflight(p, Preflight.read(c, p.steps()), String.join("/", goals.stream().sorted().map(Goal::goalName).toList()));
        } catch (SQLException e) {
            throw failure("read the catalog", e);
        }
    }

    /** The pre-flight's findings on the tables whose steps they concern; server-wide ones on the first table with steps. */
    private static PartitionPlan withPreflight(PartitionPlan p, Preflight pre, String goals) {
        List<TablePlan> out = new ArrayList<>();
        boolean first = true;
        for (TablePlan t : p.tables()) {
            if (t.steps().isEmpty()) {
                out.add(t);
                continue;
            }
            List<Finding> f = new ArrayList<>(t.findings());
            if (first) {
                pre.overrideNotes().forEach(n -> f.add(Finding.info(n)));
            }
            f.addAll(pre.findings(t.state().name(), goals, first));
            first = false;
            out.add(new TablePlan(t.policy(), t.state(), t.steps(), f));
        }
        return new PartitionPlan(p.server(), p.settings(), out);
    }

    /**
     * Before any change, after {@link #primaryOrSkip}: the plan's steps are checked against the
     * role's privileges and the session's settings, and refused, all that is missing in one message.
     */
    private void preflight(Connection c, Goal goal, List<Step> steps) throws SQLException {
        if (steps.isEmpty()) {
            return;
        }
        Preflight pre = Preflight.read(c, steps);
        pre.requireApplicable(goal.goalName());
        pre.overrideNotes().forEach(log::info);
    }

    /** True when the goal may go on; false (said in the log) when this is a standby and {@link OnStandby#SKIP} was asked. */
    private boolean primaryOrSkip(Connection c, Goal goal) throws SQLException {
        if (!Preflight.standby(c)) {
            return true;
        }
        if (onStandby == OnStandby.SKIP) {
            log.info("The server is a standby (pg_catalog.pg_is_in_recovery() is true): partition:" + goal.goalName() + " skipped, as"
                    + " -Dpartition.onStandby=skip asks. " + PartitionException.NOTHING_CHANGED);
            return false;
        }
        throw PartitionException.environment(Preflight.standbyMessage(goal.goalName()), null);
    }

    /** Runs the steps of one goal; returns the plan that was executed (steps of other goals left out). */
    public PartitionPlan apply(Goal goal) {
        return apply(goal, ReviewedPlan.NONE);
    }

    /**
     * Runs the steps of one goal, refusing when they differ from the {@code reviewed} plan: compared for every table
     * before anything runs, and again for each table under its lock, on the plan that then runs.
     */
    public PartitionPlan apply(Goal goal, ReviewedPlan reviewed) {
        try (Connection c = open()) {
            if (!primaryOrSkip(c, goal)) {
                return new PartitionPlan(CatalogReader.server(c), settings, List.of());
            }
            PartitionPlan whole = plan(c, Set.of(goal), tables);
            preflight(c, goal, whole.steps());
            reviewed.requireSame(goal, whole.tables(), true, "");
            if (reviewed.isPresent()) {
                log.info("The " + goal.goalName() + " plan matches the reviewed plan: " + whole.steps().size() + " step(s).");
            }
            List<TablePlan> executed = new ArrayList<>();
            StepExecutor executor = new StepExecutor(c, this::open, settings, log);
            for (TablePlan first : whole.tables()) {
                if (first.steps().isEmpty()) {
                    executed.add(first);
                    continue;
                }
                TablePlan[] fresh = new TablePlan[1];
                String appliedBefore = String.join(", ", executed.stream().filter(t -> !t.steps().isEmpty())
                        .map(t -> t.state().name() + " (" + t.steps().size() + " step(s))").toList());
                runLocked(c, executor, first.state().name(), () -> {
                    fresh[0] = plan(c, Set.of(goal), List.of(first.policy())).tables().get(0);
                    reviewed.requireSame(goal, List.of(fresh[0]), false, appliedBefore);
                    return fresh[0].steps();
                });
                executed.add(fresh[0]);
            }
            return new PartitionPlan(whole.server(), settings, executed);
        } catch (SQLException e) {
            throw failure("apply " + goal.goalName(), e);
        }
    }

    /** The steps of a goal driven by its own input; changes nothing. */
    public List<Step> plan(InputPlanner planner) {
        try (Connection c = open()) {
            return planner.plan(c);
        } catch (SQLException e) {
            throw failure("plan " + planner.goal().goalName(), e);
        }
    }

    /** Runs a goal driven by its own input: planned once (bad input fails before any change), then again under each table's lock. */
    public List<Step> apply(InputPlanner planner) {
        try (Connection c = open()) {
            if (!primaryOrSkip(c, planner.goal())) {
                return List.of();
            }
            List<Step> first = planner.plan(c);
            preflight(c, planner.goal(), first);
            List<Step> executed = new ArrayList<>();
            StepExecutor executor = new StepExecutor(c, this::open, settings, log);
            for (TableName table : first.stream().map(Step::table).distinct().toList()) {
                executed.addAll(runLocked(c, executor, table, () -> planner.plan(c).stream().filter(s -> s.table().equals(table)).toList()));
            }
            return executed;
        } catch (SQLException e) {
            throw failure("apply " + planner.goal().goalName(), e);
        }
    }

    /** The tables other partition managers (pg_partman, TimescaleDB) manage in this database; changes nothing. */
    public ExternalManagers externalManagers() {
        try (Connection c = open()) {
            return ExternalManagers.read(c);
        } catch (SQLException e) {
            throw failure("read pg_partman's and TimescaleDB's catalogs", e);
        }
    }

    /** The report of {@code partition:check} for every configured table; changes nothing. */
    public CheckReport check(CheckThresholds thresholds) {
        return check(thresholds, ConvertOptions.DEFAULT_OLD_TABLE_NAME);
    }

    /** {@code oldTableName}: what partition:convert renamed the tables it replaced to, {@code <oldTableName>}. */
    public CheckReport check(CheckThresholds thresholds, String oldTableName) {
        try (Connection c = open()) {
            // validated and defaulted as partition:convert reads it
            CheckReport report = new HealthCheck(thresholds, ConvertOptions.of(null, false, oldTableName, null, null).oldTableName())
                    .run(c, tables, settings);
            ExternalManagers managers = ExternalManagers.read(c);
            for (var t : report.tables()) {
                // Reported like any table: a pg_partman table that runs out of partitions needs attention all the same.
                managers.partman(t.state().oid()).ifPresent(p -> log.info(t.state().name() + " is managed by pg_partman ("
                        + managers.partConfig() + ", premake " + p.premake() + ", retention " + p.retention().orElse("none")
                        + "): checked here; partition:premake and partition:prune leave it to pg_partman."));
                managers.hypertable(t.state().oid()).ifPresent(h -> log.warn(t.state().name() + " is a TimescaleDB hypertable: its"
                        + " chunks are not declarative partitions, the findings above do not apply to it."));
            }
            return report;
        } catch (SQLException e) {
            throw failure("read the catalog for partition:check", e);
        }
    }

    /** Under the table's advisory lock (one run of the plugin per table at a time), plans afresh and runs those steps. */
    private List<Step> runLocked(Connection c, StepExecutor executor, TableName table, FreshSteps fresh) throws SQLException {
        try (TableLock ignored = TableLock.acquire(c, table, TABLE_LOCK_WAIT, log)) {
            List<Step> steps = fresh.plan();
            int n = 0;
            for (Step step : steps) {
                n++;
                log.info("[" + n + "/" + steps.size() + "] " + step.table() + ": " + step.action());
                long started = System.nanoTime();
                executor.run(step);
                log.info("      done in " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
            }
            return steps;
        }
    }

    @FunctionalInterface
    private interface FreshSteps {
        List<Step> plan() throws SQLException;
    }

    private PartitionPlan plan(Connection c, Set<Goal> goals, List<TablePolicy> policies) throws SQLException {
        PlanSanity.refuseFarNow(c, settings);
        Catalog catalog = CatalogReader.read(c, policies, settings.zone(), CatalogReader.Sizes.ESTIMATED);
        PlanSanity.refuseTwice(policies, catalog);
        ExternalManagerGuard guard = new ExternalManagerGuard(ExternalManagers.read(c));
        for (TablePolicy policy : policies) {
            TableState state = catalog.table(policy.table());
            guard.refuseHypertable(state);
            if (goals.size() == 1) {
                Goal goal = goals.iterator().next();
                if (ExternalManagerGuard.partmanOwns(goal)) {
                    guard.partman(state).ifPresent(config -> {
                        throw guard.partmanRefusal(state, config, goal);
                    });
                }
            }
        }
        List<Planner> prepared = new ArrayList<>();
        for (Planner planner : planners) {
            if (goals.contains(planner.goal())) {
                prepared.add(planner.prepare(c, catalog, policies, settings));
            }
        }
        List<TablePlan> plans = new ArrayList<>();
        for (TablePolicy policy : policies) {
            plans.add(planTable(prepared, policy, catalog.table(policy.table()), goals, guard));
        }
        PlanSanity.refuseAbsurd(plans, settings);
        refuseTakenNames(c, plans);
        return new PartitionPlan(catalog.server(), settings, plans);
    }

    private TablePlan planTable(List<Planner> prepared, TablePolicy policy, TableState state, Set<Goal> goals, ExternalManagerGuard guard) {
        TablePlan result = null;
        Optional<ExternalManagers.PartmanConfig> partman = guard.partman(state);
        if (partman.isPresent()) {
            // The whole plan (partition:plan) shows why there are no premake/prune steps instead of refusing every table.
            result = new TablePlan(policy, state, List.of(), List.of(guard.partmanFinding(state, partman.get())));
        }
        for (Planner planner : prepared) {
            if (partman.isPresent() && ExternalManagerGuard.partmanOwns(planner.goal())) {
                continue;
            }
            // A single goal always validates the table for itself; the whole plan skips goals that do not apply.
            if (goals.size() > 1 && !planner.appliesTo(state)) {
                continue;
            }
            TablePlan p = planner.plan(policy, state, settings);
            result = result == null ? p : result.plus(p);
        }
        if (result == null) {
            TableRequirements.requirePartitioned(policy, state);
            result = new TablePlan(policy, state, List.of(), List.of());
        }
        return result;
    }

    /**
     * One query for every relation the plan would create: a name already taken is refused before anything runs.
     * A name that meanwhile became a partition of the same table (a concurrent run made it) is no conflict, nor is a table
     * a premake on Citus created and marked but did not attach yet (a run killed between its two steps).
     * The names are looked up by joining pg_class rather than with to_regclass: to_regclass reads the latest catalog,
     * pg_inherits the statement's snapshot, and a concurrent run committing between the two made a fresh partition
     * look like a stranger.
     */
    private static void refuseTakenNames(Connection c, List<TablePlan> plans) throws SQLException {
        List<String> schemas = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> parents = new ArrayList<>();
        List<String> markers = new ArrayList<>();
        for (Step step : plans.stream().flatMap(p -> p.steps().stream()).toList()) {
            for (TableName created : step.creates()) {
                schemas.add(created.schema());
                names.add(created.name());
                parents.add(step.table().sql());
                markers.add(PremakePlanner.pendingMarker(step.table()));
            }
        }
        if (names.isEmpty()) {
            return;
        }
        String sql = "SELECT x.i FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS x(s, n, p, m, i)"
                + " JOIN pg_namespace ns ON ns.nspname = coalesce(x.s, (" + Sql.USER_SCHEMAS + ")[1]) JOIN pg_class r ON r.relnamespace = ns.oid AND r.relname = x.n"
                + " WHERE NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = r.oid AND i.inhparent = pg_catalog.to_regclass(x.p::pg_catalog.text))"
                + " AND coalesce(pg_catalog.obj_description(r.oid, 'pg_class'), '') <> x.m";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", schemas.toArray()));
            ps.setArray(2, c.createArrayOf("text", names.toArray()));
            ps.setArray(3, c.createArrayOf("text", parents.toArray()));
            ps.setArray(4, c.createArrayOf("text", markers.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                List<String> taken = new ArrayList<>();
                while (rs.next()) {
                    int i = rs.getInt(1) - 1;
                    taken.add(new TableName(schemas.get(i), names.get(i)).sql());
                }
                if (!taken.isEmpty()) {
                    throw PartitionException.databaseState("The plan would create " + String.join(", ", taken) + ", but that name is"
                            + " already used by a relation that is not a partition of the configured table. Rename or drop it,"
                            + " or choose other names (<namePattern> for partitions, <oldTableName> for conversions).");
                }
            }
        }
    }

    private PartitionException failure(String what, SQLException e) {
        return PartitionException.environment("Could not " + what + ": " + connection.redact(e.getMessage()), e);
    }
}
