package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.Durations;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/** Reports every few seconds how far reading a file of known size has come: bytes, rate and time left. */
final class ProgressInputStream extends FilterInputStream {

    private static final long EVERY = Duration.ofSeconds(5).toNanos();

    private final long total;
    private final String what;
    private final EngineLog log;
    private final long started = System.nanoTime();
    private long read;
    private long nextReport = started + EVERY;

    ProgressInputStream(InputStream in, long total, String what, EngineLog log) {
        super(in);
        this.total = total;
        this.what = what;
        this.log = log;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        count(b < 0 ? -1 : 1);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        count(n);
        return n;
    }

    private void count(int n) {
        if (n <= 0) {
            return;
        }
        read += n;
        long now = System.nanoTime();
        if (now < nextReport) {
            return;
        }
        nextReport = now + EVERY;
        double perSecond = read / ((now - started) / 1e9);
        String left = perSecond > 0 && total > read ? ", ~" + Durations.format(Duration.ofSeconds((long) ((total - read) / perSecond)))
                + " left" : "";
        log.info("      " + what + ": " + Durations.bytes(read) + " of " + Durations.bytes(total) + " (" + (total > 0 ? read * 100 / total : 100)
                + "%), " + Durations.bytes((long) perSecond) + "/s" + left);
    }
}
