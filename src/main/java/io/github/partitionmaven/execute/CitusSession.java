package io.github.partitionmaven.execute;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The session and transaction settings a Citus coordinator needs so that {@code lock_timeout} binds on the workers'
 * shards too, not only on the coordinator. Citus runs DDL on a distributed table over its own connections to the
 * workers, and a session-level {@code SET lock_timeout} stays on the coordinator: measured on Citus 13.2, a DETACH
 * with {@code lock_timeout = 500ms} waited the whole 3.1 s behind a reader holding its shard on a worker. With
 * {@code citus.propagate_set_commands = 'local'} Citus forwards {@code SET LOCAL} to those worker connections, so a
 * {@code SET LOCAL lock_timeout} at the start of each transaction binds there: 55P03 after 0.7-0.9 s. Only
 * {@code SET LOCAL} is forwarded (a session SET is not, even with the setting), hence both.
 *
 * <p>Without Citus everything here is a no-op; detecting it costs one query per session opened by the executor.
 */
final class CitusSession {

    private static final CitusSession NONE = new CitusSession(false);

    private final boolean citus;

    private CitusSession(boolean citus) {
        this.citus = citus;
    }

    /** Looks at the database the connection is on; on Citus, sets the session up to propagate SET LOCAL. */
    static CitusSession prepare(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return NONE;
            }
        }
        CitusSession session = new CitusSession(true);
        session.prepareAnother(c);
        return session;
    }

    /** Sets up another session on the same database (the executor's extra sessions). */
    void prepareAnother(Connection c) throws SQLException {
        if (!citus) {
            return;
        }
        try (Statement s = c.createStatement()) {
            s.execute("SET citus.propagate_set_commands = 'local'");
        }
    }

    boolean citus() {
        return citus;
    }
}
