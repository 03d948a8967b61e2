package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.Durations;
import java.time.Duration;
import java.util.Locale;

/** Reports long work to the log at most every few seconds: rows done of total, rows per second, time left. Thread-safe. */
final class ProgressMeter {

    private static final long REPORT_EVERY_NANOS = Duration.ofSeconds(5).toNanos();

    private final EngineLog log;
    private final String what;
    private final String unit;
    private final long total;
    private final long started = System.nanoTime();
    private final long startDone;
    private long done;
    private long lastReport = started;

    ProgressMeter(EngineLog log, String what, long alreadyDone, long total) {
        this(log, what, alreadyDone, total, "rows");
    }

    ProgressMeter(EngineLog log, String what, long alreadyDone, long total, String unit) {
        this.log = log;
        this.what = what;
        this.unit = unit;
        this.done = alreadyDone;
        this.total = Math.max(total, alreadyDone);
        this.startDone = alreadyDone;
    }

    synchronized void add(long rows) {
        done += rows;
        long now = System.nanoTime();
        if (now - lastReport >= REPORT_EVERY_NANOS) {
            lastReport = now;
            log.info(line(now));
        }
    }

    synchronized void finish() {
        log.info(line(System.nanoTime()) + ": done");
    }

    private String line(long now) {
        double seconds = Math.max(1e-3, (now - started) / 1e9);
        double rate = (done - startDone) / seconds;
        long shownTotal = Math.max(total, done);
        String left = rate > 0 && shownTotal > done ? ", ~" + Durations.format(Duration.ofMillis((long) ((shownTotal - done) / rate * 1000))) + " left" : "";
        return String.format(Locale.ROOT, "      %s %,d of ~%,d %s (%d%%), %,.0f %s/s%s", what, done, shownTotal, unit,
                shownTotal == 0 ? 100 : done * 100 / shownTotal, rate, unit, left);
    }
}
