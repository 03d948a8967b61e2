package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.PartitionException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Goal-level options of prune: where archives go and how they are compressed.
 *
 * @param archiveDirectory where retentionMode archive writes its files; null when not configured
 * @param compression gzip (default) or none
 * @param compressionLevel deflate level 1 (fastest) to 9 (smallest) for gzip
 * @param pluginVersion written into every manifest
 * @param s3 the bucket archives go to instead of {@code archiveDirectory}, or null
 */
public record PruneOptions(Path archiveDirectory, Compression compression, int compressionLevel, String pluginVersion, S3Settings s3) {

    public static final int DEFAULT_COMPRESSION_LEVEL = 1;

    /** How archive files are compressed. */
    public enum Compression {
        GZIP(".csv.gz"), NONE(".csv");

        private final String extension;

        Compression(String extension) {
            this.extension = extension;
        }

        public String extension() {
            return extension;
        }

        public static Compression parse(String value) {
            if (value == null || value.isBlank()) {
                return GZIP;
            }
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw PartitionException.configuration("Unknown <archiveCompression>" + value + "</archiveCompression>: use gzip or none.");
            }
        }
    }

    public PruneOptions(Path archiveDirectory, Compression compression, int compressionLevel, String pluginVersion) {
        this(archiveDirectory, compression, compressionLevel, pluginVersion, null);
    }

    public PruneOptions {
        if (compressionLevel < 1 || compressionLevel > 9) {
            throw PartitionException.configuration("<archiveCompressionLevel>" + compressionLevel
                    + "</archiveCompressionLevel> is out of range: use 1 (fastest) to 9 (smallest).");
        }
        archiveDirectory = archiveDirectory == null ? null : archiveDirectory.toAbsolutePath().normalize();
    }

    /** The same options, archiving to {@code s3} (or to the local directory again when null). */
    public PruneOptions withS3(S3Settings s3) {
        return new PruneOptions(s3 == null ? archiveDirectory : null, compression, compressionLevel, pluginVersion, s3);
    }

    /** Whether an archive location is configured. */
    boolean archives() {
        return s3 != null || archiveDirectory != null;
    }

    ArchiveStore store() {
        return s3 != null ? new S3ArchiveStore(s3) : new LocalArchiveStore(archiveDirectory);
    }

    String where(String name) {
        return s3 != null ? s3.url(name) : archiveDirectory.resolve(name).toString();
    }

    /** What the plan shows about the archive location besides the names: bucket options, never secrets. */
    List<String> storeOptions() {
        return s3 != null ? s3.describe() : List.of();
    }

    public static PruneOptions defaults() {
        return new PruneOptions(null, Compression.GZIP, DEFAULT_COMPRESSION_LEVEL, "unknown");
    }

    /** Options from goal parameters; an {@code s3://bucket/prefix/} location gets the bucket's default options. */
    public static PruneOptions of(String archiveDirectory, String compression, Integer level, String pluginVersion) {
        if (S3Settings.isS3(archiveDirectory)) {
            return of(null, compression, level, pluginVersion)
                    .withS3(S3Settings.of(archiveDirectory, null, null, null, null, null, null, null));
        }
        return new PruneOptions(archiveDirectory == null || archiveDirectory.isBlank() ? null : Path.of(archiveDirectory.trim()),
                Compression.parse(compression), level == null ? DEFAULT_COMPRESSION_LEVEL : level,
                pluginVersion == null ? "unknown" : pluginVersion);
    }
}
