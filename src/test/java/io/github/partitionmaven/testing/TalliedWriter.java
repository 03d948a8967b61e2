package io.github.partitionmaven.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a writer thread of this package saw: the changes it made, its longest operation (the stall the application saw) and
 * its errors. Recorded by the writer's thread, read by the test's.
 */
public abstract class TalliedWriter {

    private final AtomicLong ops = new AtomicLong();
    private final AtomicLong maxNanos = new AtomicLong();
    private volatile long maxStartedAt;
    private final List<Throwable> errors = new ArrayList<>();

    TalliedWriter() {
    }

    final void succeeded() {
        ops.incrementAndGet();
    }

    final void failed(Throwable e) {
        synchronized (errors) {
            errors.add(e);
        }
    }

    /** Times an operation that started at {@code started} ({@link System#nanoTime()}), succeeded or not; returns its nanoseconds. */
    final long timed(long started) {
        long took = System.nanoTime() - started;
        if (took > maxNanos.get()) {
            maxNanos.set(took);
            maxStartedAt = started;
        }
        return took;
    }

    /** Forgets the longest operation so far. */
    void resetStall() {
        maxNanos.set(0);
    }

    /** The changes made without an error. */
    public final long ops() {
        return ops.get();
    }

    /** The longest single operation, in milliseconds. */
    public final double longestStallMillis() {
        return maxNanos.get() / 1e6;
    }

    /** When the longest operation started, in {@link System#nanoTime()}. */
    public final long longestStallStartedAt() {
        return maxStartedAt;
    }

    public final List<Throwable> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }
}
