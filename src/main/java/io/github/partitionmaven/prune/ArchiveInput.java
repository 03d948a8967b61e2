package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.Progress;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * An archive file (on disk or in the bucket) opened for reading, as prune's read-back and restore's load both need it: the CSV
 * (decompressed when gzip) to read, the SHA-256 of the file as stored computed on the way, and the
 * bytes read reported to the log.
 */
final class ArchiveInput implements Closeable {

    private final MessageDigest digest;
    private final InputStream raw;
    private final InputStream csv;

    private ArchiveInput(MessageDigest digest, InputStream raw, InputStream csv) {
        this.digest = digest;
        this.raw = raw;
        this.csv = csv;
    }

    /** Opens {@code data}; {@code log} null reports nothing. */
    static ArchiveInput open(Path data, PruneOptions.Compression compression, String what, EngineLog log) throws IOException {
        return open(Files.newInputStream(data), Files.size(data), data.getFileName().toString(), compression, what, log);
    }

    /**
     * Reads {@code size} stored bytes of {@code name} from {@code file} (a local file or an S3 GetObject stream; closed with
     * this); {@code log} null reports nothing.
     */
    static ArchiveInput open(InputStream file, long size, String name, PruneOptions.Compression compression, String what,
                             EngineLog log) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            file.close();
            throw new IllegalStateException(e);
        }
        if (log != null) {
            file = Progress.bytes(log, what + " " + name, size).reading(file);
        }
        InputStream raw = new DigestInputStream(file, digest);
        try {
            return new ArchiveInput(digest, raw, compression == PruneOptions.Compression.GZIP ? new GZIPInputStream(raw, 1 << 16) : raw);
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    /** The CSV, header included. */
    InputStream csv() {
        return csv;
    }

    /** Reads what follows the CSV (bytes after a gzip trailer) into the hash too, and returns the SHA-256 of the whole file. */
    String sha256() throws IOException {
        byte[] rest = new byte[1 << 16];
        while (raw.read(rest) > 0) {
            // the hash covers the whole file
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public void close() throws IOException {
        csv.close();
    }
}
