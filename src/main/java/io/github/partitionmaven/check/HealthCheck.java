package io.github.partitionmaven.check;

import io.github.partitionmaven.catalog.Catalog;
import io.github.partitionmaven.catalog.CatalogReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TablePolicy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine of {@code partition:check}: one catalog pass for all tables, one pg_stat_statements
 * query, then each table judged in memory. Read-only: it takes no locks beyond catalog reads.
 */
public final class HealthCheck {

    private final CheckThresholds thresholds;

    public HealthCheck(CheckThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public CheckReport run(Connection c, List<TablePolicy> policies, RunSettings settings) throws SQLException {
        Instant checkedAt = Instant.now();
        long started = System.nanoTime();
        Catalog catalog = CatalogReader.read(c, policies, settings.zone());
        TableHealthAnalyzer analyzer = new TableHealthAnalyzer(thresholds, settings);
        StatementStatistics statements = StatementStatsReader.read(c, catalog.tables(), thresholds.statementsPerTable());
        List<TableHealth> tables = new ArrayList<>();
        java.util.Map<io.github.partitionmaven.core.TableName, UnfinishedConversion> unfinished = UnfinishedConversion.read(c, catalog);
        for (TablePolicy policy : policies) {
            TableHealth h = analyzer.analyze(policy, catalog.table(policy.table()), statements.forTable(policy.table()));
            UnfinishedConversion u = h.state().name() == null ? null : unfinished.get(h.state().name());
            if (u != null) {
                List<HealthFinding> findings = new ArrayList<>(h.findings());
                findings.add(u);
                h = new TableHealth(h.policy(), h.state(), h.coverage(), h.overdue(), h.statements(), findings);
            }
            tables.add(h);
        }
        return new CheckReport(catalog.server(), settings, thresholds, tables, statements, checkedAt,
                Duration.ofNanos(System.nanoTime() - started));
    }
}
