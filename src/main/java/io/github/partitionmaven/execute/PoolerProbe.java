package io.github.partitionmaven.execute;

import io.github.partitionmaven.core.PartitionException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds out, before the plugin sets anything in a session, whether its sessions are really sessions: behind PgBouncer
 * in transaction or statement pooling mode each transaction runs on whichever server connection is free, so what the
 * plugin keeps in its session (the per-table advisory lock, time zone, lock_timeout, client_connection_check_interval,
 * pgjdbc's server-side prepared statements) would stay on a pooled server connection for other clients and be missing
 * from the plugin's own next statement. {@code SHOW pool_mode} answers on PgBouncer's admin console only, so the probe
 * asks the server instead: session A runs one autocommit statement (its server goes back to a transaction pool), session
 * B then opens a transaction, which PgBouncer serves from the most recently freed server (A's), then A runs again. With
 * real sessions B's backend always differs from A's and A keeps its own; under transaction pooling B gets A's backend or
 * A a new one. Three rounds, so that another client taking A's server meanwhile cannot hide it; nine statements in all.
 */
public final class PoolerProbe {

    private static final int ROUNDS = 3;

    private PoolerProbe() {
    }

    /** Refuses, with the fix, when the sessions opened with {@code settings} share server backends. */
    public static void requireRealSessions(ConnectionSettings settings) {
        // no server-side prepared statements: under transaction pooling another client's may already sit on the server
        Map<String, String> props = new HashMap<>(settings.properties());
        props.putIfAbsent("prepareThreshold", "0");
        ConnectionSettings unprepared = new ConnectionSettings(settings.url(), settings.user(), settings.password(), props);
        try (Connection a = Connections.connect(unprepared); Connection b = Connections.connect(unprepared)) {
            for (int round = 0; round < ROUNDS; round++) {
                int first = pid(a);
                b.setAutoCommit(false);
                int other = pid(b); // statement pooling fails here and closes b: nothing to roll back then
                b.rollback();
                b.setAutoCommit(true);
                int again = pid(a);
                if (other == first || again != first) {
                    throw refusal(settings, "two of its sessions ran on " + (other == first ? "the same server backend (pid " + first
                            + ")" : "changing server backends (pid " + first + ", then " + again + ")"), "transaction");
                }
            }
        } catch (SQLException e) {
            // PgBouncer in statement mode refuses transactions: "transaction blocks not allowed in statement pooling mode"
            if (e.getMessage() != null && e.getMessage().contains("pooling mode")) {
                throw refusal(settings, "the pooler refused a transaction (" + e.getMessage() + ")", "statement");
            }
            throw PartitionException.environment("Cannot check the sessions on " + settings.safeUrl() + ": " + settings.redact(e.getMessage())
                    + ". " + PartitionException.NOTHING_CHANGED, null);
        }
    }

    private static PartitionException refusal(ConnectionSettings settings, String evidence, String mode) {
        return PartitionException.configuration("<url>" + settings.safeUrl() + "</url> reaches PostgreSQL through a connection"
                + " pooler in " + mode + " pooling mode (PgBouncer pool_mode = " + mode + "): " + evidence + ". The plugin keeps"
                + " state in its session between statements (the per-table advisory lock that keeps two runs apart, time zone,"
                + " lock_timeout, prepared statements); under " + mode + " pooling that state would leak into other clients'"
                + " connections and be lost between the plugin's own statements. Point <url> (-Dpartition.url) straight at"
                + " PostgreSQL, or at a PgBouncer database with pool_mode = session.");
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_catalog.pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
