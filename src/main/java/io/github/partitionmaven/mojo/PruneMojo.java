package io.github.partitionmaven.mojo;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.prune.S3Settings;
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

    /** Where prune writes archives (retentionMode archive): an existing, writable directory, or {@code s3://bucket/prefix/}. */
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
        return S3Archive.options(this, PruneOptions.of(S3Settings.isS3(archiveDirectory) ? null : archiveDirectory, archiveCompression,
                archiveCompressionLevel, pluginVersion, archiveFileMode), archiveDirectory, archiveServerId, archiveRegion,
                archiveEndpoint, archivePathStyle, archiveServerSideEncryption, archiveKmsKeyId, archiveStorageClass);
    }
}
