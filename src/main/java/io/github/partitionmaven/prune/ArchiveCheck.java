package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Verifies an archive before the DROP: its size and SHA-256, its CSV record count against the
 * manifest, and the rows still in the table. Any difference stops prune before the DROP.
 *
 * <p>A local file is read back: size, SHA-256 and CSV records of exactly what is on disk.
 *
 * <p>An S3 object whose manifest keeps S3's checksum is verified with one HeadObject (ChecksumMode
 * ENABLED) instead of being downloaded again: its size, and the checksum S3 computed itself from the
 * parts it received (SHA-256 of the parts' SHA-256s, "-N"), must equal the manifest's. That is as
 * strict about the bytes as a read-back: while exporting, every compressed byte went through the
 * whole-file SHA-256 (the manifest's) and through its part's SHA-256; S3 refused any part whose bytes
 * did not hash to the digest sent with it, and its composite over the parts it keeps equals ours only
 * if it keeps exactly those parts in that order. So the object is the byte sequence whose SHA-256 is
 * the manifest's. The rows were counted in the CSV as it was produced and had to equal COPY's row count
 * (the table in that snapshot, under SHARE); here the table is counted again under ACCESS EXCLUSIVE.
 * What only a read-back would add is a check of the JDK's deflater on the compressed bytes; restore
 * does that (it decompresses, hashes and counts before committing). The read-back cost a second pass
 * over the object (download, inflate, count, hash: 8.3 s of a 49 s archive of a 300 MB month on this
 * machine); HeadObject costs one request. A store that reports no checksum (an S3-compatible store
 * without additional checksums), or a manifest without one, is read back as before.
 */
final class ArchiveCheck {

    private ArchiveCheck() {
    }

    /** What the file on disk holds. */
    record Content(long rows, long bytes, String sha256) {
    }

    /** Reads the file, reporting progress to {@code log} when it is not null. */
    static Content read(Path data, PruneOptions.Compression compression, EngineLog log) throws IOException {
        return read(Files.newInputStream(data), Files.size(data), data.getFileName().toString(), compression, log);
    }

    /** Reads {@code size} stored bytes from {@code file} (closed here), reporting progress to {@code log} when it is not null. */
    static Content read(InputStream file, long size, String name, PruneOptions.Compression compression, EngineLog log) throws IOException {
        CsvRecordCounter counter = new CsvRecordCounter();
        String sha;
        try (ArchiveInput archive = ArchiveInput.open(file, size, name, compression, "reading back", log)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = archive.csv().read(buf)) > 0) {
                counter.feed(buf, 0, n);
            }
            sha = archive.sha256();
        }
        if (!counter.balanced()) {
            throw new IOException(name + " ends inside a quoted CSV field: the file is truncated");
        }
        return new Content(Math.max(0, counter.records() - 1), size, sha);
    }

    /**
     * Checks the archive against its manifest and the table's row count; throws, naming the difference, when they disagree.
     * Returns how it was verified, for the log.
     */
    static String verify(ArchiveManifest manifest, ArchiveStore store, String name, long tableRows, TableName table, EngineLog log) {
        String data = store.where(name);
        String problem;
        String how;
        try {
            ArchiveStore.Stored stored = manifest.s3ChecksumSha256() == null ? null : store.stored(name);
            long size = stored != null ? stored.bytes() : store.size(name);
            if (size != manifest.bytes()) {
                throw mismatch(data, table, "it holds " + size + " bytes but the manifest says " + manifest.bytes());
            }
            if (stored != null && stored.checksum() != null) {
                how = "size and S3's SHA-256 checksum " + stored.checksum() + " (HeadObject)";
                problem = stored.checksum().equals(manifest.s3ChecksumSha256()) ? null
                        : "S3 keeps it with the SHA-256 checksum " + stored.checksum() + " but the manifest says " + manifest.s3ChecksumSha256();
            } else {
                if (stored != null) {
                    log.info("      the store reports no SHA-256 checksum for " + data + ": reading it back instead");
                }
                how = "read back";
                Content content = read(store.open(name), size, name, manifest.compressionKind(), log);
                problem = !content.sha256().equals(manifest.sha256())
                        ? "its SHA-256 is " + content.sha256() + " but the manifest says " + manifest.sha256()
                        : content.rows() != manifest.rows() ? "it holds " + content.rows() + " rows but the manifest says " + manifest.rows() : null;
            }
        } catch (IOException e) {
            throw PartitionException.environment("Cannot read back the archive " + data + " of " + table + ": " + e.getMessage()
                    + ". Nothing was dropped; " + table + " is kept. Check the file (or move it and its manifest away to export again)"
                    + " and run prune again.", e);
        }
        if (problem == null && tableRows != manifest.rows()) {
            problem = table + " has " + tableRows + " rows but the archive holds " + manifest.rows();
        }
        if (problem != null) {
            throw mismatch(data, table, problem);
        }
        return how;
    }

    private static PartitionException mismatch(String data, TableName table, String problem) {
        return PartitionException.environment("The archive " + data + " does not match: " + problem + ". Nothing was dropped; "
                + table + " is kept. Move the archive and its manifest away to export again, then run prune again.", null);
    }
}
