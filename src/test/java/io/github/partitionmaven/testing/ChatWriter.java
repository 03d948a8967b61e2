package io.github.partitionmaven.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The application during a conversion: a thread inserting, updating and deleting rows of
 * {@code chat_history} by name. With {@code mirror}, each change is applied in the same statement to
 * {@code chat_ref}, a plain copy, so afterwards {@code chat_history} must equal {@code chat_ref}.
 * Records every operation's latency; the longest is the stall the application saw.
 */
public final class ChatWriter extends TalliedWriter implements AutoCloseable {

    private final TestDb db;
    private final boolean mirror;
    private final long pauseMicros;
    private final LocalDateTime from;
    private final LocalDateTime to;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile long maxId;
    /** Every operation's latency in nanoseconds since the last {@link #resetStall()}, for percentiles. */
    private final List<Long> latencies = new ArrayList<>();

    /** @param opsPerSecond target rate; 0 for as fast as it goes */
    public ChatWriter(TestDb db, boolean mirror, int opsPerSecond, LocalDateTime from, LocalDateTime to) {
        this.db = db;
        this.mirror = mirror;
        this.pauseMicros = opsPerSecond <= 0 ? 0 : 1_000_000L / opsPerSecond;
        this.from = from;
        this.to = to;
        if (mirror) {
            db.exec("CREATE TABLE chat_ref AS SELECT * FROM chat_history", "ALTER TABLE chat_ref ADD PRIMARY KEY (id)");
        }
        this.maxId = db.queryLong("SELECT coalesce(max(id), 0) FROM chat_history");
        this.thread = new Thread(this::loop, "chat-writer");
        thread.setDaemon(true);
        thread.start();
    }

    private String sql(String change, String mirrorChange) {
        return mirror ? "WITH x AS (" + change + ") " + mirrorChange : change;
    }

    private void loop() {
        String insert = sql("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (?, 'user', ?, ?) RETURNING *",
                "INSERT INTO chat_ref SELECT * FROM x");
        String update = sql("UPDATE chat_history SET content = ?, role = 'assistant' WHERE id = ? RETURNING *",
                "UPDATE chat_ref r SET content = x.content, role = x.role FROM x WHERE r.id = x.id");
        String delete = sql("DELETE FROM chat_history WHERE id = ? RETURNING id", "DELETE FROM chat_ref r USING x WHERE r.id = x.id");
        long span = java.time.Duration.between(from, to).toSeconds();
        try (Connection c = db.connect()) {
            try (Statement s = c.createStatement()) {
                s.execute("SET application_name = 'chat-writer'");
            }
            long next = System.nanoTime();
            while (running.get()) {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                int kind = r.nextInt(10);
                long started = System.nanoTime();
                try {
                    if (kind < 5) {
                        try (PreparedStatement ps = c.prepareStatement(insert)) {
                            ps.setInt(1, 1 + r.nextInt(50));
                            ps.setString(2, "written during conversion " + r.nextLong());
                            ps.setTimestamp(3, Timestamp.valueOf(from.plusSeconds(r.nextLong(span))));
                            if (mirror) {
                                ps.executeUpdate();
                            } else {
                                try (ResultSet rs = ps.executeQuery()) {
                                    rs.next();
                                }
                            }
                        }
                        maxId++;
                    } else {
                        try (PreparedStatement ps = c.prepareStatement(kind < 8 ? update : delete)) {
                            int i = 1;
                            if (kind < 8) {
                                ps.setString(i++, "changed " + r.nextLong());
                            }
                            ps.setLong(i, 1 + r.nextLong(Math.max(1, maxId)));
                            ps.execute();
                        }
                    }
                    succeeded();
                } catch (SQLException e) {
                    failed(e);
                }
                long took = timed(started);
                synchronized (latencies) {
                    latencies.add(took);
                }
                if (pauseMicros > 0) {
                    next += pauseMicros * 1000;
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    }
                }
            }
        } catch (SQLException | InterruptedException e) {
            failed(e);
        }
    }

    /** Forgets the longest operation and the latencies so far. */
    @Override
    public void resetStall() {
        super.resetStall();
        synchronized (latencies) {
            latencies.clear();
        }
    }

    /** The {@code percentile} (e.g. 99) of the operations' latencies since the last {@link #resetStall()}, in milliseconds. */
    public double latencyPercentileMillis(double percentile) {
        return latencyPercentileMillis(percentile, 0, Integer.MAX_VALUE);
    }

    /** How many operations were timed since the last {@link #resetStall()}: bounds for the percentile of a stretch of them. */
    public int timedOperations() {
        synchronized (latencies) {
            return latencies.size();
        }
    }

    /** The {@code percentile} of the timed operations {@code from} (inclusive) to {@code to} (exclusive), in milliseconds. */
    public double latencyPercentileMillis(double percentile, int from, int to) {
        List<Long> sorted;
        synchronized (latencies) {
            sorted = new ArrayList<>(latencies.subList(Math.min(from, latencies.size()), Math.min(to, latencies.size())));
        }
        if (sorted.isEmpty()) {
            return 0;
        }
        sorted.sort(null);
        int i = (int) Math.min(sorted.size() - 1, Math.ceil(percentile / 100 * sorted.size()) - 1);
        return sorted.get(Math.max(0, i)) / 1e6;
    }

    /** Lets the writer go on a moment after the run, stops it, and checks it wrote more than {@code minOps} times without an error. */
    public void finishAfter(long minOps) throws InterruptedException {
        Thread.sleep(200);
        close();
        assertEquals(List.of(), errors());
        assertTrue(ops() > minOps, "the writer kept writing: " + ops());
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(30_000);
    }
}
