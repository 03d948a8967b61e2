package io.github.partitionmaven.mojo;

import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.InputPlanner;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.prune.ArchiveRestore;
import io.github.partitionmaven.prune.S3Settings;
import java.io.File;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
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

    /** The {@code .manifest.json} written beside the archive: a path, or {@code s3://bucket/key} of one in a bucket. */
    @Parameter(property = "partition.manifest", required = true)
    private String manifest;

    @Parameter(defaultValue = "${basedir}", readonly = true)
    private File basedir;

    /** Load into this table (schema.table; created from the manifest's columns if missing) instead of re-creating the partition. */
    @Parameter(property = "partition.restoreTarget")
    private String restoreTarget;

    @Override
    protected String goalName() {
        return "partition:restore";
    }

    @Override
    protected PartitionEngine engine() throws MojoFailureException {
        RunSettings run = PolicyReader.settings(timeZone, now, lockTimeout, maxAttempts, Clock.systemUTC());
        return new PartitionEngine(connectionSettings(), run, List.of(), planners(), engineLog());
    }

    @Override
    protected void run(PartitionEngine engine) {
        Optional<TableName> target = restoreTarget == null || restoreTarget.isBlank() ? Optional.empty()
                : Optional.of(TableName.parse(restoreTarget));
        InputPlanner restore;
        if (S3Settings.isS3(manifest)) {
            restore = ArchiveRestore.planner(manifest.trim(), target, pruneOptions().withS3(s3Settings(manifest.trim())));
        } else {
            Path path = Path.of(manifest.trim());
            if (!path.isAbsolute() && basedir != null) {
                path = basedir.toPath().resolve(path);
            }
            restore = ArchiveRestore.planner(path.toString(), target, pruneOptions());
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
