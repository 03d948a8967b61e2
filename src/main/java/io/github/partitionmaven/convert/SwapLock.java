package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.execute.AutovacuumYield;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * How a swap takes its ACCESS EXCLUSIVE lock: it first cancels autovacuum on the table and its partitions
 * ({@link AutovacuumYield}), which would otherwise hold it past the swap's short lock_timeout and fail the attempt; then it
 * locks. Application sessions are never cancelled: the swap waits for them within lock_timeout and retries.
 */
final class SwapLock {

    private SwapLock() {
    }

    static List<String> statements(TableName table) {
        return List.of(AutovacuumYield.sql(List.of(table)), "LOCK TABLE " + table.sql() + " IN ACCESS EXCLUSIVE MODE");
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
