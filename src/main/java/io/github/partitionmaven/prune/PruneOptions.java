package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.PartitionException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Goal-level options of prune: where archives go and how they are compressed.
 *
 * @param archiveDirectory where retentionMode archive writes its files; null when not configured
 * @param compression gzip (default) or none
 * @param compressionLevel deflate level 1 (fastest) to 9 (smallest) for gzip
 * @param pluginVersion written into every manifest
 */
public record PruneOptions(Path archiveDirectory, Compression compression, int compressionLevel, String pluginVersion) {

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

    public PruneOptions {
        if (compressionLevel < 1 || compressionLevel > 9) {
            throw PartitionException.configuration("<archiveCompressionLevel>" + compressionLevel
                    + "</archiveCompressionLevel> is out of range: use 1 (fastest) to 9 (smallest).");
        }
        archiveDirectory = archiveDirectory == null ? null : archiveDirectory.toAbsolutePath().normalize();
    }

    public static PruneOptions defaults() {
        return new PruneOptions(null, Compression.GZIP, DEFAULT_COMPRESSION_LEVEL, "unknown");
    }

    public static PruneOptions of(String archiveDirectory, String compression, Integer level, String pluginVersion) {
        return new PruneOptions(archiveDirectory == null || archiveDirectory.isBlank() ? null : Path.of(archiveDirectory.trim()),
                Compression.parse(compression), level == null ? DEFAULT_COMPRESSION_LEVEL : level,
                pluginVersion == null ? "unknown" : pluginVersion);
    }
}
