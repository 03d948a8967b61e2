package io.github.partitionmaven.mojo;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.convert.ConvertPlanner;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.engine.Planners;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.prune.S3Settings;
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

    /** Where prune writes archives (retentionMode archive): an existing, writable directory, or {@code s3://bucket/prefix/}. */
    @Parameter(property = "partition.archiveDirectory")
    protected String archiveDirectory;

    /**
     * Id of a {@code <server>} in settings.xml with the S3 access key as username and the secret as (possibly encrypted) password;
     * unset: the AWS SDK's default provider chain (environment, profile, web identity, container or instance role).
     */
    @Parameter(property = "partition.archiveServerId")
    protected String archiveServerId;

    /** The archive bucket's region, e.g. eu-central-1; unset: the SDK's region chain (AWS_REGION, profile). */
    @Parameter(property = "partition.archiveRegion")
    protected String archiveRegion;

    /** Endpoint of an S3-compatible store (MinIO, Ceph, R2), e.g. https://minio.example:9000; implies path-style access. */
    @Parameter(property = "partition.archiveEndpoint")
    protected String archiveEndpoint;

    /** Path-style S3 URLs (host/bucket/key); default: on with archiveEndpoint, off for AWS. */
    @Parameter(property = "partition.archivePathStyle")
    protected Boolean archivePathStyle;

    /** Server-side encryption of archive objects: none, AES256 (SSE-S3) or aws:kms (SSE-KMS). */
    @Parameter(property = "partition.archiveServerSideEncryption")
    protected String archiveServerSideEncryption;

    /** The KMS key id (or ARN) for aws:kms; unset: the bucket's default key. */
    @Parameter(property = "partition.archiveKmsKeyId")
    protected String archiveKmsKeyId;

    /** The S3 storage class of archive objects, e.g. STANDARD_IA or GLACIER_IR; unset: STANDARD. */
    @Parameter(property = "partition.archiveStorageClass")
    protected String archiveStorageClass;

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
            run(engine());
        } catch (PartitionException e) {
            if (e.kind() == PartitionException.Kind.ENVIRONMENT) {
                throw new MojoExecutionException(e.getMessage());
            }
            throw new MojoFailureException(e.getMessage());
        }
    }

    protected abstract String goalName();

    protected abstract void run(PartitionEngine engine) throws MojoExecutionException, MojoFailureException;

    protected PartitionEngine engine() throws MojoFailureException {
        RunSettings run = PolicyReader.settings(timeZone, now, lockTimeout, maxAttempts, Clock.systemUTC());
        List<TablePolicy> policies = PolicyReader.tables(tables == null ? List.of() : tables.stream().map(TableConfig::toSpec).toList(), run);
        return new PartitionEngine(connectionSettings(), run, policies, planners(), engineLog());
    }

    /** The planners of all goals with this configuration's options; {@code plan} shows them all. */
    protected List<Planner> planners() {
        return Planners.standard(convertOptions(), pruneOptions());
    }

    /** Archive options; for an {@code s3://} location with the bucket options and the archiveServerId credentials. */
    protected PruneOptions pruneOptions() {
        boolean s3 = S3Settings.isS3(archiveDirectory);
        PruneOptions options = PruneOptions.of(s3 ? null : archiveDirectory, archiveCompression, archiveCompressionLevel, pluginVersion);
        return s3 ? options.withS3(s3Settings(archiveDirectory)) : options;
    }

    /** The bucket options of {@code s3://bucket/prefix/} from the archive parameters; secrets only from settings.xml or the SDK. */
    protected S3Settings s3Settings(String location) {
        S3Settings.Credentials credentials = null;
        if (archiveServerId != null && !archiveServerId.isBlank()) {
            Server server = decryptedServer(archiveServerId, "archiveServerId");
            if (server.getUsername() == null || server.getPassword() == null) {
                throw PartitionException.configuration("<server> '" + archiveServerId + "' in settings.xml needs the S3 access key as"
                        + " <username> and the secret as <password>. Nothing was changed.");
            }
            credentials = new S3Settings.Credentials(server.getUsername(), server.getPassword(),
                    "<server> '" + archiveServerId + "' in settings.xml");
        }
        return S3Settings.of(location, archiveRegion, archiveEndpoint, archivePathStyle, archiveServerSideEncryption, archiveKmsKeyId,
                archiveStorageClass, credentials);
    }

    protected ConvertOptions convertOptions() {
        return ConvertOptions.of(strategy, offline, oldTableName, batchSize, copySessions);
    }

    ConnectionSettings connectionSettings() throws MojoFailureException {
        String u = user;
        String p = password;
        if (serverId != null && !serverId.isBlank()) {
            Server decrypted;
            try {
                decrypted = decryptedServer(serverId, "serverId");
            } catch (PartitionException e) {
                throw new MojoFailureException(e.getMessage());
            }
            u = u == null ? decrypted.getUsername() : u;
            p = p == null ? decrypted.getPassword() : p;
        }
        return new ConnectionSettings(url, u, p, jdbcProperties);
    }

    /** The {@code <server>} named by {@code <parameter>id</parameter>}, its password decrypted; refuses, naming the fix, when it cannot. */
    Server decryptedServer(String id, String parameter) {
        Server server = settings == null ? null : settings.getServer(id);
        if (server == null) {
            throw PartitionException.configuration("<" + parameter + ">" + id + "</" + parameter + "> names no <server> in settings.xml:"
                    + " add <server><id>" + id + "</id><username>...</username><password>...</password></server> to"
                    + " ~/.m2/settings.xml, or fix <" + parameter + ">. Nothing was changed.");
        }
        SettingsDecryptionResult result = settingsDecrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
        for (SettingsProblem problem : result.getProblems()) {
            if (problem.getSeverity() != SettingsProblem.Severity.WARNING) {
                throw PartitionException.configuration("Cannot decrypt the password of <server> '" + id + "' in settings.xml: "
                        + problem.getMessage() + ". Check ~/.m2/settings-security.xml. Nothing was changed.");
            }
        }
        return result.getServer();
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
            new PlanReport(plan, pluginVersion).writeTo(outputDirectory.toPath());
            getLog().info("Plan written to " + new File(outputDirectory, "plan.sql") + " and plan.json");
        } catch (IOException e) {
            throw new MojoExecutionException("Cannot write the plan to " + outputDirectory + ": " + e.getMessage(), e);
        }
    }
}
