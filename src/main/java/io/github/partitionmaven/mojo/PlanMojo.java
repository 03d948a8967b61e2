package io.github.partitionmaven.mojo;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.prune.S3Settings;
import io.github.partitionmaven.report.PlanReport;
import java.io.File;
import java.io.IOException;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Shows, without changing anything, what convert, premake and prune would run: every statement,
 * the locks it takes, the rows it touches and why. Writes {@code plan.sql} (runnable with psql) and
 * {@code plan.json} to the output directory. It shows every goal's steps, so it takes (and validates)
 * every goal's options: the convert family's and prune's.
 */
@Mojo(name = "plan", threadSafe = true, requiresProject = false)
public class PlanMojo extends AbstractTablesMojo {

    /** Fails the build when the plan is not empty, so a pipeline can detect drift. */
    @Parameter(property = "partition.failOnChanges", defaultValue = "false")
    private boolean failOnChanges;

    /** Where plan.sql and plan.json are written. */
    @Parameter(property = "partition.outputDirectory", defaultValue = "${project.build.directory}/partition")
    protected File outputDirectory;

    /** As for partition:convert: copy (build beside, copy online, verify, swap) or attach (no copy). */
    @Parameter(property = "partition.strategy", defaultValue = "copy")
    protected String strategy;

    /** As for partition:convert: without change capture, for a maintenance window. */
    @Parameter(property = "partition.offline", defaultValue = "false")
    protected boolean offline;

    /** As for partition:convert: what the old table is renamed to ({table} is its name). */
    @Parameter(property = "partition.oldTableName", defaultValue = ConvertOptions.DEFAULT_OLD_TABLE_NAME)
    protected String oldTableName;

    /** As for partition:convert: rows per batch of the copy. */
    @Parameter(property = "partition.batchSize", defaultValue = "50000")
    protected Integer batchSize;

    /** As for partition:convert: database sessions copying at once. */
    @Parameter(property = "partition.copySessions", defaultValue = "2")
    protected Integer copySessions;

    /** As for partition:convert: how long each copy session waits after each batch. */
    @Parameter(property = "partition.copyPause", defaultValue = "0ms")
    protected String copyPause;

    /**
     * When partition:convert's copy and index builds wait for the database to be healthy again: a standby's replay lag, WAL
     * waiting for the archive, autovacuum on the table, the WAL rate (see {@link ThrottleConfig}; defaults without it).
     */
    @Parameter
    protected ThrottleConfig throttle;

    /** As for partition:prune: where archives are written (retentionMode archive): a directory or s3://bucket/prefix/. */
    @Parameter(property = "partition.archiveDirectory")
    protected String archiveDirectory;

    /** As for partition:prune: gzip or none. */
    @Parameter(property = "partition.archiveCompression", defaultValue = "gzip")
    protected String archiveCompression;

    /** As for partition:prune: the gzip level, 1 (fastest) to 9 (smallest). */
    @Parameter(property = "partition.archiveCompressionLevel", defaultValue = "1")
    protected Integer archiveCompressionLevel;

    /** POSIX mode of archive data files and manifests (octal): 0600 by default; 0640 or 0644 widen it. See docs/security.md. */
    @Parameter(property = "partition.archiveFileMode", defaultValue = PruneOptions.DEFAULT_ARCHIVE_FILE_MODE)
    protected String archiveFileMode;

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

    @Override
    protected String goalName() {
        return "partition:plan";
    }

    @Override
    protected ConvertOptions convertOptions() {
        return ConvertOptions.of(strategy, offline, oldTableName, batchSize, copySessions, copyPause)
                .withThrottle(ThrottleConfig.limits(throttle));
    }

    @Override
    protected PruneOptions pruneOptions() {
        return S3Archive.options(this, PruneOptions.of(S3Settings.isS3(archiveDirectory) ? null : archiveDirectory, archiveCompression,
                archiveCompressionLevel, pluginVersion, archiveFileMode), archiveDirectory, archiveServerId, archiveRegion,
                archiveEndpoint, archivePathStyle, archiveServerSideEncryption, archiveKmsKeyId, archiveStorageClass);
    }

    @Override
    protected void run(PartitionEngine engine) throws MojoExecutionException, MojoFailureException {
        PartitionPlan plan = engine.plan(Goal.POLICY_GOALS);
        print(plan);
        try {
            new PlanReport(plan, pluginVersion).writeTo(perDatabase(outputDirectory).toPath());
            getLog().info("Plan written to " + new File(perDatabase(outputDirectory), "plan.sql") + ", plan.json and plan.md");
        } catch (IOException e) {
            throw new MojoExecutionException("Cannot write the plan to " + perDatabase(outputDirectory) + ": " + e.getMessage(), e);
        }
        if (failOnChanges && !plan.isEmpty()) {
            throw new MojoFailureException("The database differs from the policy: " + plan.steps().size() + " step(s) pending"
                    + " (failOnChanges is set). See " + perDatabase(outputDirectory) + "/plan.sql; run the goals to apply them.");
        }
    }
}
