package io.github.partitionmaven.execute;

import io.github.partitionmaven.core.Durations;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds a heavy step back while the database is unhealthy ({@link ThrottleLimits}). The sessions of the step call
 * {@link #await} between two units of work, outside any transaction; one of them looks at the database, at most once a
 * {@link #PROBE_EVERY} (after every unit with a WAL rate limit), with one query ({@link #probe()}); while a limit is exceeded every session waits, looking again each
 * {@link #PROBE_EVERY}. A pause that lasts longer than the timeout fails the step: what it finished stays done.
 */
public final class Throttle {

    /** How often the database is looked at: the probe is a handful of catalog views, well under a millisecond. */
    static final Duration PROBE_EVERY = Duration.ofSeconds(1);
    /** How often a long pause is reported. */
    private static final Duration REPORT_EVERY = Duration.ofSeconds(30);
    /** The WAL rate is averaged over at most this long, so a quiet minute does not let the next one write at full speed. */
    private static final Duration RATE_WINDOW = Duration.ofSeconds(5);

    private final ThrottleLimits limits;
    private final TableName table;
    private final boolean seesOthers;
    private final String probe;
    private long probedAt = Long.MIN_VALUE;
    private long windowStart;
    private long windowLsn = -1;

    /**
     * @param table      the table the step reads, for {@code pauseForAutovacuum}
     * @param seesOthers whether the role sees other sessions' statistics; without, replay lag and autovacuum are not looked at
     */
    public Throttle(ThrottleLimits limits, TableName table, boolean seesOthers) {
        this.limits = limits;
        this.table = table;
        this.seesOthers = seesOthers;
        this.probe = probe();
    }

    /** What the plan says of it: when the step pauses, how it is paced. */
    public String describe() {
        return limits.describe(table.toString(), seesOthers);
    }

    /** The query, as the plan prints it: the WAL position, the standbys behind, the archive's backlog, autovacuum on the table. */
    public String probe() {
        String lagging = !limits.maxReplicaLag().isZero() && seesOthers
                ? "(SELECT pg_catalog.string_agg(pg_catalog.format('%s (replay lag %s)', coalesce(nullif(application_name, ''),"
                + " client_addr::text, 'pid ' || pid), replay_lag), ', ') FROM pg_catalog.pg_stat_replication WHERE replay_lag > interval "
                + Sql.literal(limits.maxReplicaLag().toMillis() + " milliseconds") + ")"
                : "NULL";
        // completed segments not yet archived: the one being written, minus the last archived, minus one; pg_stat_archiver is
        // readable by every role, unlike the archive_status directory
        String segment = "(('x' || pg_catalog.substr(%1$s, 9, 8))::bit(32)::bigint * (4294967296 / pg_catalog.pg_size_bytes("
                + "pg_catalog.current_setting('wal_segment_size'))) + ('x' || pg_catalog.substr(%1$s, 17, 8))::bit(32)::bigint)";
        String backlog = limits.maxArchiveBacklog() > 0
                ? "(SELECT CASE WHEN pg_catalog.current_setting('archive_mode') = 'off' THEN 0"
                + " WHEN a.last_archived_wal ~ '^[0-9A-F]{24}' THEN " + segment.formatted("pg_catalog.pg_walfile_name(pg_catalog.pg_current_wal_lsn())")
                + " - " + segment.formatted("a.last_archived_wal") + " - 1 END,"
                + " CASE WHEN a.last_archived_wal IS NULL AND pg_catalog.current_setting('archive_mode') <> 'off' THEN a.failed_count END"
                + " FROM pg_catalog.pg_stat_archiver a)"
                : "(SELECT 0, NULL::bigint)";
        String vacuumed = limits.pauseForAutovacuum() && seesOthers
                ? "EXISTS (SELECT 1 FROM pg_catalog.pg_stat_progress_vacuum v JOIN pg_catalog.pg_stat_activity a ON a.pid = v.pid"
                + " WHERE v.relid = " + Sql.literal(table.sql()) + "::regclass AND a.backend_type = 'autovacuum worker')"
                : "false";
        return "SELECT pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), '0/0')::bigint, " + lagging + ", "
                + vacuumed + ", b.* FROM " + backlog + " b";
    }

    /** What one probe found. */
    private record Health(long lsn, List<String> reasons) {
    }

    /**
     * Returns at once when the database is healthy and the WAL rate within its limit; else waits until it is (or fails after
     * the timeout). {@code c} is the calling session's, outside a transaction; it is left so.
     */
    public synchronized void await(Connection c, EngineLog log) throws SQLException {
        long now = System.nanoTime();
        // pacing the WAL looks after every unit: a second's worth of batches at full speed is the burst it is there to avoid
        if (probedAt != Long.MIN_VALUE && now - probedAt < PROBE_EVERY.toNanos() && limits.maxWalRate() == 0) {
            return;
        }
        Health health = look(c);
        pace(health.lsn(), log);
        if (health.reasons().isEmpty()) {
            return;
        }
        long pausedAt = System.nanoTime();
        long reportedAt = pausedAt;
        log.warn("pausing: " + String.join("; ", health.reasons()) + "; looking again every " + Durations.format(PROBE_EVERY)
                + ", for at most " + Durations.format(limits.timeout()));
        while (!health.reasons().isEmpty()) {
            Duration paused = Duration.ofNanos(System.nanoTime() - pausedAt);
            if (paused.compareTo(limits.timeout()) >= 0) {
                throw new PartitionException(PartitionException.Kind.DATABASE_STATE, "Paused " + Durations.format(paused) + " waiting"
                        + " for the database to be healthy, longer than <throttle><timeout> " + Durations.format(limits.timeout()) + ": "
                        + String.join("; ", health.reasons()) + ". Fix that (or raise the limit named), then run the goal again:"
                        + " it goes on from where this one stopped.");
            }
            if (System.nanoTime() - reportedAt >= REPORT_EVERY.toNanos()) {
                reportedAt = System.nanoTime();
                log.warn("still paused after " + Durations.format(paused) + ": " + String.join("; ", health.reasons()));
            }
            sleep(PROBE_EVERY);
            health = look(c);
        }
        // the WAL written by others while paused is not this step's to make up for
        windowLsn = health.lsn();
        windowStart = System.nanoTime();
        log.info("resuming after a pause of " + Durations.format(Duration.ofNanos(System.nanoTime() - pausedAt)));
    }

    private Health look(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        List<String> reasons = new ArrayList<>();
        long lsn;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(probe)) {
            rs.next();
            lsn = rs.getLong(1);
            String lagging = rs.getString(2);
            if (lagging != null) {
                reasons.add("standby " + lagging + " is behind by more than <maxReplicaLag> " + Durations.format(limits.maxReplicaLag()));
            }
            if (rs.getBoolean(3)) {
                reasons.add("autovacuum is working on " + table + " (<pauseForAutovacuum>)");
            }
            long backlog = rs.getLong(4);
            if (limits.maxArchiveBacklog() > 0 && backlog > limits.maxArchiveBacklog()) {
                reasons.add(backlog + " WAL segments wait for archive_command, more than <maxArchiveBacklog> " + limits.maxArchiveBacklog());
            }
            long failures = rs.getLong(5);
            if (failures > 0) {
                reasons.add("archive_command has failed " + failures + (failures == 1 ? " time" : " times") + " and archived nothing yet (pg_stat_archiver)");
            }
        } finally {
            if (!auto) {
                c.commit();
            }
        }
        probedAt = System.nanoTime();
        return new Health(lsn, reasons);
    }

    /** Sleeps as long as the WAL written since the window began takes at the limit, less the time that has passed. */
    private void pace(long lsn, EngineLog log) throws SQLException {
        long now = System.nanoTime();
        if (limits.maxWalRate() <= 0 || windowLsn < 0) {
            windowLsn = lsn;
            windowStart = now;
            return;
        }
        long allowedNanos = (long) ((lsn - windowLsn) * 1e9 / limits.maxWalRate());
        long ahead = allowedNanos - (now - windowStart);
        if (ahead > 0) {
            log.debug("WAL " + Durations.bytes(lsn - windowLsn) + " in " + Durations.format(Duration.ofNanos(now - windowStart))
                    + ", over <maxWalRate> " + Durations.bytes(limits.maxWalRate()) + "/s: waiting " + Durations.format(Duration.ofNanos(ahead)));
            sleep(Duration.ofNanos(ahead));
            windowLsn = lsn;
            windowStart = System.nanoTime();
        } else if (now - windowStart > RATE_WINDOW.toNanos()) {
            windowLsn = lsn;
            windowStart = now;
        }
    }

    private static void sleep(Duration d) throws SQLException {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while throttled", e);
        }
    }
}
