package io.github.partitionmaven.execute;

import io.github.partitionmaven.core.Jdbc;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A session-level advisory lock per table, so that two runs of the plugin on the same table take
 * turns instead of racing: the second waits, then finds the work done.
 */
public final class TableLock implements AutoCloseable {

    /** First key of every advisory lock the plugin takes ("part"); the second is hashtext of the table name. */
    static final int NAMESPACE = 0x70617274;

    private final Connection connection;
    private final String key;

    private TableLock(Connection connection, String key) {
        this.connection = connection;
        this.key = key;
    }

    public static TableLock acquire(Connection c, TableName table, Duration maxWait, EngineLog log) throws SQLException {
        String key = table.schema() + "." + table.name();
        long deadline = System.nanoTime() + maxWait.toNanos();
        long nextReport = 0;
        while (true) {
            if (Jdbc.queryBoolean(c, "SELECT pg_catalog.pg_try_advisory_lock(?::pg_catalog.int4, pg_catalog.hashtext(?::pg_catalog.text))", NAMESPACE, key)) {
                return new TableLock(c, key);
            }
            long now = System.nanoTime();
            if (now > deadline) {
                throw PartitionException.environment("Another partition-maven-plugin run (pid " + holder(c, key) + ") has been working on "
                        + table + " for over " + maxWait.toSeconds() + " s; giving up. " + PartitionException.NOTHING_CHANGED, null);
            }
            if (now >= nextReport) {
                log.info("Waiting for another partition-maven-plugin run on " + table + " (pid " + holder(c, key) + ") to finish");
                nextReport = now + Duration.ofSeconds(10).toNanos();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PartitionException.environment("Interrupted while waiting for the lock on " + table, e);
            }
        }
    }

    private static String holder(Connection c, String key) throws SQLException {
        String pids = Jdbc.queryString(c, "SELECT pg_catalog.string_agg(pid::pg_catalog.text, ', ') FROM pg_locks WHERE locktype = 'advisory'"
                + " AND classid = ?::oid AND objid = pg_catalog.hashtext(?::pg_catalog.text)::pg_catalog.oid AND objsubid = 2 AND granted", NAMESPACE, key);
        return pids == null ? "unknown" : pids;
    }

    @Override
    public void close() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_catalog.pg_advisory_unlock(?::pg_catalog.int4, pg_catalog.hashtext(?::pg_catalog.text))")) {
            ps.setInt(1, NAMESPACE);
            ps.setString(2, key);
            ps.execute();
        }
    }
}
