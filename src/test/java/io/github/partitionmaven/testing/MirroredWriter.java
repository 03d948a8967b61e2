package io.github.partitionmaven.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The application of any table during a conversion: a thread running the given INSERT, UPDATE and DELETE statements
 * (written against the table's own columns, picking their rows themselves, e.g. {@code WHERE id = (SELECT id FROM t ORDER
 * BY random() LIMIT 1)}) several times a second. Each statement's {@code RETURNING *} is applied to {@code mirror}, a plain
 * copy, in the same statement, so afterwards the table must hold exactly the mirror's rows ({@link #assertTableEqualsMirror}).
 */
public final class MirroredWriter extends TalliedWriter implements AutoCloseable {

    private final TestDb db;
    private final String table;
    private final String mirror;
    private final List<String> changes = new ArrayList<>();
    private final List<Integer> weights = new ArrayList<>();
    private final long pauseMillis;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    /**
     * @param key     the column the mirror finds a row by
     * @param mirror  the mirror table: created as {@code CREATE TABLE mirror AS SELECT * FROM table} unless it exists
     * @param inserts INSERT statements without RETURNING (three in ten changes)
     * @param updates UPDATE statements without RETURNING (four in ten)
     * @param deletes DELETE statements without RETURNING (three in ten)
     */
    public MirroredWriter(TestDb db, String table, String key, String mirror, int opsPerSecond, List<String> inserts, List<String> updates,
                          List<String> deletes) {
        this.db = db;
        this.table = table;
        this.mirror = mirror;
        this.pauseMillis = 1000L / opsPerSecond;
        db.exec("DO $$ BEGIN IF to_regclass('" + mirror + "') IS NULL THEN CREATE TABLE " + mirror + " AS SELECT * FROM " + table
                + "; END IF; END $$");
        List<String> columns = db.queryStrings("SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = '" + mirror + "'::regclass"
                + " AND attnum > 0 AND NOT attisdropped ORDER BY attnum");
        String set = "UPDATE " + mirror + " m SET (" + String.join(", ", columns) + ") = ROW(" + String.join(", ", columns.stream()
                .map(c -> "x." + c).toList()) + ") FROM x WHERE m." + key + " = x." + key;
        inserts.forEach(sql -> add("WITH x AS (" + sql + " RETURNING *) INSERT INTO " + mirror + " SELECT * FROM x", 3, inserts.size()));
        updates.forEach(sql -> add("WITH x AS (" + sql + " RETURNING *) " + set, 4, updates.size()));
        deletes.forEach(sql -> add("WITH x AS (" + sql + " RETURNING *) DELETE FROM " + mirror + " m USING x WHERE m." + key + " = x." + key,
                3, deletes.size()));
        this.thread = new Thread(this::loop, "mirrored-writer");
        thread.setDaemon(true);
        thread.start();
    }

    private void add(String sql, int weight, int of) {
        changes.add(sql);
        weights.add(Math.max(1, weight * 12 / of));
    }

    private String pick() {
        int total = weights.stream().mapToInt(Integer::intValue).sum();
        int r = ThreadLocalRandom.current().nextInt(total);
        for (int i = 0; i < changes.size(); i++) {
            r -= weights.get(i);
            if (r < 0) {
                return changes.get(i);
            }
        }
        return changes.get(0);
    }

    private void loop() {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("SET application_name = 'mirrored-writer'");
            while (running.get()) {
                String sql = pick();
                long started = System.nanoTime();
                try {
                    s.execute(sql);
                    succeeded();
                } catch (SQLException e) {
                    failed(new IllegalStateException(sql + ": " + e.getMessage(), e));
                }
                timed(started);
                Thread.sleep(pauseMillis);
            }
        } catch (SQLException | InterruptedException e) {
            failed(e);
        }
    }

    /** Waits until the writer has written {@code n} times. */
    public MirroredWriter after(long n) throws InterruptedException {
        long until = System.currentTimeMillis() + 30_000;
        while (ops() < n && thread.isAlive() && System.currentTimeMillis() < until) {
            Thread.sleep(10);
        }
        return this;
    }

    /**
     * Lets the writer go on a moment (300 ms, and until it wrote more than {@code minOps} times, at most 30 s more), stops it,
     * and checks it wrote more than {@code minOps} times without an error.
     */
    public void finishAfter(long minOps) throws InterruptedException {
        Thread.sleep(300);
        after(minOps + 1);
        close();
        assertEquals(List.of(), errors().stream().map(Throwable::getMessage).toList());
        assertTrue(ops() > minOps, "the writer kept writing: " + ops());
    }

    /** Every row of the table is in the mirror and the other way round, duplicates counted, every column compared. */
    public void assertTableEqualsMirror() {
        long missing = db.queryLong("SELECT count(*) FROM (SELECT m::text FROM " + mirror + " m EXCEPT ALL SELECT t::text FROM " + table + " t) x");
        long extra = db.queryLong("SELECT count(*) FROM (SELECT t::text FROM " + table + " t EXCEPT ALL SELECT m::text FROM " + mirror + " m) x");
        assertEquals("0 0", missing + " " + extra, "rows of the mirror missing from " + table + ", rows of " + table + " the mirror lacks");
        assertTrue(db.queryLong("SELECT count(*) FROM " + table) > 0);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(30_000);
    }
}
