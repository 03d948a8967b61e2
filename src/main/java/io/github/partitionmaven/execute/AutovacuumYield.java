package io.github.partitionmaven.execute;

import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.plan.LockMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Autovacuum gives way to the plugin's DDL as PostgreSQL makes it give way, only sooner. A worker vacuuming or analyzing a
 * table holds SHARE UPDATE EXCLUSIVE on it, which every DDL lock waits for, and PostgreSQL cancels the worker only for a lock
 * request that has waited deadlock_timeout (1 s), beyond the plugin's lock_timeout (500 ms by default): left alone, a step
 * times out and retries until the vacuum ends, minutes on a big table (in the convert benchmark, lock_timeout 50 ms, 2M rows,
 * an attach's ADD CHECK took 6 attempts and 6.9 s). So a step that timed out cancels such workers on its tables and their
 * partitions and retries at once (queued for the lock, it makes the next worker skip the table: autovacuum does not wait for
 * locks); a swap cancels them before its LOCK. It cancels what PostgreSQL would: not a vacuum to prevent wraparound, which
 * PostgreSQL never cancels.
 * Seeing a worker needs pg_read_all_stats (to other roles pg_stat_activity shows neither its type nor its query; the step's
 * blockers then name that grant); cancelling it needs superuser, or on PostgreSQL 18 the privileges of
 * pg_signal_autovacuum_worker (since the November 2023 minor releases pg_signal_backend no longer may); without them the
 * worker is named with the grant, not cancelled. A cancelled worker runs again at autovacuum's next round.
 */
public final class AutovacuumYield {

    private static final String MAY_CANCEL = "(pg_catalog.current_setting('is_superuser') = 'on' OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles r"
            + " WHERE r.rolname = 'pg_signal_autovacuum_worker' AND pg_catalog.pg_has_role(r.oid, 'USAGE')))";

    private AutovacuumYield() {
    }

    /** An autovacuum worker on one of the tables: what it runs, and whether it was cancelled or why not. */
    record Worker(int pid, String relation, String query, String role, boolean cancelled) {
        String describe() {
            String what = "autovacuum (pid " + pid + ", " + query + ") on " + relation;
            if (cancelled) {
                return "cancelled " + what + ", as PostgreSQL itself does after deadlock_timeout; it runs again later";
            }
            if (query.contains("(to prevent wraparound)")) {
                return what + " holds a lock this step needs and is not cancelled: it prevents transaction ID wraparound, which"
                        + " PostgreSQL does not cancel either; wait for it to end (SELECT * FROM pg_stat_progress_vacuum shows how far it is)";
            }
            return what + " holds a lock this step needs, and this role may not cancel it: GRANT pg_signal_autovacuum_worker TO "
                    + Sql.ident(role) + " (PostgreSQL 18 and later; before 18 only a superuser may), or wait for it to end";
        }
    }

    /**
     * The statement that cancels the autovacuum workers holding a lock on {@code tables} or their partitions, where this role
     * may and PostgreSQL would; one row per worker: pid, relation, query, this role, cancelled. Never fails for want of
     * privileges: a worker it may not cancel is only listed.
     */
    public static String sql(List<TableName> tables) {
        String names = String.join(", ", tables.stream().map(t -> Sql.literal(t.sql())).toList());
        return "WITH t AS (SELECT pg_catalog.to_regclass(x)::oid AS oid FROM pg_catalog.unnest(ARRAY[" + names + "]::text[]) AS x),"
                + " w AS (SELECT a.pid, pg_catalog.min(l.relation::regclass::text) AS relation, pg_catalog.min(coalesce(a.query, '')) AS query"
                + " FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
                + " WHERE a.backend_type = 'autovacuum worker' AND l.locktype = 'relation' AND (l.relation IN (SELECT oid FROM t)"
                + " OR l.relation IN (SELECT h.inhrelid FROM pg_catalog.pg_inherits h WHERE h.inhparent IN (SELECT oid FROM t)))"
                + " GROUP BY a.pid)"
                + " SELECT w.pid, w.relation, w.query, CURRENT_USER::text AS role,"
                + " CASE WHEN w.query LIKE 'autovacuum:%' AND w.query NOT LIKE '%(to prevent wraparound)%' AND " + MAY_CANCEL
                + " THEN pg_catalog.pg_cancel_backend(w.pid) ELSE false END AS cancelled FROM w";
    }

    /** Whether a step taking {@code locks} can be kept waiting by autovacuum: one of them conflicts with SHARE UPDATE EXCLUSIVE. */
    static boolean mayWaitFor(List<Lock> locks) {
        return locks.stream().anyMatch(l -> l.mode().compareTo(LockMode.SHARE_UPDATE_EXCLUSIVE) >= 0);
    }

    /** What was done about {@code workers}, as sentences; empty when there were none. */
    static String describe(List<Worker> workers) {
        return workers.isEmpty() ? "" : String.join("; ", workers.stream().map(Worker::describe).toList()) + ".";
    }

    /** Runs {@link #sql} on {@code c} (in autocommit) and returns the workers it found. */
    static List<Worker> yieldOn(Connection c, List<TableName> tables) throws SQLException {
        List<Worker> found = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql(tables))) {
            while (rs.next()) {
                found.add(new Worker(rs.getInt("pid"), rs.getString("relation"), rs.getString("query"), rs.getString("role"),
                        rs.getBoolean("cancelled")));
            }
        }
        return found;
    }
}
