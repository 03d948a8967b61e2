package io.github.partitionmaven.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application: inserts rows into chat_history (or with any other INSERT whose one parameter is the row's time) one by
 * one at a fixed time, recording the slowest insert.
 */
public final class ConcurrentWriter implements AutoCloseable {

    private final Thread thread;
    private final AtomicLong maxNanos = new AtomicLong();
    private final AtomicLong inserts = new AtomicLong();
    private volatile boolean running = true;
    private volatile Exception failure;

    /** Where the writer's session comes from: a test database, or a Citus coordinator. */
    @FunctionalInterface
    public interface Opener {
        Connection connect() throws SQLException;
    }

    public ConcurrentWriter(TestDb db, LocalDateTime at) {
        this(db::connect, at);
    }

    public ConcurrentWriter(Opener db, LocalDateTime at) {
        this(db, "INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'still writing', ?)", at, 2);
    }

    /** Runs {@code insert}, whose one parameter is the time {@code at}, over and over, {@code pauseMillis} apart. */
    public ConcurrentWriter(Opener db, String insert, LocalDateTime at, long pauseMillis) {
        thread = new Thread(() -> {
            try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(insert)) {
                ps.setTimestamp(1, Timestamp.valueOf(at));
                while (running) {
                    long t0 = System.nanoTime();
                    ps.executeUpdate();
                    maxNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
                    inserts.incrementAndGet();
                    Thread.sleep(pauseMillis);
                }
            } catch (SQLException | InterruptedException e) {
                failure = e;
            }
        }, "application-writer");
        thread.start();
    }

    public long maxMillis() {
        return maxNanos.get() / 1_000_000;
    }

    public double maxMillisExact() {
        return maxNanos.get() / 1e6;
    }

    /** Starts measuring afresh. */
    public void reset() {
        maxNanos.set(0);
    }

    public long inserts() {
        return inserts.get();
    }

    /** Waits until the writer has settled in, so its first connection is not counted as a stall. */
    public ConcurrentWriter warm() throws InterruptedException {
        while (inserts.get() < 20 && thread.isAlive()) {
            Thread.sleep(5);
        }
        maxNanos.set(0);
        return this;
    }

    @Override
    public void close() throws Exception {
        running = false;
        thread.join();
        if (failure != null) {
            throw failure;
        }
    }
}
