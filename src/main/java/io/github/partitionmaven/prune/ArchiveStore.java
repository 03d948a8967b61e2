package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.TableName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Where archive files live: a local directory or an S3 bucket prefix. Export, verification, drop and
 * restore are written once against this; names are file names in the directory (or after the
 * prefix), as {@link ArchiveFiles} makes them. Opened for one piece of work and closed after it.
 */
interface ArchiveStore extends AutoCloseable {

    /** The full location of {@code name} for people: a path or {@code s3://bucket/key}. */
    String where(String name);

    boolean exists(String name) throws IOException;

    /** Bytes stored under {@code name}. */
    long size(String name) throws IOException;

    /** Streams the stored bytes of {@code name}. */
    InputStream open(String name) throws IOException;

    String readText(String name) throws IOException;

    /** Writes a small file (a manifest) whole: readers see the old content or the new, never a part. */
    void writeText(String name, String text) throws IOException;

    /**
     * Starts writing {@code name}: nothing is visible under that name until {@link Sink#commit()};
     * {@link Sink#abort()} leaves nothing behind. {@code tableBytes} sizes the upload's parts.
     */
    Sink create(String name, long tableBytes, EngineLog log) throws IOException;

    /** Removes what an interrupted {@link #create} of {@code name} left (temporary files, open multipart uploads). */
    void discardUnfinished(String name, EngineLog log) throws IOException;

    /**
     * What the store itself vouches for about {@code name}: its size and the checksum it computed as the bytes arrived
     * (S3: HeadObject with ChecksumMode ENABLED). Null where the store keeps none, as a local directory; the checksum is null
     * when the store reports none for this object (an S3-compatible store without additional checksums).
     */
    default Stored stored(String name) throws IOException {
        return null;
    }

    /** Size and store-side checksum of a stored object. */
    record Stored(long bytes, String checksum) {
    }

    /** Refuses, before anything changes, a store that is missing or that this process cannot write to. */
    void requireWritable(TableName table);

    @Override
    void close();

    /** A file being written. */
    interface Sink {
        OutputStream stream();

        /** Makes the bytes written durable and visible under the name. */
        void commit() throws IOException;

        /**
         * After {@link #commit()}: the checksum the store keeps for what was written, computed here from the same bytes
         * (see {@link #stored}); null where the store keeps none.
         */
        default String storeChecksum() {
            return null;
        }

        /** Discards what was written; safe to call after a failure and after {@link #commit()} (then it does nothing). */
        void abort();
    }
}
