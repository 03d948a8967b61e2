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
        Connection c = connect(settings);
        try (Statement s = c.createStatement()) {
            // first, so that not even the session's own setup is compiled (with jit_above_cost = 0 the next one was)
            s.execute("SET jit = off");
            pinSearchPath(s);
            // then: a role's or database's timeouts would cancel long steps by design (engine.Preflight says so in the plan)
            s.execute("SET statement_timeout = 0");
            s.execute("SET idle_in_transaction_session_timeout = 0");
            // a database or role default of SERIALIZABLE would make every copy batch's read of the table an SSI read: the
            // application's own serializable transactions would fail more often (40001) while it runs; the verification
            // asks for its snapshot itself
            s.execute("SET default_transaction_isolation = 'read committed'");
            // a relation the plugin creates goes where the one it stands for is, named by TABLESPACE, or else to the database's
            // default, not to a role's default_tablespace
            s.execute("SET default_tablespace = ''");
            s.execute("SET TIME ZONE " + Sql.literal(run.zone().getId()));
            s.execute("SET DateStyle = ISO");
            flushAsItWrites(s);
            // JIT compiles any statement planned above jit_above_cost (100,000): on a big table the swap's replay and
            // max(id) statements were compiled inside the ACCESS EXCLUSIVE lock, which then held 252-787 ms instead of
            // 27 ms (PostgreSQL 15, jit = on); the plugin's statements are simple enough that JIT never pays off: jit is set
            // off first, above
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
     * Has the kernel write back what the session writes every 256 kB rather than when it likes: by default Linux lets dirty
     * pages pile up to 20% of memory, and an application's commit, which waits for its WAL to reach the disk, then waits for
     * them too. Measured on PostgreSQL 15, ext4, 2 cores and 24 GiB, a writer committing 200 inserts a second while another
     * session inserted 5 GB: its p99 went from 175-291 ms to 13 ms and its longest commit from 220-414 ms to 22-66 ms, and the
     * bulk insert took 14.5-15.1 s instead of 16.1-21.5 s. The checkpointer's and background writer's own writes are paced so
     * by default ({@code checkpoint_flush_after} 256 kB, {@code bgwriter_flush_after} 512 kB); a backend's are not ({@code
     * backend_flush_after} 0). A platform that cannot flush a range (no sync_file_range) may refuse a value: the session goes
     * on without it.
     */
    private static void flushAsItWrites(Statement s) {
        try {
            s.execute("SET backend_flush_after = '256kB'");
        } catch (SQLException e) {
            // nothing to pace with; the session writes as the server's default has it
        }
    }

    /** A session as the server and pooler give it, nothing set yet (for probing what is in between, see PoolerProbe). */
    public static Connection connect(ConnectionSettings settings) {
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
        try {
            return DriverManager.getConnection(settings.url(), props);
        } catch (SQLException e) {
            throw connectFailure(settings, e);
        }
    }

    /**
     * Every session runs with {@code search_path = pg_catalog, pg_temp}, so no function, operator or type the plugin names
     * without a schema can resolve to an object another role created in a schema on the user's path (CVE-2018-1058: a
     * {@code public.hashtext(varchar)} beats {@code pg_catalog.hashtext(text)} on an exact type match for a varchar
     * parameter, and runs with the plugin's privileges). A SET right after connecting rather than the startup option
     * {@code options=-c search_path=...}: PgBouncer refuses unknown startup parameters unless told to ignore them.
     * The schemas the user's own path named are kept in {@link Sql#USER_SCHEMAS_SETTING}, for the one thing the path is
     * for here: finding a configured table given without a schema. These two statements name every function with its
     * schema, as they run before the path is pinned.
     */
    static void pinSearchPath(Statement s) throws SQLException {
        s.execute("SELECT pg_catalog.set_config('" + Sql.USER_SCHEMAS_SETTING + "', pg_catalog.current_schemas(false)::pg_catalog.text, false)");
        s.execute("SET search_path = pg_catalog, pg_temp");
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
        if (settings.password() == null && detail != null && detail.contains("no password was provided")) {
            // pgjdbc's wording for a server asking for SCRAM/md5 when the client has none (SQL state 08004, like a refusal)
            return PartitionException.configuration("Cannot log in to " + settings.safeUrl() + who + ": password required (the"
                    + " server asks for password authentication and none was given). Set <password> (or -Dpartition.password),"
                    + " or <serverId> naming a <server> with a <password> in settings.xml. " + PartitionException.NOTHING_CHANGED);
        }
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
