package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.AtomicFiles;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.Locale;

/**
 * Goal-level options of prune: where archives go and how they are compressed.
 *
 * @param archiveDirectory where retentionMode archive writes its files; null when not configured
 * @param compression gzip (default) or none
 * @param compressionLevel deflate level 1 (fastest) to 9 (smallest) for gzip
 * @param pluginVersion written into every manifest
 * @param archiveFileMode the POSIX mode of archive data files and manifests in {@code archiveDirectory}: 0600 unless widened
 *        (archiveFileMode)
 * @param s3 the bucket archives go to instead of {@code archiveDirectory}, or null
 */
public record PruneOptions(Path archiveDirectory, Compression compression, int compressionLevel, String pluginVersion,
                           Set<PosixFilePermission> archiveFileMode, S3Settings s3) {

    /** Archives hold the table's rows: readable by the plugin's user only, unless {@code <archiveFileMode>} widens it. */
    public static final String DEFAULT_ARCHIVE_FILE_MODE = "0600";

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
        this(archiveDirectory, compression, compressionLevel, pluginVersion, AtomicFiles.PRIVATE, null);
    }

    public PruneOptions {
        archiveFileMode = archiveFileMode == null ? AtomicFiles.PRIVATE : Set.copyOf(archiveFileMode);
        if (compressionLevel < 1 || compressionLevel > 9) {
            throw PartitionException.configuration("<archiveCompressionLevel>" + compressionLevel
                    + "</archiveCompressionLevel> is out of range: use 1 (fastest) to 9 (smallest).");
        }
        archiveDirectory = archiveDirectory == null ? null : archiveDirectory.toAbsolutePath().normalize();
    }

    /** The same options, archiving to {@code s3} (or to the local directory again when null). */
    public PruneOptions withS3(S3Settings s3) {
        return new PruneOptions(s3 == null ? archiveDirectory : null, compression, compressionLevel, pluginVersion, archiveFileMode, s3);
    }

    /** Whether an archive location is configured. */
    boolean archives() {
        return s3 != null || archiveDirectory != null;
    }

    ArchiveStore store() {
        return s3 != null ? new S3ArchiveStore(s3) : new LocalArchiveStore(archiveDirectory, archiveFileMode);
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
        return of(archiveDirectory, compression, level, pluginVersion, null);
    }

    /** The same, with {@code <archiveFileMode>} (null: 0600); the mode applies to files in a local archiveDirectory. */
    public static PruneOptions of(String archiveDirectory, String compression, Integer level, String pluginVersion, String fileMode) {
        if (S3Settings.isS3(archiveDirectory)) {
            return of(null, compression, level, pluginVersion, fileMode)
                    .withS3(S3Settings.of(archiveDirectory, null, null, null, null, null, null, null));
        }
        return new PruneOptions(archiveDirectory == null || archiveDirectory.isBlank() ? null : Path.of(archiveDirectory.trim()),
                Compression.parse(compression), level == null ? DEFAULT_COMPRESSION_LEVEL : level,
                pluginVersion == null ? "unknown" : pluginVersion, fileMode(fileMode), null);
    }

    /**
     * An octal mode (0600, 640, 0644) for archive files. The owner must be able to read and write (the drop step reads the
     * file back, a rerun replaces a partial one); nobody else may write or execute: an archive others can change is no
     * backup.
     */
    static Set<PosixFilePermission> fileMode(String text) {
        String t = text == null || text.isBlank() ? DEFAULT_ARCHIVE_FILE_MODE : text.trim();
        if (!t.matches("0?[0-7]{3}")) {
            throw PartitionException.configuration("<archiveFileMode>" + text + "</archiveFileMode> is not an octal file mode: use"
                    + " e.g. 0600 (the default, owner only) or 0640 (owner and group may read). Nothing was changed.");
        }
        int mode = Integer.parseInt(t, 8);
        if ((mode & 0600) != 0600 || (mode & 0133) != 0) {
            throw PartitionException.configuration("<archiveFileMode>" + text + "</archiveFileMode> is refused: the owner must"
                    + " read and write archives and nobody may execute them or write them but the owner; use 0600, 0640 or 0644."
                    + " Nothing was changed.");
        }
        String rwx = "rwxrwxrwx";
        StringBuilder sb = new StringBuilder();
        for (int bit = 8; bit >= 0; bit--) {
            sb.append((mode & (1 << bit)) != 0 ? rwx.charAt(8 - bit) : '-');
        }
        return PosixFilePermissions.fromString(sb.toString());
    }
}
