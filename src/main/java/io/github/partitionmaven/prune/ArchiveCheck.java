package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads an archive back from where it is stored (disk, or the bucket with GetObject): its size,
 * SHA-256 and CSV record count, compared with the manifest and with the rows still in the table.
 * Any difference stops prune before the DROP.
 *
 * <p>For S3 this is a read-back, not a comparison with S3's own checksum: a multipart object's
 * x-amz-checksum-sha256 is the SHA-256 of its parts' SHA-256s ("composite", suffixed -N), not the
 * file's SHA-256, so it cannot equal the manifest's; and only a read-back counts the CSV records the
 * object really holds. The parts' checksums still guard the upload itself (S3 rejects a damaged part).
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

    /** Checks the file against its manifest and the table's row count; throws, naming the difference, when they disagree. */
    static void verify(ArchiveManifest manifest, ArchiveStore store, String name, long tableRows, TableName table, EngineLog log) {
        String data = store.where(name);
        Content content;
        try {
            long size = store.size(name);
            if (size != manifest.bytes()) {
                throw PartitionException.environment("The archive " + data + " does not match: it holds " + size + " bytes but the"
                        + " manifest says " + manifest.bytes() + ". Nothing was dropped; " + table + " is kept. Move the archive and its"
                        + " manifest away to export again, then run prune again.", null);
            }
            content = read(store.open(name), size, name, manifest.compressionKind(), log);
        } catch (IOException e) {
            throw PartitionException.environment("Cannot read back the archive " + data + " of " + table + ": " + e.getMessage()
                    + ". Nothing was dropped; " + table + " is kept. Check the file (or move it and its manifest away to export again)"
                    + " and run prune again.", e);
        }
        String problem = null;
        if (!content.sha256().equals(manifest.sha256())) {
            problem = "its SHA-256 is " + content.sha256() + " but the manifest says " + manifest.sha256();
        } else if (content.rows() != manifest.rows()) {
            problem = "it holds " + content.rows() + " rows but the manifest says " + manifest.rows();
        } else if (tableRows != manifest.rows()) {
            problem = table + " has " + tableRows + " rows but the archive holds " + manifest.rows();
        }
        if (problem != null) {
            throw PartitionException.environment("The archive " + data + " does not match: " + problem + ". Nothing was dropped; "
                    + table + " is kept. Move the archive and its manifest away to export again, then run prune again.", null);
        }
    }
}
