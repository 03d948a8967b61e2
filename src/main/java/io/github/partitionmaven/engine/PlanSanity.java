package io.github.partitionmaven.engine;

import io.github.partitionmaven.catalog.Catalog;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.TablePlan;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TablePolicy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Refusals of plans that are legal but almost certainly a mistake, made before any step runs. */
final class PlanSanity {

    /**
     * How far ahead of the server's clock {@code now} may be: a year covers planning next year's partitions today; 2063-12-01
     * (a typo, or a clock gone wrong) would premake 444 months and prune every row as "older than the retention".
     */
    static final Duration MAX_AHEAD = Duration.ofDays(366);
    /** How far behind: a past {@code now} plans less, never more, but ten years back is a typo (0026 for 2026) more than a plan. */
    static final Duration MAX_BEHIND = Duration.ofDays(3653);

    private PlanSanity() {
    }

    /** {@code now} far from the server's clock, unless {@code allowFarNow}; one query. */
    static void refuseFarNow(Connection c, RunSettings settings) throws SQLException {
        if (settings.allowFarNow()) {
            return;
        }
        Instant server;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_catalog.now()")) {
            rs.next();
            server = rs.getTimestamp(1).toInstant();
        }
        Instant now = settings.now().toInstant();
        Duration ahead = Duration.between(server, now);
        if (ahead.compareTo(MAX_AHEAD) > 0 || ahead.negated().compareTo(MAX_BEHIND) > 0) {
            throw PartitionException.configuration("now=" + settings.now().toLocalDateTime() + " is " + Math.abs(ahead.toDays())
                    + " days " + (ahead.isNegative() ? "behind" : "ahead of") + " the server's clock (" + server + "): the plugin plans"
                    + " with a now at most " + MAX_AHEAD.toDays() + " days ahead and " + MAX_BEHIND.toDays() / 365 + " years behind,"
                    + " as premake would create a partition per interval up to it and prune would count every row before it as old."
                    + " Fix <now> (-Dpartition.now), or set <allowFarNow>true</allowFarNow> if that is really meant. "
                    + PartitionException.NOTHING_CHANGED);
        }
    }

    /** One table configured twice under different spellings ({@code ev} and {@code public.ev}): only the catalog can tell. */
    static void refuseTwice(List<TablePolicy> policies, Catalog catalog) {
        Map<TableName, TableName> seen = new HashMap<>();
        for (TablePolicy policy : policies) {
            TableState state = catalog.table(policy.table());
            if (state.oid() == 0 || state.name() == null) {
                continue;
            }
            TableName first = seen.putIfAbsent(state.name(), policy.table());
            if (first != null) {
                throw PartitionException.configuration("<table>" + first + "</table> and <table>" + policy.table() + "</table> are the"
                        + " same table " + state.name() + ": keep one <table> for it (two policies would fight over its partitions). "
                        + PartitionException.NOTHING_CHANGED);
            }
        }
    }

    /**
     * A premake that would create more partitions of one table in one run than ten years of intervals plus the premake
     * window: a gap that large is a clock or {@code now} mistake, not a schedule. Convert is not bounded: it covers the rows
     * that exist.
     */
    static void refuseAbsurd(List<TablePlan> plans, RunSettings settings) {
        if (settings.allowFarNow()) {
            return;
        }
        for (TablePlan plan : plans) {
            long created = plan.steps().stream().filter(s -> s.goal() == Goal.PREMAKE).mapToLong(s -> s.creates().size()).sum();
            long bound = plan.policy().interval().maxPremake() + plan.policy().premake();
            if (created > bound) {
                throw PartitionException.configuration("premake would create " + created + " partitions of " + plan.policy().table()
                        + " in one run, more than ten years of " + plan.policy().interval().unit() + "s plus <premake> (" + bound
                        + "): check <now> and the server's clock, or set <allowFarNow>true</allowFarNow> if that is really meant. "
                        + PartitionException.NOTHING_CHANGED);
            }
        }
    }
}
