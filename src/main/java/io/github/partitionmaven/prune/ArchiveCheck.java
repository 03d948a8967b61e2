package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads an archive back from disk: its SHA-256 and its CSV record count, compared with the manifest
 * and with the rows still in the table. Any difference stops prune before the DROP.
 */
final class ArchiveCheck {

    private ArchiveCheck() {
    }

    /** What the file on disk holds. */
    record Content(long rows, long bytes, String sha256) {
    }

    /** Reads the file, reporting progress to {@code log} when it is not null. */
    static Content read(Path data, PruneOptions.Compression compression, EngineLog log) throws IOException {
        CsvRecordCounter counter = new CsvRecordCounter();
        String sha;
        try (ArchiveInput archive = ArchiveInput.open(data, compression, "reading back", log)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = archive.csv().read(buf)) > 0) {
                counter.feed(buf, 0, n);
            }
            sha = archive.sha256();
        }
        if (!counter.balanced()) {
            throw new IOException(data + " ends inside a quoted CSV field: the file is truncated");
        }
        return new Content(Math.max(0, counter.records() - 1), Files.size(data), sha);
    }

    /** Checks the file against its manifest and the table's row count; throws, naming the difference, when they disagree. */
    static void verify(ArchiveManifest manifest, Path data, long tableRows, TableName table, EngineLog log) {
        Content content;
        try {
            content = read(data, manifest.compressionKind(), log);
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
