package io.github.partitionmaven.mojo;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.engine.FleetEngine;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.engine.Planners;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.report.PlanReport;
import java.io.File;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * The family of the goals that work on the configured {@code <tables>}: every goal but restore. A goal
 * validates only the options it reads: one that neither converts nor prunes plans with those goals'
 * defaults, so {@code partition:check} does not refuse a {@code batchSize} it never uses.
 */
public abstract class AbstractTablesMojo extends AbstractPartitionMojo {

    /** The tables to manage. */
    @Parameter
    protected List<TableConfig> tables;

    /**
     * More databases with the same tables (one per tenant or region): the goal runs on each, {@code parallel} at a time,
     * with one combined report; the build fails naming every database that failed. {@code url}, when set, is one of them.
     * The same user and password ({@code serverId}) apply to all.
     */
    @Parameter
    protected List<String> urls;

    /** A file listing the fleet's JDBC URLs, one per line ({@code #} comments); adds to {@code urls}. */
    @Parameter(property = "partition.fleet")
    protected File fleet;

    /** How many databases of a fleet are worked on at once. */
    @Parameter(property = "partition.parallel", defaultValue = "" + FleetEngine.DEFAULT_PARALLEL)
    protected Integer parallel;

    @Override
    protected void launch() throws MojoExecutionException, MojoFailureException {
        List<String> fleetUrls = fleetUrls();
        if (fleetUrls.isEmpty()) {
            run(engine());
        } else {
            runFleet(fleetEngine(fleetUrls));
        }
    }

    /** The database the current thread works on in a fleet run; null otherwise. */
    private final ThreadLocal<String> database = new ThreadLocal<>();

    /** In a fleet run, every line carries the database it is about. */
    @Override
    public org.apache.maven.plugin.logging.Log getLog() {
        String db = database.get();
        return db == null ? super.getLog() : new PrefixedLog(super.getLog(), db);
    }

    /** Where reports go: {@code directory}, or in a fleet run its subdirectory named after the database. */
    protected File perDatabase(File directory) {
        String db = database.get();
        return db == null ? directory : new File(directory, db.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    private List<String> fleetUrls() {
        if ((urls == null || urls.isEmpty()) && fleet == null) {
            return List.of();
        }
        List<String> listed = new java.util.ArrayList<>();
        if (url != null && !url.isBlank()) {
            listed.add(url);
        }
        if (urls != null) {
            listed.addAll(urls);
        }
        return FleetEngine.urls(listed, fleet == null ? null : fleet.toPath());
    }

    protected FleetEngine fleetEngine(List<String> fleetUrls) throws MojoFailureException {
        RunSettings run = runSettings();
        return FleetEngine.of(fleetUrls, connectionSettings(), run, policies(run), Planners.standard(convertOptions(), pruneOptions()),
                parallel == null ? FleetEngine.DEFAULT_PARALLEL : parallel, engineLog());
    }

    /**
     * The goal on every database of the fleet, each exactly as a single-database run (its lines prefixed with the database,
     * its reports in a subdirectory of outputDirectory), then one line per database and a summary.
     */
    protected void runFleet(FleetEngine fleet) throws MojoExecutionException, MojoFailureException {
        FleetEngine.Results<Boolean> results = fleet.run(goalName(), m -> inDatabase(m.database(), () -> {
            run(m.engine());
            return true;
        }));
        finishFleet(results);
    }

    /** Prints the per-database lines and the summary; fails when any database failed, naming each. */
    protected void finishFleet(FleetEngine.Results<?> results) {
        results.report().forEach(line -> getLog().info(line));
        results.requireAllSucceeded();
    }

    @FunctionalInterface
    protected interface DatabaseWork<T> {
        T run() throws MojoExecutionException, MojoFailureException;
    }

    /** Runs {@code work} as the given database of the fleet; Maven failures become the engine's, keeping their kind. */
    protected <T> T inDatabase(String db, DatabaseWork<T> work) {
        database.set(db);
        try {
            return work.run();
        } catch (MojoFailureException e) {
            throw PartitionException.databaseState(e.getMessage());
        } catch (MojoExecutionException e) {
            throw PartitionException.environment(e.getMessage(), e);
        } finally {
            database.remove();
        }
    }

    @Override
    protected PartitionEngine engine() throws MojoFailureException {
        RunSettings run = runSettings();
        return new PartitionEngine(connectionSettings(), run, policies(run), Planners.standard(convertOptions(), pruneOptions()), engineLog());
    }

    private List<TablePolicy> policies(RunSettings run) {
        return PolicyReader.tables(tables == null ? List.of() : tables.stream().map(TableConfig::toSpec).toList(), run);
    }

    /** The convert options of this goal; the defaults for a goal that does not read them. */
    protected ConvertOptions convertOptions() {
        return ConvertOptions.DEFAULTS;
    }

    /** The prune (archive) options of this goal; the defaults for a goal that does not read them. */
    protected PruneOptions pruneOptions() {
        return PruneOptions.defaults();
    }

    protected void print(PartitionPlan plan) {
        new PlanReport(plan, pluginVersion).print(getLog()::info, getLog()::warn);
    }
}
