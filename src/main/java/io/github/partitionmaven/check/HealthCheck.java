package io.github.partitionmaven.check;

import io.github.partitionmaven.catalog.PruneMarks;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.TableName;
import java.util.Map;
import io.github.partitionmaven.catalog.Catalog;
import io.github.partitionmaven.catalog.CatalogReader;
import io.github.partitionmaven.catalog.TableState;
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
        Map<TableName, List<PruneMarks.Unfinished>> unfinished = PruneMarks.unfinished(c);
        List<TableHealth> tables = new ArrayList<>();
        Map<TableName, UnfinishedConversion> conversions = UnfinishedConversion.read(c, catalog);
        for (TablePolicy policy : policies) {
            TableState state = catalog.table(policy.table());
            TableHealth h = analyzer.analyze(policy, state, statements.forTable(policy.table()),
                    state.name() == null ? List.of() : unfinished.getOrDefault(state.name(), List.of()));
            UnfinishedConversion u = state.name() == null ? null : conversions.get(state.name());
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
