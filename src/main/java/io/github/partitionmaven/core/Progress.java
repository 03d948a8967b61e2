package io.github.partitionmaven.core;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Reports long work to the log at most every 5 seconds: how much is done of the total (rows,
 * partitions or bytes), the rate since the start and the time left at that rate. One reporter for
 * the copy and the index builds of convert and for reading archives (prune's read-back, restore's
 * load). Thread-safe: the copy sessions all add to one.
 */
public final class Progress {

    private static final long REPORT_EVERY_NANOS = Duration.ofSeconds(5).toNanos();

    private final EngineLog log;
    private final String what;
    /** Null for bytes, which are shown as kB/MB/GB. */
    private final String unit;
    private final long total;
    private final long started = System.nanoTime();
    private final long startDone;
    private long done;
    private long lastReport = started;

    private Progress(EngineLog log, String what, String unit, long alreadyDone, long total) {
        this.log = log;
        this.what = what;
        this.unit = unit;
        this.done = alreadyDone;
        this.total = Math.max(total, alreadyDone);
        this.startDone = alreadyDone;
    }

    /** Counts {@code unit}s (rows, partitions): "copied 1,200 of ~3,000 rows (40%), 600 rows/s, ~3s left". */
    public static Progress counting(EngineLog log, String what, long alreadyDone, long total, String unit) {
        return new Progress(log, what, unit, alreadyDone, total);
    }

    /** Counts the bytes read through {@link #reading}: "loading x.csv.gz: 12.0 MB of 40.0 MB (30%), 6.0 MB/s, ~4s left". */
    public static Progress bytes(EngineLog log, String what, long total) {
        return new Progress(log, what, null, 0, total);
    }

    public synchronized void add(long n) {
        done += n;
        long now = System.nanoTime();
        if (now - lastReport >= REPORT_EVERY_NANOS) {
            lastReport = now;
            log.info(line(now));
        }
    }

    public synchronized void finish() {
        log.info(line(System.nanoTime()) + ": done");
    }

    /** {@code in}, adding every byte read from it. */
    public InputStream reading(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    add(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    add(n);
                }
                return n;
            }
        };
    }

    private String line(long now) {
        double seconds = Math.max(1e-3, (now - started) / 1e9);
        double rate = (done - startDone) / seconds;
        long shownTotal = Math.max(total, done);
        String left = rate > 0 && shownTotal > done ? ", ~" + Durations.format(Duration.ofMillis((long) ((shownTotal - done) / rate * 1000))) + " left" : "";
        long percent = shownTotal == 0 ? 100 : done * 100 / shownTotal;
        if (unit == null) {
            return "      " + what + ": " + Durations.bytes(done) + " of " + Durations.bytes(shownTotal) + " (" + percent + "%), "
                    + Durations.bytes((long) rate) + "/s" + left;
        }
        return String.format(Locale.ROOT, "      %s %,d of ~%,d %s (%d%%), %,.0f %s/s%s", what, done, shownTotal, unit, percent, rate, unit, left);
    }
}
