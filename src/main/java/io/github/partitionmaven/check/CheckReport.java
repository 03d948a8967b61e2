package io.github.partitionmaven.check;

import io.github.partitionmaven.catalog.ServerInfo;
import io.github.partitionmaven.policy.RunSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Everything one run of {@code partition:check} found, for the log, check.json and the Prometheus file. */
public record CheckReport(
        ServerInfo server,
        RunSettings settings,
        CheckThresholds thresholds,
        List<TableHealth> tables,
        StatementStatistics statements,
        Instant checkedAt,
        Duration elapsed) {

    public CheckReport {
        tables = List.copyOf(tables);
    }

    public List<HealthFinding> findings() {
        return tables.stream().flatMap(t -> t.findings().stream()).toList();
    }

    /** The findings of the checks listed in {@code failOn}: each fails the goal. */
    public List<HealthFinding> failures() {
        return findings().stream().filter(f -> thresholds.fails(f.check())).toList();
    }

    public List<HealthFinding> warnings() {
        return findings().stream().filter(f -> !thresholds.fails(f.check())).toList();
    }

    /** The distinct checks that failed, in declaration order. */
    public List<Check> failedChecks() {
        return failures().stream().map(HealthFinding::check).distinct().sorted().toList();
    }

    public CheckStatus status() {
        return tables.stream().map(t -> t.status(thresholds)).reduce(CheckStatus.OK, CheckStatus::worst);
    }
}
