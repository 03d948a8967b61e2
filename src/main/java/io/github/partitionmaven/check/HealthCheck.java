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
import java.util.Optional;

/**
 * The engine of {@code partition:check}: one catalog pass for all tables, one pg_stat_statements
 * query, then each table judged in memory. Read-only: it takes no locks beyond catalog reads.
 */
public final class HealthCheck {

    private final CheckThresholds thresholds;
    private final String oldTableName;

    /** {@code oldTableName}: the {@code <oldTableName>} partition:convert renames a table to, {@code {table}_old} by default. */
    public HealthCheck(CheckThresholds thresholds, String oldTableName) {
        this.thresholds = thresholds;
        this.oldTableName = oldTableName;
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
        Map<TableName, KeptOldTable> olds = KeptOldTable.read(c, catalog, policies, oldTableName, settings);
        for (TablePolicy policy : policies) {
            TableState state = catalog.table(policy.table());
            TableHealth h = analyzer.analyze(policy, state, statements.forTable(policy.table()),
                    state.name() == null ? List.of() : unfinished.getOrDefault(state.name(), List.of()));
            List<HealthFinding> read = new ArrayList<>();
            if (state.name() != null) {
                Optional.ofNullable(conversions.get(state.name())).ifPresent(read::add);
                Optional.ofNullable(olds.get(state.name())).ifPresent(read::add);
            }
            if (!read.isEmpty()) {
                List<HealthFinding> findings = new ArrayList<>(h.findings());
                findings.addAll(read);
                h = new TableHealth(h.policy(), h.state(), h.coverage(), h.overdue(), h.statements(), findings);
            }
            tables.add(h);
        }
        return new CheckReport(catalog.server(), settings, thresholds, tables, statements, checkedAt,
                Duration.ofNanos(System.nanoTime() - started));
    }
}
