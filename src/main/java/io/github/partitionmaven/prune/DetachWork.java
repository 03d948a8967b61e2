package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.core.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;

/**
 * Detaches a partition CONCURRENTLY, outside any transaction, and can be run again at any point:
 * it marks the partition first, then looks at where the detach stands. A detach left pending (by
 * this run's lock timeout or an earlier, interrupted run) is finalized; one already done is skipped.
 */
record DetachWork(TableName parent, TableName partition, Optional<String> markerComment) implements StepWork {

    static String detachConcurrently(TableName parent, TableName partition) {
        return "ALTER TABLE " + parent.sql() + " DETACH PARTITION " + partition.sql() + " CONCURRENTLY";
    }

    static String finalizeDetach(TableName parent, TableName partition) {
        return "ALTER TABLE " + parent.sql() + " DETACH PARTITION " + partition.sql() + " FINALIZE";
    }

    @Override
    public void run(Connection c, EngineLog log) throws Exception {
        try (Statement s = c.createStatement()) {
            if (markerComment.isPresent()) {
                s.execute(markerComment.get());
            }
            Optional<Boolean> pending = pending(c);
            if (pending.isEmpty()) {
                log.info("      " + partition + " is already detached from " + parent);
            } else if (pending.get()) {
                log.info("      " + partition + " is detach-pending: finalizing");
                s.execute(finalizeDetach(parent, partition));
            } else {
                s.execute(detachConcurrently(parent, partition));
            }
        }
    }

    /** Empty when the partition is no longer attached; otherwise whether its detach is pending. */
    private Optional<Boolean> pending(Connection c) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT i.inhdetachpending FROM pg_inherits i"
                + " WHERE i.inhrelid = pg_catalog.to_regclass(?::pg_catalog.text) AND i.inhparent = pg_catalog.to_regclass(?::pg_catalog.text)")) {
            ps.setString(1, partition.sql());
            ps.setString(2, parent.sql());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBoolean(1)) : Optional.empty();
            }
        }
    }
}
