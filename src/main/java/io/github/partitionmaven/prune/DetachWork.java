package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.Durations;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.policy.RunSettings;
import java.sql.SQLException;
import java.time.Duration;

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
record DetachWork(TableName parent, TableName partition, Optional<String> markerComment, Duration finishWait) implements StepWork {

    /**
     * How long a detach left pending is finalized for before the run gives up: sixty lock timeouts per attempt (2.5 min at
     * the defaults 500ms and 5 attempts). Finalizing waits only for the transactions that still see the partition; the
     * application's reads and writes of the parent go on meanwhile (SHARE UPDATE EXCLUSIVE), but inserts into the pending
     * range fail until it is done, so the run does not leave it pending when it can help it.
     */
    static Duration finishWait(RunSettings settings) {
        return settings.lockTimeout().multipliedBy(60L * settings.maxAttempts());
    }

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
            try {
                if (pending.isEmpty()) {
                    log.info("      " + partition + " is already detached from " + parent);
                } else if (pending.get()) {
                    log.info("      " + partition + " is detach-pending: finalizing");
                    s.execute(finalizeDetach(parent, partition));
                } else {
                    s.execute(detachConcurrently(parent, partition));
                }
            } catch (SQLException e) {
                if (!pending(c).orElse(false)) {
                    throw e; // nothing pending: the executor's retry (or its report) is right
                }
                finish(c, s, log, e);
            }
        }
    }

    /**
     * The detach got as far as pending and then ran out of lock timeout behind a transaction older than it (a long report,
     * an idle-in-transaction session): finalize it, under the same lock timeout, until it is done or {@link #finishWait} is up.
     */
    private void finish(Connection c, Statement s, EngineLog log, SQLException first) throws Exception {
        long deadline = System.nanoTime() + finishWait.toNanos();
        long nextReport = 0;
        SQLException last = first;
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            if (now >= nextReport) {
                log.warn("      " + partition + " is detach-pending (inserts into its range fail meanwhile): finalizing, waiting up to "
                        + Durations.format(Duration.ofNanos(deadline - now)) + " for " + olderTransactions(c));
                nextReport = now + Duration.ofSeconds(10).toNanos();
            }
            try {
                s.execute(finalizeDetach(parent, partition));
                log.info("      finalized the detach of " + partition);
                return;
            } catch (SQLException e) {
                if (!pending(c).orElse(false)) {
                    return; // finished by another session meanwhile
                }
                last = e;
                Thread.sleep(200);
            }
        }
        throw PartitionException.environment("Could not finish detaching " + partition + " from " + parent + " within "
                + Durations.format(finishWait) + ": " + last.getMessage() + " (SQL state " + last.getSQLState() + ") behind "
                + olderTransactions(c) + ". The partition is left DETACH PENDING: its rows are invisible through " + parent
                + " and inserts into its range fail until the detach is finalized; no row was lost and nothing was dropped."
                + " The next prune run finalizes it before anything else; or end those transactions and run ALTER TABLE "
                + parent.sql() + " DETACH PARTITION " + partition.sql() + " FINALIZE.", last);
    }

    /** The transactions a detach waits for: older snapshots than this session's. */
    private static String olderTransactions(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_catalog.string_agg('pid ' || a.pid || ' ('"
                + " || a.state || ' since ' || a.xact_start || ')', ', ' ORDER BY a.xact_start) FROM pg_catalog.pg_stat_activity a"
                + " WHERE a.backend_xmin IS NOT NULL AND a.pid <> pg_catalog.pg_backend_pid() AND a.xact_start IS NOT NULL"
                + " AND a.datname = pg_catalog.current_database()")) {
            rs.next();
            return rs.getString(1) == null ? "no transaction any more" : "the transactions still running: " + rs.getString(1);
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
