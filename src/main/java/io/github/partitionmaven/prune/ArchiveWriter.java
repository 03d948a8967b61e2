package io.github.partitionmaven.prune;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The stream COPY writes into: rows are gathered into 1 MiB chunks and handed to a second thread
 * that counts CSV records, compresses and hashes them into the target (a file or an S3 upload), so
 * receiving from the server and compressing run side by side (as {@code psql | gzip} does).
 * {@link #finish()} ends the stream and reports what was written; the caller commits the target.
 */
final class ArchiveWriter extends OutputStream {

    private static final int CHUNK = 1 << 20;
    private static final byte[] END = new byte[0];

    /** What ended up in the file. */
    record Result(long records, long bytes, String sha256, boolean balanced) {
    }

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(8);
    private final CsvRecordCounter counter = new CsvRecordCounter();
    private final MessageDigest digest;
    private final Thread compressor;
    private volatile Throwable failure;
    private Runnable onChunk = () -> { };
    private volatile long bytesWritten;
    private volatile IOException writeFailure;
    private byte[] chunk = new byte[CHUNK];
    private int used;

    ArchiveWriter(OutputStream target, PruneOptions.Compression compression, int level) throws IOException {
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        OutputStream fileOut = new HashingOutputStream(target);
        OutputStream sink = compression == PruneOptions.Compression.GZIP ? new LeveledGzip(fileOut, level) : fileOut;
        this.compressor = new Thread(() -> compress(sink), "partition-archive-compressor");
        compressor.setDaemon(true);
        compressor.start();
    }

    /** Called on the COPY thread after every chunk, for progress reports. */
    void onChunk(Runnable r) {
        this.onChunk = r;
    }

    /** Compressed bytes written so far. */
    long bytesWritten() {
        return bytesWritten;
    }

    /** Records counted so far (header included); read from the COPY thread for progress, so approximate. */
    long recordsSoFar() {
        return counter.records();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    /**
     * The first write error the COPY saw: pgjdbc answers it by cancelling the COPY, and the server's "canceling statement
     * due to user request" may then reach the caller instead of this, the real cause.
     */
    IOException writeFailure() {
        return writeFailure;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            append(b, off, len);
        } catch (IOException e) {
            if (writeFailure == null) {
                writeFailure = e;
            }
            throw e;
        }
    }

    private void append(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, CHUNK - used);
            System.arraycopy(b, off, chunk, used, n);
            used += n;
            off += n;
            len -= n;
            if (used == CHUNK) {
                hand(chunk);
                chunk = new byte[CHUNK];
                used = 0;
                onChunk.run();
            }
        }
    }

    /** Ends the stream and waits for the compressor. */
    Result finish() throws IOException {
        if (used > 0) {
            byte[] last = new byte[used];
            System.arraycopy(chunk, 0, last, 0, used);
            hand(last);
            used = 0;
        }
        hand(END);
        try {
            compressor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing the archive");
        }
        rethrow();
        return new Result(counter.records(), bytesWritten, HexFormat.of().formatHex(digest.digest()), counter.balanced());
    }

    /** Stops the compressor after a failure; the caller aborts the target. */
    void abort() {
        compressor.interrupt();
        try {
            compressor.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void hand(byte[] data) throws IOException {
        rethrow();
        try {
            while (!queue.offer(data, 1, java.util.concurrent.TimeUnit.SECONDS)) {
                rethrow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while exporting");
        }
    }

    private void rethrow() throws IOException {
        Throwable f = failure;
        if (f instanceof IOException io) {
            throw io;
        }
        if (f != null) {
            throw new IOException(f.getMessage(), f);
        }
    }

    private void compress(OutputStream sink) {
        try (sink) {
            while (true) {
                byte[] data = queue.take();
                if (data == END) {
                    break;
                }
                counter.feed(data, 0, data.length);
                sink.write(data, 0, data.length);
            }
        } catch (Throwable t) {
            failure = t;
            queue.clear();
        }
    }

    /** Hashes and counts the bytes that reach the file. */
    private final class HashingOutputStream extends OutputStream {
        private final OutputStream out;

        HashingOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            digest.update(b, off, len);
            out.write(b, off, len);
            bytesWritten += len;
        }

        @Override
        public void close() throws IOException {
            // the target is committed (forced, renamed or completed) or aborted by the caller
        }
    }

    /** GZIP with a chosen deflate level and a large output buffer. */
    private static final class LeveledGzip extends GZIPOutputStream {
        LeveledGzip(OutputStream out, int level) throws IOException {
            super(out, 1 << 18);
            def.setLevel(level);
            def.setStrategy(Deflater.DEFAULT_STRATEGY);
        }
    }
}
