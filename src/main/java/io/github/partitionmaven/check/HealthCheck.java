package io.github.partitionmaven.check;

import io.github.partitionmaven.catalog.Catalog;
import io.github.partitionmaven.catalog.CatalogReader;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.RetentionRule;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine of {@code partition:check}: one catalog pass for all tables, one pg_stat_statements
 * query, one query for tables prune left unfinished, then each table judged in memory. Read-only: it takes no locks beyond catalog reads.
 */
public final class HealthCheck {

    private final CheckThresholds thresholds;

    public HealthCheck(CheckThresholds thresholds) {
        this.thresholds = thresholds;
    }

    /** Tables prune detached and marked but has not finished with, by the parent their marker names: one query for all tables. */
    private static Map<TableName, List<TableName>> unfinishedPrunes(Connection c) throws SQLException {
        Map<TableName, List<TableName>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname, c.relname, d.description FROM pg_description d"
                + " JOIN pg_class c ON c.oid = d.objoid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE d.classoid = 'pg_class'::regclass AND d.objsubid = 0 AND c.relkind = 'r' AND NOT c.relispartition"
                + " AND starts_with(d.description, ?) ORDER BY 1, 2")) {
            ps.setString(1, RetentionRule.DETACHED_MARKER_PREFIX);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String rest = rs.getString(3).substring(RetentionRule.DETACHED_MARKER_PREFIX.length());
                    int end = rest.indexOf("; range micros");
                    if (end > 0) {
                        out.computeIfAbsent(TableName.parse(rest.substring(0, end)), k -> new ArrayList<>())
                                .add(new TableName(rs.getString(1), rs.getString(2)));
                    }
                }
            }
        }
        return out;
    }

    public CheckReport run(Connection c, List<TablePolicy> policies, RunSettings settings) throws SQLException {
        Instant checkedAt = Instant.now();
        long started = System.nanoTime();
        Catalog catalog = CatalogReader.read(c, policies, settings.zone());
        TableHealthAnalyzer analyzer = new TableHealthAnalyzer(thresholds, settings);
        StatementStatistics statements = StatementStatsReader.read(c, catalog.tables(), thresholds.statementsPerTable());
        List<TableHealth> tables = new ArrayList<>();
        Map<TableName, List<TableName>> unfinished = unfinishedPrunes(c);
        for (TablePolicy policy : policies) {
            TableState state = catalog.table(policy.table());
            TableHealth t = analyzer.analyze(policy, state, statements.forTable(policy.table()));
            // the marker names the parent schema-qualified, as the catalog resolved it
            List<TableName> left = state.name() == null ? List.of() : unfinished.getOrDefault(state.name(), List.of());
            if (!left.isEmpty()) {
                List<HealthFinding> findings = new ArrayList<>(t.findings());
                String mode = policy.retention().map(r -> r.mode().name().toLowerCase(java.util.Locale.ROOT)).orElse("none");
                left.forEach(d -> findings.add(new UnfinishedPrune(state.name(), d, mode)));
                t = new TableHealth(t.policy(), t.state(), t.coverage(), t.overdue(), t.statements(), findings);
            }
            tables.add(t);
        }
        return new CheckReport(catalog.server(), settings, thresholds, tables, statements, checkedAt,
                Duration.ofNanos(System.nanoTime() - started));
    }
}
