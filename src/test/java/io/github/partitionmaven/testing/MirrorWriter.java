package io.github.partitionmaven.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application on any table: inserts, updates and deletes by one key column, each applied in the same statement to a
 * mirror (a plain copy made at the start), so that after a conversion under it the table must equal the mirror row for row.
 * Like {@link ChatWriter}, but for tables of other shapes (the zoo's, epoch-keyed ones): the test gives the INSERT (its one
 * parameter a running number) and the SET of an update.
 */
public final class MirrorWriter implements AutoCloseable {

    private final TestDb db;
    private final String table;
    private final String mirror;
    private final String key;
    private final String keyType;
    private final String insert;
    private final String updateSet;
    private final List<String> keys = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong ops = new AtomicLong();
    private final AtomicLong maxNanos = new AtomicLong();
    private final List<Throwable> errors = new ArrayList<>();
    private final Thread thread;

    /**
     * @param table the table, qualified as the application names it
     * @param key a column whose values are unique (the primary key's)
     * @param insert {@code INSERT INTO <table> (...) VALUES (...)} with one parameter, a running number
     * @param updateSet the {@code SET} clause of an update, e.g. {@code message = message || '!'}
     */
    public MirrorWriter(TestDb db, String table, String mirror, String key, String insert, String updateSet) {
        this.db = db;
        this.table = table;
        this.mirror = mirror;
        this.key = key;
        this.insert = insert;
        this.updateSet = updateSet;
        db.exec("CREATE TABLE " + mirror + " AS SELECT * FROM " + table);
        this.keyType = db.queryStrings("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" + table
                + "'::regclass AND attname = '" + key + "'").get(0);
        keys.addAll(db.queryStrings("SELECT " + key + "::text FROM " + table + " ORDER BY " + key + " LIMIT 1000"));
        thread = new Thread(this::loop, "mirror-writer");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        String k = "CAST(? AS " + keyType + ")";
        String ins = "WITH x AS (" + insert + " RETURNING *), m AS (INSERT INTO " + mirror + " SELECT * FROM x) SELECT " + key + "::text FROM x";
        String upd = "WITH x AS (UPDATE " + table + " SET " + updateSet + " WHERE " + key + " = " + k + " RETURNING *), d AS (DELETE FROM "
                + mirror + " m USING x WHERE m." + key + " = x." + key + ") INSERT INTO " + mirror + " SELECT * FROM x";
        String del = "WITH x AS (DELETE FROM " + table + " WHERE " + key + " = " + k + " RETURNING " + key + ") DELETE FROM " + mirror
                + " m USING x WHERE m." + key + " = x." + key;
        long n = 0;
        try (Connection c = db.connect()) {
            try (Statement s = c.createStatement()) {
                s.execute("SET application_name = 'mirror-writer'");
            }
            while (running.get()) {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                int kind = r.nextInt(10);
                long started = System.nanoTime();
                try {
                    if (kind < 5 || keys.isEmpty()) {
                        try (PreparedStatement ps = c.prepareStatement(ins)) {
                            ps.setLong(1, ++n);
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                keys.add(rs.getString(1));
                            }
                        }
                    } else {
                        int at = r.nextInt(keys.size());
                        try (PreparedStatement ps = c.prepareStatement(kind < 8 ? upd : del)) {
                            ps.setString(1, keys.get(at));
                            ps.execute();
                        }
                        if (kind >= 8) {
                            keys.remove(at);
                        }
                    }
                    ops.incrementAndGet();
                } catch (SQLException e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
                maxNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
                Thread.sleep(2);
            }
        } catch (SQLException | InterruptedException e) {
            synchronized (errors) {
                errors.add(e);
            }
        }
    }

    public long ops() {
        return ops.get();
    }

    public double longestStallMillis() {
        return maxNanos.get() / 1e6;
    }

    public List<Throwable> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    /** Waits until at least {@code minOps} changes were made, then keeps writing. */
    public void finishAfter(long minOps) throws InterruptedException {
        while (ops.get() < minOps && thread.isAlive()) {
            Thread.sleep(5);
        }
    }

    /** An order-independent checksum over every column of every row. */
    public static String checksum(TestDb db, String relation) {
        return db.queryStrings("SELECT count(*) || ':' || coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint)::text, '0')"
                + " FROM " + relation + " t").get(0);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join();
    }
}
