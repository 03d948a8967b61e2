package io.github.partitionmaven.mojo;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.prune.PruneOptions;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Applies retention: partitions whose whole range ends at or before now minus {@code retention}
 * are detached (CONCURRENTLY where PostgreSQL allows it) and dropped, kept, or archived to a
 * verified file and dropped. Finishes first whatever an interrupted run left. Runs exactly the prune
 * steps {@code partition:plan} shows; a second run does nothing.
 */
@Mojo(name = "prune", threadSafe = true, requiresProject = false)
public class PruneMojo extends AbstractApplyMojo {

    /** Where prune writes archives (retentionMode archive): an existing, writable directory. */
    @Parameter(property = "partition.archiveDirectory")
    protected String archiveDirectory;

    /** How archives are compressed: gzip or none. */
    @Parameter(property = "partition.archiveCompression", defaultValue = "gzip")
    protected String archiveCompression;

    /** The gzip level of archives: 1 (fastest, the default) to 9 (smallest). */
    @Parameter(property = "partition.archiveCompressionLevel", defaultValue = "1")
    protected Integer archiveCompressionLevel;

    /** POSIX mode of archive data files and manifests (octal): 0600 by default; 0640 or 0644 widen it. See docs/security.md. */
    @Parameter(property = "partition.archiveFileMode", defaultValue = PruneOptions.DEFAULT_ARCHIVE_FILE_MODE)
    protected String archiveFileMode;

    @Override
    protected String goalName() {
        return "partition:prune";
    }

    @Override
    protected Goal goal() {
        return Goal.PRUNE;
    }

    @Override
    protected String stepsName() {
        return "prune";
    }

    @Override
    protected PruneOptions pruneOptions() {
        return PruneOptions.of(archiveDirectory, archiveCompression, archiveCompressionLevel, pluginVersion, archiveFileMode);
    }
}
