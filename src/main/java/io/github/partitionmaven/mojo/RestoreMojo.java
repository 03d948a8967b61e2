package io.github.partitionmaven.mojo;

import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.InputPlanner;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.prune.ArchiveRestore;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.prune.S3Settings;
import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Brings back a partition archived by prune: re-creates it as a partition of its parent, or loads
 * its rows into the table named by {@code restoreTarget}; the row count and the file's SHA-256 must
 * equal the manifest or nothing is committed. Needs no {@code <tables>}.
 */
@Mojo(name = "restore", threadSafe = true, requiresProject = false)
public class RestoreMojo extends AbstractPartitionMojo {

    /** Prints the steps instead of executing them. */
    @Parameter(property = "partition.dryRun", defaultValue = "false")
    protected boolean dryRun;

    /**
     * What this goal does on a standby: fail (the default) or skip, exiting 0, for schedules that run against every
     * node. plan and check read standbys as they are.
     */
    @Parameter(property = "partition.onStandby", defaultValue = "fail")
    protected String onStandby;

    /** The {@code .manifest.json} written beside the archive: a path, or {@code s3://bucket/key} of one in a bucket. */
    @Parameter(property = "partition.manifest", required = true)
    private String manifest;

    @Parameter(defaultValue = "${basedir}", readonly = true)
    private File basedir;

    /**
     * For a manifest in a bucket: id of a {@code <server>} in settings.xml with the S3 access key as username and the secret as (possibly encrypted) password;
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

    /** Load into this table (schema.table; created from the manifest's columns if missing) instead of re-creating the partition. */
    @Parameter(property = "partition.restoreTarget")
    private String restoreTarget;

    @Override
    protected String goalName() {
        return "partition:restore";
    }

    @Override
    protected PartitionEngine engine() throws MojoFailureException {
        return super.engine().onStandby(onStandby(onStandby));
    }

    @Override
    protected void run(PartitionEngine engine) {
        Optional<TableName> target = restoreTarget == null || restoreTarget.isBlank() ? Optional.empty()
                : Optional.of(TableName.parse(restoreTarget));
        InputPlanner restore;
        if (S3Settings.isS3(manifest)) {
            restore = ArchiveRestore.planner(manifest.trim(), target, PruneOptions.defaults().withS3(S3Archive.settings(this, manifest,
                    archiveServerId, archiveRegion, archiveEndpoint, archivePathStyle, null, null, null)));
        } else {
            Path path = Path.of(manifest.trim());
            if (!path.isAbsolute() && basedir != null) {
                path = basedir.toPath().resolve(path);
            }
            restore = ArchiveRestore.planner(path.toString(), target, PruneOptions.defaults());
        }
        for (Step step : engine.plan(restore)) {
            getLog().info((dryRun ? "Would " : "Will ") + step.action());
            getLog().info("  why:  " + step.reason());
            step.locks().forEach(l -> getLog().info("  lock: " + l));
            step.statements().forEach(s -> getLog().info("  runs: " + s));
        }
        if (dryRun) {
            getLog().info("Dry run: nothing was changed.");
            return;
        }
        for (Step step : engine.apply(restore)) {
            getLog().info("Restored " + step.rows() + " rows.");
        }
    }
}
