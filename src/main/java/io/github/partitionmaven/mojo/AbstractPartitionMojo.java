package io.github.partitionmaven.mojo;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.convert.ConvertPlanner;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.engine.FleetEngine;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.engine.Planners;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.execute.ConnectionSettings;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.report.PlanReport;
import io.github.partitionmaven.plan.PartitionPlan;
import java.io.File;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * What every goal shares: the connection, the run settings and the table policy, turned into an
 * engine; engine errors become Maven failures with their message and no stack trace wall.
 */
public abstract class AbstractPartitionMojo extends AbstractMojo {

    /** JDBC URL of the database, e.g. {@code jdbc:postgresql://localhost:5432/app}. */
    @Parameter(property = "partition.url")
    protected String url;

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

    /** Database user. */
    @Parameter(property = "partition.user")
    protected String user;

    /** Database password; prefer {@code serverId} so it stays out of the POM. */
    @Parameter(property = "partition.password")
    protected String password;

    /** Id of a {@code <server>} in settings.xml holding user and (possibly encrypted) password. */
    @Parameter(property = "partition.serverId")
    protected String serverId;

    /** Extra JDBC connection properties (sslmode, ...). */
    @Parameter
    protected Map<String, String> jdbcProperties;

    /** Skips the goal. */
    @Parameter(property = "partition.skip", defaultValue = "false")
    protected boolean skip;

    /** Prints the steps instead of executing them. */
    @Parameter(property = "partition.dryRun", defaultValue = "false")
    protected boolean dryRun;

    /** The zone every session is pinned to; interval boundaries are midnights in it. */
    @Parameter(property = "partition.timeZone", defaultValue = "UTC")
    protected String timeZone;

    /** Plan as if this were the current time: an ISO date or date-time. Default: the real clock. */
    @Parameter(property = "partition.now")
    protected String now;

    /** How long any DDL waits for its lock before giving up and retrying (e.g. 500ms, 2s). */
    @Parameter(property = "partition.lockTimeout", defaultValue = "500ms")
    protected String lockTimeout;

    /** How many times a step is tried when it cannot get its locks. */
    @Parameter(property = "partition.maxAttempts", defaultValue = "5")
    protected Integer maxAttempts;

    /** The tables to manage. */
    @Parameter
    protected List<TableConfig> tables;

    /** Where plan.sql, plan.json and other reports are written. */
    @Parameter(property = "partition.outputDirectory", defaultValue = "${project.build.directory}/partition")
    protected File outputDirectory;

    /** Where prune writes archives (retentionMode archive): an existing, writable directory. */
    @Parameter(property = "partition.archiveDirectory")
    protected String archiveDirectory;

    /** How archives are compressed: gzip or none. */
    @Parameter(property = "partition.archiveCompression", defaultValue = "gzip")
    protected String archiveCompression;

    /** The gzip level of archives: 1 (fastest, the default) to 9 (smallest). */
    @Parameter(property = "partition.archiveCompressionLevel", defaultValue = "1")
    protected Integer archiveCompressionLevel;

    /** How partition:convert moves the rows: copy (build beside, copy online, verify, swap) or attach (no copy). */
    @Parameter(property = "partition.strategy", defaultValue = "copy")
    protected String strategy;

    /** partition:convert without change capture, for a maintenance window: fastest, but writes meanwhile stop it at verification. */
    @Parameter(property = "partition.offline", defaultValue = "false")
    protected boolean offline;

    /** What partition:convert renames the old table to ({table} is its name); partition:rollback swaps it back. */
    @Parameter(property = "partition.oldTableName", defaultValue = ConvertOptions.DEFAULT_OLD_TABLE_NAME)
    protected String oldTableName;

    /** Rows per batch of partition:convert's copy; each batch is one short transaction. */
    @Parameter(property = "partition.batchSize", defaultValue = "50000")
    protected Integer batchSize;

    /**
     * Database sessions (connections) partition:convert copies with at once, each taking the next batch, and then builds
     * partitions' indexes with; 1 does one at a time. Up to the number of cores the server can spare: both are CPU-bound.
     */
    @Parameter(property = "partition.copySessions", defaultValue = "2")
    protected Integer copySessions;

    @Parameter(defaultValue = "${settings}", readonly = true)
    protected Settings settings;

    @Parameter(defaultValue = "${plugin.version}", readonly = true)
    protected String pluginVersion;

