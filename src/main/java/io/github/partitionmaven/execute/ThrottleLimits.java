package io.github.partitionmaven.execute;

import io.github.partitionmaven.core.Durations;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.policy.PolicyReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * When a heavy step (a conversion's copy, its index builds) waits for the database to be healthy again, between two of its
 * units of work (a batch, a partition). GitLab's batched migrations pause for the same signals: a replica falling behind,
 * WAL piling up for the archive, autovacuum on the table, the WAL rate.
 *
 * @param maxReplicaLag      pause while a streaming standby's {@code replay_lag} is above it (zero: never)
 * @param maxArchiveBacklog  pause while more completed WAL segments than this wait for {@code archive_command}, or while it
 *                           has failed and never succeeded (zero: never)
 * @param maxWalRate         bytes of WAL a second, the whole server's, the step keeps itself to on average (zero: no limit)
 * @param pauseForAutovacuum pause while autovacuum works on the table the step reads
 * @param timeout            how long one pause may last before the step fails (its finished units stay done)
 */
public record ThrottleLimits(Duration maxReplicaLag, long maxArchiveBacklog, long maxWalRate, boolean pauseForAutovacuum, Duration timeout) {

    public static final String DEFAULT_MAX_REPLICA_LAG = "60s";
    public static final int DEFAULT_MAX_ARCHIVE_BACKLOG = 256;
    public static final String DEFAULT_TIMEOUT = "30min";

    /**
     * A minute of replay lag is what a read replica's users notice; 256 segments are 4 GB of WAL (16 MB segments) that a
     * failing archive keeps on the primary's disk. No WAL rate limit: the disk's own speed is the application's to share, and
     * how much of it to leave is a choice ({@code <maxWalRate>}, docs/benchmarks.md has the trade-off measured).
     */
    public static final ThrottleLimits DEFAULTS = new ThrottleLimits(Duration.ofSeconds(60), DEFAULT_MAX_ARCHIVE_BACKLOG, 0, true,
            Duration.ofMinutes(30));
    public static final ThrottleLimits NONE = new ThrottleLimits(Duration.ZERO, 0, 0, false, Duration.ofMinutes(30));

    public ThrottleLimits {
        if (maxReplicaLag.isNegative()) {
            throw PartitionException.configuration("<maxReplicaLag> is negative: use 0s (never pause for it) or more, e.g. 60s.");
        }
        if (maxArchiveBacklog < 0) {
            throw PartitionException.configuration("<maxArchiveBacklog>" + maxArchiveBacklog + "</maxArchiveBacklog> is negative: use 0"
                    + " (never pause for it) or a number of WAL segments, e.g. " + DEFAULT_MAX_ARCHIVE_BACKLOG + ".");
        }
        if (timeout.toSeconds() < 1 || timeout.compareTo(Duration.ofHours(24)) > 0) {
            throw PartitionException.configuration("<throttle><timeout>" + timeout.toMillis() + "ms</timeout> is out of range:"
                    + " use 1s to 1440min (default " + DEFAULT_TIMEOUT + ").");
        }
    }

    /**
     * Reads the configuration as written; null keeps each default. {@code maxWalRate} is a size a second: {@code 50MB} or
     * {@code 50MB/s}, 0 for no limit.
     */
    public static ThrottleLimits of(String maxReplicaLag, Integer maxArchiveBacklog, String maxWalRate, Boolean pauseForAutovacuum,
                                    String timeout) {
        String rate = maxWalRate == null ? "" : maxWalRate.trim().replaceFirst("(?i)\\s*/\\s*s$", "");
        return new ThrottleLimits(
                blank(maxReplicaLag) ? DEFAULTS.maxReplicaLag : PolicyReader.parseDuration(maxReplicaLag, "maxReplicaLag"),
                maxArchiveBacklog == null ? DEFAULTS.maxArchiveBacklog : maxArchiveBacklog,
                rate.isEmpty() || rate.equals("0") ? 0 : PolicyReader.parseSize(rate, "maxWalRate"),
                pauseForAutovacuum == null ? DEFAULTS.pauseForAutovacuum : pauseForAutovacuum,
                blank(timeout) ? DEFAULTS.timeout : PolicyReader.parseDuration(timeout, "timeout"));
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    /** For a step that does not read the table the conversion watches (autovacuum there does not concern it). */
    public ThrottleLimits withoutAutovacuum() {
        return new ThrottleLimits(maxReplicaLag, maxArchiveBacklog, maxWalRate, false, timeout);
    }

    /** Whether the step ever looks at the database's health. */
    public boolean any() {
        return !maxReplicaLag.isZero() || maxArchiveBacklog > 0 || maxWalRate > 0 || pauseForAutovacuum;
    }

    /**
     * What the plan says of it, for a step reading {@code table}; {@code seesOthers}: whether the role can see replay lag and
     * autovacuum at all (without, those two are left out, and the plan warns).
     */
    public String describe(String table, boolean seesOthers) {
        List<String> when = new ArrayList<>();
        if (!maxReplicaLag.isZero() && seesOthers) {
            when.add("a standby's replay lag is over " + Durations.format(maxReplicaLag) + " (<maxReplicaLag>)");
        }
        if (maxArchiveBacklog > 0) {
            when.add("more than " + maxArchiveBacklog + " WAL segments wait for archive_command (<maxArchiveBacklog>)");
        }
        if (pauseForAutovacuum && seesOthers) {
            when.add("autovacuum works on " + table + " (<pauseForAutovacuum>)");
        }
        String pauses = when.isEmpty() ? "" : "pauses while " + String.join(", or ", when) + ", at most " + Durations.format(timeout)
                + " at a time (<timeout>)";
        String paced = maxWalRate == 0 ? "" : "keeps the server's WAL to " + Durations.bytes(maxWalRate) + "/s on average (<maxWalRate>)";
        return pauses.isEmpty() || paced.isEmpty() ? pauses + paced : pauses + "; " + paced;
    }
}
