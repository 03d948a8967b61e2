package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Where the archive of one partition lives: its data file and the manifest beside it. */
public record ArchiveFiles(Path data, Path manifest) {

    /** File names from schema and table, with anything unsafe in a file name replaced and a hash keeping them distinct. */
    public static ArchiveFiles of(PruneOptions options, TableName table) {
        String raw = table.schema() + "." + table.name();
        String safe = raw.replaceAll("[^A-Za-z0-9._-]", "_");
        if (!safe.equals(raw)) {
            safe += "-" + sha256(raw).substring(0, 8);
        }
        Path dir = options.archiveDirectory();
        return new ArchiveFiles(dir.resolve(safe + options.compression().extension()), dir.resolve(safe + ".manifest.json"));
    }

    /** Refuses, before anything changes, an archive directory that is not configured, missing or not writable. */
    public static void requireWritable(PruneOptions options, TableName table) {
        Path dir = options.archiveDirectory();
        if (dir == null) {
            throw PartitionException.configuration("Table " + table + " has <retentionMode>archive</retentionMode> but no"
                    + " <archiveDirectory> is set: set it (or -Dpartition.archiveDirectory=/path) to an existing, writable directory.");
        }
        if (!Files.isDirectory(dir)) {
            throw PartitionException.configuration("The archive directory " + dir + " does not exist (or is not a directory):"
                    + " create it, or point <archiveDirectory> at an existing directory.");
        }
        try {
            Files.delete(Files.createTempFile(dir, ".partition-write-probe", ".tmp"));
        } catch (IOException e) {
            throw PartitionException.configuration("The archive directory " + dir + " is not writable by this process (" + e
                    + "): grant write permission, or point <archiveDirectory> at a writable directory.");
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
