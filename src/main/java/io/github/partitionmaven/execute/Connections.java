package io.github.partitionmaven.execute;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.core.Sql;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** Opens sessions pinned to the configured zone, so bounds never depend on the client's time zone. */
public final class Connections {

    public static final String APPLICATION_NAME = "partition-maven-plugin";

    private Connections() {
    }

    public static Connection open(ConnectionSettings settings, RunSettings run) {
        if (settings.url() == null || settings.url().isBlank()) {
            throw PartitionException.configuration("No database configured: set <url> (or -Dpartition.url), e.g."
                    + " jdbc:postgresql://localhost:5432/app.");
        }
        if (!settings.url().startsWith("jdbc:postgresql:")) {
            throw PartitionException.configuration("<url>" + settings.safeUrl() + "</url> is not a PostgreSQL JDBC URL: it must start"
                    + " with jdbc:postgresql:, e.g. jdbc:postgresql://localhost:5432/app.");
        }
        Properties props = new Properties();
        props.putAll(settings.properties());
        if (settings.user() != null) {
            props.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            props.setProperty("password", settings.password());
        }
        props.putIfAbsent("ApplicationName", APPLICATION_NAME);
        props.putIfAbsent("connectTimeout", "10");
        Connection c;
        try {
            c = DriverManager.getConnection(settings.url(), props);
        } catch (SQLException e) {
            throw connectFailure(settings, e);
        }
        try (Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE " + Sql.literal(run.zone().getId()));
            s.execute("SET DateStyle = ISO");
            // JIT compiles any statement planned above jit_above_cost (100,000): on a big table the swap's replay and
            // max(id) statements were compiled inside the ACCESS EXCLUSIVE lock, which then held 252-787 ms instead of
            // 27 ms (PostgreSQL 15, jit = on); the plugin's statements are simple enough that JIT never pays off
            s.execute("SET jit = off");
            endWhenClientGone(s);
            return c;
        } catch (SQLException e) {
            closeQuietly(c);
            if ("22023".equals(e.getSQLState())) {
                throw PartitionException.configuration("The server does not know <timeZone>" + run.zone().getId()
                        + "</timeZone>: use a zone from pg_timezone_names.");
            }
            throw PartitionException.environment("Cannot prepare the session on " + settings.safeUrl() + ": "
                    + settings.redact(e.getMessage()), null);
        }
    }

    /**
     * A killed run's statement would otherwise go on in the server until it next talks to the client (a copy batch, an
     * index build, the verification, a lock wait until lock_timeout), keeping the table's advisory lock, so the next run
     * waits for a run that is gone. The server refuses the setting where the kernel cannot report a closed socket.
     */
    private static void endWhenClientGone(Statement s) {
        try {
            s.execute("SET client_connection_check_interval = '1s'");
        } catch (SQLException ignored) {
            // a platform without the check: the server ends the statement later, when it next writes to the socket
        }
    }

    private static PartitionException connectFailure(ConnectionSettings settings, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String who = settings.user() == null ? "" : " as user '" + settings.user() + "'";
        String detail = settings.redact(e.getMessage());
        if (state.startsWith("28")) {
            return PartitionException.configuration("Cannot log in to " + settings.safeUrl() + who + ": " + detail
                    + ". Check <user> and <password>, or the <server> in settings.xml named by <serverId>.");
        }
        if (state.equals("3D000")) {
            return PartitionException.configuration("Cannot connect to " + settings.safeUrl() + ": " + detail + ". Fix the database name in <url>.");
        }
        return PartitionException.environment("Cannot connect to " + settings.safeUrl() + who + ": " + detail
                + ". Is the server running and reachable from here? " + PartitionException.NOTHING_CHANGED, null);
    }

    public static void closeQuietly(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // closing after a failure: the first error is the one worth reporting
        }
    }
}
