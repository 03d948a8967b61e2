package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where the archive of one partition lives: its data file and the manifest beside it, by name in
 * the archive directory or after the bucket prefix of {@code options}.
 */
public record ArchiveFiles(PruneOptions options, String data, String manifest) {

    /** File names from schema and table, with anything unsafe in a file name replaced and a hash keeping them distinct. */
    public static ArchiveFiles of(PruneOptions options, TableName table) {
        String raw = table.schema() + "." + table.name();
        String safe = raw.replaceAll("[^A-Za-z0-9._-]", "_");
        if (!safe.equals(raw)) {
            safe += "-" + sha256(raw).substring(0, 8);
        }
        return new ArchiveFiles(options, safe + options.compression().extension(), safe + ".manifest.json");
    }

    /** The data file's full location: a path or {@code s3://bucket/key}. */
    public String dataLocation() {
        return options.where(data);
    }

    public String manifestLocation() {
        return options.where(manifest);
    }

    ArchiveStore open() {
        return options.store();
    }

    /** Refuses, before anything changes, an archive location that is not configured, missing or not writable. */
    public static void requireWritable(PruneOptions options, TableName table) {
        if (!options.archives()) {
            throw PartitionException.configuration("Table " + table + " has <retentionMode>archive</retentionMode> but no"
                    + " <archiveDirectory> is set: set it (or -Dpartition.archiveDirectory=/path) to an existing, writable directory,"
                    + " or to s3://bucket/prefix/.");
        }
        try (ArchiveStore store = options.store()) {
            store.requireWritable(table);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
