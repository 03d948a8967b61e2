package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.core.Sql;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * How a swap takes its ACCESS EXCLUSIVE lock. An autovacuum worker on the table holds SHARE UPDATE
 * EXCLUSIVE (on a partitioned table: on a partition) and yields only to a lock request that waits longer than deadlock_timeout (1 s), far
 * beyond the short lock_timeout the swap uses; so the swap cancels autovacuum on that table first
 * (it simply runs again later). Application sessions are never cancelled: the swap waits for them
 * within lock_timeout and retries.
 */
final class SwapLock {

    private SwapLock() {
    }

    static List<String> statements(TableName table) {
        String oid = Sql.literal(table.sql()) + "::regclass";
        return List.of("SELECT pg_catalog.pg_cancel_backend(a.pid) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid"
                        + " WHERE a.backend_type = 'autovacuum worker' AND (l.relation = " + oid
                        + " OR l.relation IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = " + oid + "))",
                "LOCK TABLE " + table.sql() + " IN ACCESS EXCLUSIVE MODE");
    }

    /** Runs the lock statements ({@link #statements}); the result tells how long the lock took and how long it has been held. */
    static Held take(Statement st, List<String> lock) throws SQLException {
        long start = System.nanoTime();
        for (String statement : lock) {
            st.execute(statement);
        }
        return new Held(start, System.nanoTime());
    }

    /** When the lock was asked for and when it was granted, in {@link System#nanoTime()}. */
    record Held(long asked, long granted) {
        String describe() {
            return "lock obtained in " + Duration.ofNanos(granted - asked).toMillis() + " ms; ACCESS EXCLUSIVE held "
                    + Duration.ofNanos(System.nanoTime() - granted).toMillis() + " ms until commit";
        }
    }
}
