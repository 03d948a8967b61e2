package io.github.partitionmaven.mojo;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.check.CheckJson;
import io.github.partitionmaven.check.CheckLogReport;
import io.github.partitionmaven.check.CheckReport;
import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.check.PrometheusFile;
import io.github.partitionmaven.engine.FleetEngine;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.core.AtomicFiles;
import java.io.File;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Reports the health of every configured table without changing anything: partitions with bounds,
 * rows and sizes, coverage ahead of now, gaps, default-partition rows, detach-pending and overdue
 * partitions, slow statements; for a plain table whether to partition it. Writes {@code check.json}
 * and a Prometheus textfile; fails the build on the checks listed in {@code failOn}.
 */
@Mojo(name = "check", threadSafe = true, requiresProject = false)
public class CheckMojo extends AbstractTablesMojo {

    /**
     * What partition:convert renamed the tables it replaced to ({@code {table}} is the table's name), as given to it: such a
     * table still there beside its partitioned table is reported (oldTable), with its rows older than the retention.
     */
    @Parameter(property = "partition.oldTableName", defaultValue = ConvertOptions.DEFAULT_OLD_TABLE_NAME)
    private String oldTableName;

    /** Where check.json is written. */
    @Parameter(property = "partition.outputDirectory", defaultValue = "${project.build.directory}/partition")
    protected File outputDirectory;

    /**
     * Checks that fail the build instead of warning, comma-separated: partitionSize, coverage, defaultRows, retention,
     * detachPending, gaps, alignment, partitioning, slowStatements, partitionKey, unfinishedPrune, conversion,
     * replicaIdentity, oldTable, or all / none. Not set: coverage, defaultRows, detachPending and conversion fail (what
     * breaks inserts, hides data or costs every write), the rest warn; {@code none} makes the goal report only.
     */
    @Parameter(property = "partition.failOn")
    private List<String> failOn;

    /** A partition larger than this (indexes and TOAST included) is reported: e.g. 10GB, 500MB. */
    @Parameter(property = "partition.maxPartitionSize", defaultValue = "10GB")
    private String maxPartitionSize;

    /** Fewer whole intervals of partitions than this past the current one is reported. */
    @Parameter(property = "partition.minCoverage", defaultValue = "2")
    private Integer minCoverage;

    /** More rows than this in a default partition is reported. */
    @Parameter(property = "partition.maxDefaultRows", defaultValue = "0")
    private Long maxDefaultRows;

    /** A plain table with at least this many rows (planner estimate) gets "partitioning recommended". */
    @Parameter(property = "partition.partitioningThreshold", defaultValue = "10000000")
    private Long partitioningThreshold;

    /** A statement on a table whose mean time in pg_stat_statements exceeds this is reported: e.g. 500ms, 2s. */
    @Parameter(property = "partition.slowStatementThreshold", defaultValue = "500ms")
    private String slowStatementThreshold;

    /** How many of the slowest statements per table are listed (0: do not read pg_stat_statements). */
    @Parameter(property = "partition.slowStatementsPerTable", defaultValue = "5")
    private Integer slowStatementsPerTable;

    /** The Prometheus text file for the node exporter's textfile collector; written atomically. */
    @Parameter(property = "partition.prometheusFile", defaultValue = "${project.build.directory}/partition/partition.prom")
    private File prometheusFile;

    @Override
    protected String goalName() {
        return "partition:check";
    }

    private CheckThresholds thresholds() {
        return CheckThresholds.parse(maxPartitionSize, minCoverage, maxDefaultRows, partitioningThreshold, slowStatementThreshold,
                slowStatementsPerTable, failOn);
    }

    /** Each database's check.json in its subdirectory, and ONE Prometheus file with a {@code database} label on every metric. */
    @Override
    protected void runFleet(FleetEngine fleet) throws MojoExecutionException {
        CheckThresholds thresholds = thresholds();
        FleetEngine.Results<CheckReport> results = fleet.run(goalName(), m -> inDatabase(m.database(), () -> {
            CheckReport report = m.engine().check(thresholds, oldTableName);
            new CheckLogReport(report).print(getLog()::info, getLog()::warn);
            writeJson(report);
            if (!report.failures().isEmpty()) {
                throw new MojoFailureException(CheckLogReport.failureMessage(report));
            }
            return report;
        }));
        Map<String, CheckReport> reports = new LinkedHashMap<>();
        results.outcomes().forEach(o -> o.value().ifPresent(r -> reports.put(o.database(), r)));
        try {
            PrometheusFile.write(reports, prometheusFile.toPath());
        } catch (IOException e) {
            throw new MojoExecutionException("Cannot write the Prometheus file " + prometheusFile + ": " + e.getMessage(), e);
        }
        getLog().info("Metrics of " + reports.size() + " database(s) written to " + prometheusFile);
        finishFleet(results);
    }

    private File writeJson(CheckReport report) throws MojoExecutionException {
        File json = new File(perDatabase(outputDirectory), "check.json");
        try {
            AtomicFiles.write(json.toPath(), CheckJson.write(report, pluginVersion));
        } catch (IOException e) {
            throw new MojoExecutionException("Cannot write the check report " + json + ": " + e.getMessage(), e);
        }
        return json;
    }

    @Override
    protected void run(PartitionEngine engine) throws MojoExecutionException, MojoFailureException {
        CheckThresholds thresholds = thresholds();
        CheckReport report = engine.check(thresholds, oldTableName);
        new CheckLogReport(report).print(getLog()::info, getLog()::warn);
        File json = new File(perDatabase(outputDirectory), "check.json");
        try {
            AtomicFiles.write(json.toPath(), CheckJson.write(report, pluginVersion));
            PrometheusFile.write(report, prometheusFile.toPath());
        } catch (IOException e) {
            throw new MojoExecutionException("Cannot write the check report (" + json + ", " + prometheusFile + "): " + e.getMessage(), e);
        }
        getLog().info("Check written to " + json + " and " + prometheusFile);
        if (!report.failures().isEmpty()) {
            throw new MojoFailureException(CheckLogReport.failureMessage(report));
        }
    }
}