    @Component
    protected SettingsDecrypter settingsDecrypter;

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping " + goalName() + " (partition.skip is true).");
            return;
        }
        try {
            List<String> fleetUrls = fleetUrls();
            if (fleetUrls.isEmpty()) {
                run(engine());
            } else {
                runFleet(fleetEngine(fleetUrls));
            }
        } catch (PartitionException e) {
            if (e.kind() == PartitionException.Kind.ENVIRONMENT) {
                throw new MojoExecutionException(e.getMessage());
            }
            throw new MojoFailureException(e.getMessage());
        }
    }

    protected abstract String goalName();

    /** The database the current thread works on in a fleet run; null otherwise. */
    private final ThreadLocal<String> database = new ThreadLocal<>();

    /** In a fleet run, every line carries the database it is about. */
    @Override
    public org.apache.maven.plugin.logging.Log getLog() {
        String db = database.get();
        return db == null ? super.getLog() : new PrefixedLog(super.getLog(), db);
    }

    /** Where reports go: {@code outputDirectory}, or in a fleet run its subdirectory named after the database. */
    protected File outputDirectory() {
        String db = database.get();
        return db == null ? outputDirectory : new File(outputDirectory, db.replaceAll("[^A-Za-z0-9._-]", "_"));
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
        RunSettings run = PolicyReader.settings(timeZone, now, lockTimeout, maxAttempts, Clock.systemUTC());
        List<TablePolicy> policies = PolicyReader.tables(tables == null ? List.of() : tables.stream().map(TableConfig::toSpec).toList(), run);
        return FleetEngine.of(fleetUrls, connectionSettings(), run, policies, planners(), parallel == null ? FleetEngine.DEFAULT_PARALLEL
                : parallel, engineLog());
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

    protected abstract void run(PartitionEngine engine) throws MojoExecutionException, MojoFailureException;

    protected PartitionEngine engine() throws MojoFailureException {
        RunSettings run = PolicyReader.settings(timeZone, now, lockTimeout, maxAttempts, Clock.systemUTC());
        List<TablePolicy> policies = PolicyReader.tables(tables == null ? List.of() : tables.stream().map(TableConfig::toSpec).toList(), run);
        return new PartitionEngine(connectionSettings(), run, policies, planners(), engineLog());
    }

    /** The planners of all goals with this configuration's options; {@code plan} shows them all. */
    protected List<Planner> planners() {
        return Planners.standard(convertOptions(),
                PruneOptions.of(archiveDirectory, archiveCompression, archiveCompressionLevel, pluginVersion));
    }

    protected ConvertOptions convertOptions() {
        return ConvertOptions.of(strategy, offline, oldTableName, batchSize, copySessions);
    }

    ConnectionSettings connectionSettings() throws MojoFailureException {
        String u = user;
        String p = password;
        if (serverId != null && !serverId.isBlank()) {
            Server server = settings == null ? null : settings.getServer(serverId);
            if (server == null) {
                throw new MojoFailureException("<serverId>" + serverId + "</serverId> names no <server> in settings.xml: add"
                        + " <server><id>" + serverId + "</id><username>...</username><password>...</password></server> to"
                        + " ~/.m2/settings.xml, or fix <serverId>. Nothing was changed.");
            }
            SettingsDecryptionResult result = settingsDecrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
            for (SettingsProblem problem : result.getProblems()) {
                if (problem.getSeverity() != SettingsProblem.Severity.WARNING) {
                    throw new MojoFailureException("Cannot decrypt the password of <server> '" + serverId + "' in settings.xml: "
                            + problem.getMessage() + ". Check ~/.m2/settings-security.xml. Nothing was changed.");
                }
            }
            Server decrypted = result.getServer();
            u = u == null ? decrypted.getUsername() : u;
            p = p == null ? decrypted.getPassword() : p;
        }
        return new ConnectionSettings(url, u, p, jdbcProperties);
    }

    protected EngineLog engineLog() {
        return new EngineLog() {
            @Override
            public void info(String message) {
                getLog().info(message);
            }

            @Override
            public void warn(String message) {
                getLog().warn(message);
            }

            @Override
            public void debug(String message) {
                getLog().debug(message);
            }
        };
    }

    protected void print(PartitionPlan plan) {
        new PlanReport(plan, pluginVersion).print(getLog()::info, getLog()::warn);
    }

    protected void printApplied(PartitionPlan executed) {
        new PlanReport(executed, pluginVersion).printApplied(goalName(), getLog()::info, getLog()::warn);
    }

    protected void writeReport(PartitionPlan plan) throws MojoExecutionException {
        try {
            new PlanReport(plan, pluginVersion).writeTo(outputDirectory().toPath());
            getLog().info("Plan written to " + new File(outputDirectory(), "plan.sql") + " and plan.json");
        } catch (IOException e) {
            throw new MojoExecutionException("Cannot write the plan to " + outputDirectory() + ": " + e.getMessage(), e);
        }
    }
}
