package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.Progress;
import io.github.partitionmaven.core.Jdbc;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.execute.Connections;
import io.github.partitionmaven.core.Sessions;
import io.github.partitionmaven.execute.SideBySide;
import io.github.partitionmaven.execute.Throttle;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.core.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * Copies the source into the target in batches of consecutive keys, {@code sessions} batches at a time: each batch is
 * one short transaction that copies the rows with keys in (lower, upper] and records that range in the progress
 * record. A killed run leaves whole batches; the next one copies only the ranges no batch recorded.
 *
 * @param readBack whether each batch reads back the pages it filled ({@link #setHintBits}): only where hint bits are logged
 * @param pause    how long a session waits after each batch before taking the next (zero: not at all)
 * @param health   what a session waits for after a batch, while the database is unhealthy (empty: nothing)
 */
record BatchCopy(Transfer transfer, TableName progress, int batchSize, int sessions, long total, boolean readBack, Duration pause,
                 Optional<Throttle> health) implements StepWork {

    /**
     * Before a batch records its range. Only the sibling sessions update the progress row, each for an instant before
     * committing: never give up on them. The commit waits for the disk whatever the server's default, as PostgreSQL sets
     * no hint bits for a commit not yet flushed.
     */
    static final List<String> RECORD_SETTINGS = List.of("SET LOCAL lock_timeout = 0", "SET LOCAL synchronous_commit = on");
    static final String RECORD_RANGE_SQL = "UPDATE %s SET copied_from = copied_from || CAST(? AS text),"
            + " copied_to = copied_to || CAST(? AS text), copied_rows = copied_rows + ?";

    /** Keys (lower, upper] in their text form; an absent bound is the start or the end of the table. */
    record Range(Optional<String> lower, Optional<String> upper) {
        @Override
        public String toString() {
            return "(" + lower.orElse("start") + ", " + upper.orElse("end") + "]";
        }
    }

    /** Without further sessions: one batch at a time. */
    @Override
    public void run(Connection c, EngineLog log) throws Exception {
        run(c, null, log);
    }

    @Override
    public void run(Connection c, Sessions more, EngineLog log) throws Exception {
        Ranges ranges = Ranges.resume(c, transfer, progress, batchSize, total, sessions);
        Progress meter = Progress.counting(log, "copied", ranges.copiedRows, total, "rows");
        List<Connection> opened = new ArrayList<>();
        try {
            for (int i = 1; more != null && i < sessions; i++) {
                try {
                    opened.add(more.open());
                } catch (Exception e) {
                    log.warn("Could not open copy session " + (i + 1) + " of " + sessions + " (" + e.getMessage() + "); copying with " + i + ".");
                    break;
                }
            }
            SideBySide.run(() -> copyBatches(c, ranges, meter, log),
                    opened.stream().map(session -> (Callable<Void>) () -> copyBatches(session, ranges, meter, log)).toList(), ranges::stop);
        } finally {
            opened.forEach(Connections::closeQuietly);
        }
        try (Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE " + progress.sql() + " SET copy_done = true");
        }
        meter.finish();
    }

    /** Copies batches until none is left; the first session to fail stops the others after their current batch. */
    private Void copyBatches(Connection c, Ranges ranges, Progress meter, EngineLog log) throws SQLException {
        String record = String.format(RECORD_RANGE_SQL, progress.sql());
        c.setAutoCommit(false);
        try {
            Optional<Range> next;
            while ((next = ranges.claim(c, transfer, batchSize)).isPresent()) {
                Range range = next.get();
                Map<String, Long> before = readBack ? pages(c) : Map.of();
                long rows;
                try (PreparedStatement ps = c.prepareStatement(transfer.copyRange(range.lower().isPresent(), range.upper().isPresent()))) {
                    int i = 1;
                    if (range.lower().isPresent()) {
                        ps.setString(i++, range.lower().get());
                    }
                    if (range.upper().isPresent()) {
                        ps.setString(i, range.upper().get());
                    }
                    rows = ps.executeUpdate();
                } catch (SQLException e) {
                    throw ChangeReplay.unplaceable(e, transfer, "within the keys " + range);
                }
                try (Statement s = c.createStatement(); PreparedStatement ps = c.prepareStatement(record)) {
                    for (String setting : RECORD_SETTINGS) {
                        s.execute(setting);
                    }
                    ps.setString(1, range.lower().orElse(null));
                    ps.setString(2, range.upper().orElse(null));
                    ps.setLong(3, rows);
                    ps.executeUpdate();
                }
                c.commit();
                log.debug("copy batch committed: " + rows + " row(s), keys " + range);
                if (readBack) {
                    setHintBits(c, before);
                }
                meter.add(rows);
                if (!pause.isZero()) {
                    sleepBetweenBatches();
                }
                if (health.isPresent()) {
                    health.get().await(c, log);
                }
            }
        } catch (SQLException | RuntimeException e) {
            ranges.stop();
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        return null;
    }

    /**
     * Leaves the disk to the application a moment: a batch writes its rows into the WAL at full speed, and every commit of
     * the application waits until the WAL written before it is on disk (measured on PostgreSQL 15, 2 cores: the writer's p99
     * went from 4.5 ms idle to 73 ms during the floor's single INSERT ... SELECT, and to 76 ms during an unpaced copy).
     */
    private void sleepBetweenBatches() throws SQLException {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while pausing between copy batches", e);
        }
    }

    /**
     * Reads the pages this batch added (and the last one before them), right after its commit: the rows get their hint
     * bits while the pages are still in memory and before a checkpoint begins. Left to the first index build, hinting would
     * dirty every page again and, with data checksums, write most of them into the WAL a second time as full-page images
     * (measured: a 2M-row primary key build took 2.5 s instead of 0.6 s). The rows of a sibling's batch still running stay
     * unhinted until that sibling reads its own pages. Without data checksums and wal_log_hints a hint never goes to the WAL,
     * and the first index build hints each page once, as the read-back would: there it is skipped (on PostgreSQL 15 with 2M
     * seed rows the read-backs took 14.9 s of statement time for nothing).
     */
    private void setHintBits(Connection c, Map<String, Long> before) throws SQLException {
        Map<String, long[]> added = new TreeMap<>();
        pages(c).forEach((partition, now) -> {
            long then = before.getOrDefault(partition, 0L);
            if (now > then) {
                added.put(partition, new long[] {Math.max(0, then - 1), now});
            }
        });
        if (!added.isEmpty()) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(Transfer.readPages(added))) {
                while (rs.next()) {
                    rs.getLong(1);
                }
            }
        }
        c.commit();
    }

    private Map<String, Long> pages(Connection c) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(transfer.targetPages())) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    /**
     * The batches still to copy: first the gaps a killed run left between the ranges it recorded, then the batches after
     * the last recorded key. An integer key that is dense enough (at least every other value used) is cut into ranges of a
     * fixed width, holding about {@code batchSize} rows each and at most twice that, gaps included, and handed out from one
     * region of the key per session in turn; any other key is cut by walking its index {@code batchSize} keys ahead.
     */
    static final class Ranges {
        static final Set<String> INTEGER_KEYS = Set.of("smallint", "integer", "bigint");

        private final Deque<Range> gaps;
        /** The fixed-width ranges of an integer key still to copy, in the order they are handed out. */
        private final Deque<Range> planned;
        private Optional<String> next;
        private boolean reachedEnd;
        private boolean stopped;
        final long copiedRows;

        private Ranges(Deque<Range> gaps, Deque<Range> planned, Optional<String> next, boolean reachedEnd, long copiedRows) {
            this.gaps = gaps;
            this.planned = planned;
            this.next = next;
            this.reachedEnd = reachedEnd;
            this.copiedRows = copiedRows;
        }

        /**
         * @param rows    the source's estimated row count
         * @param regions how many sessions copy: ranges of an integer key are handed out from as many regions of the key in
         *                turn, so that the sessions fill different partitions of a time-ordered table rather than compete for
         *                the same last page
         */
        static Ranges resume(Connection c, Transfer transfer, TableName progress, int batchSize, long rows, int regions) throws SQLException {
            Deque<Range> gaps = new ArrayDeque<>();
            Optional<String> previousUpper = Optional.empty();
            boolean first = true;
            boolean reachedEnd = false;
            String sql = "SELECT r.lower, r.upper FROM " + progress.sql() + " p, unnest(p.copied_from, p.copied_to) AS r(lower, upper)"
                    + " ORDER BY CAST(r.lower AS " + transfer.keyType() + ") NULLS FIRST";
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    Optional<String> lower = Optional.ofNullable(rs.getString(1));
                    if (first ? lower.isPresent() : !Objects.equals(lower, previousUpper)) {
                        gaps.add(new Range(previousUpper, lower));
                    }
                    previousUpper = Optional.ofNullable(rs.getString(2));
                    reachedEnd = previousUpper.isEmpty();
                    first = false;
                }
            }
            long copied = Jdbc.queryLong(c, "SELECT copied_rows FROM " + progress.sql());
            Optional<long[]> span = integerSpan(c, transfer, batchSize, rows);
            Deque<Range> planned = new ArrayDeque<>();
            if (span.isPresent()) {
                // a killed run with several sessions leaves wide gaps: copied in batches too
                Deque<Range> split = new ArrayDeque<>();
                gaps.forEach(g -> split.addAll(cut(g.lower(), g.upper(), span.get())));
                gaps = split;
                if (!reachedEnd) {
                    planned = inTurns(cut(previousUpper, Optional.empty(), span.get()), regions);
                }
            }
            return new Ranges(gaps, planned, previousUpper, reachedEnd || span.isPresent(), copied);
        }

        /** Smallest key, largest key and range width of an integer key with at least every other value used; else empty. */
        private static Optional<long[]> integerSpan(Connection c, Transfer transfer, int batchSize, long rows) throws SQLException {
            if (!INTEGER_KEYS.contains(transfer.keyType())) {
                return Optional.empty();
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(transfer.keySpan())) {
                rs.next();
                long min = rs.getLong(1);
                long max = rs.getLong(2);
                if (rs.wasNull() || rows <= 0 || (double) max - min + 1 > 2.0 * rows) {
                    return Optional.empty();
                }
                return Optional.of(new long[] {min, max, Math.max(1, (long) Math.ceil(batchSize * ((double) max - min + 1) / rows))});
            }
        }

        /** (lower, upper] cut into ranges of the span's width; an absent upper is the open end past the largest key. */
        private static List<Range> cut(Optional<String> lower, Optional<String> upper, long[] span) {
            List<Range> out = new ArrayList<>();
            long limit = upper.map(Long::parseLong).orElse(span[1]);
            Optional<String> from = lower;
            while (true) {
                long start = from.map(Long::parseLong).orElse(span[0] - 1);
                long end = start + span[2];
                if (end < start || end >= limit) {
                    out.add(new Range(from, upper));
                    return out;
                }
                out.add(new Range(from, Optional.of(Long.toString(end))));
                from = Optional.of(Long.toString(end));
            }
        }

        /** The ranges split into {@code regions} consecutive regions, handed out one from each region in turn. */
        private static Deque<Range> inTurns(List<Range> ranges, int regions) {
            Deque<Range> out = new ArrayDeque<>();
            int chunk = (ranges.size() + Math.max(1, regions) - 1) / Math.max(1, regions);
            for (int i = 0; i < chunk; i++) {
                for (int start = 0; start < ranges.size(); start += chunk) {
                    if (start + i < Math.min(ranges.size(), start + chunk)) {
                        out.add(ranges.get(start + i));
                    }
                }
            }
            return out;
        }

        /** The next batch to copy, if any; {@code c} walks the key index to find where it ends when the key is not cut by width. */
        synchronized Optional<Range> claim(Connection c, Transfer transfer, int batchSize) throws SQLException {
            if (stopped) {
                return Optional.empty();
            }
            if (!gaps.isEmpty()) {
                return Optional.of(gaps.poll());
            }
            if (!planned.isEmpty()) {
                return Optional.of(planned.poll());
            }
            if (reachedEnd) {
                return Optional.empty();
            }
            Optional<String> end = endByIndex(c, transfer, batchSize);
            Range range = new Range(next, end);
            next = end;
            reachedEnd = end.isEmpty();
            return Optional.of(range);
        }

        private Optional<String> endByIndex(Connection c, Transfer transfer, int batchSize) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(transfer.batchEnd(next.isEmpty()))) {
                int i = 1;
                if (next.isPresent()) {
                    ps.setString(i++, next.get());
                }
                ps.setInt(i, batchSize - 1);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        }

        synchronized void stop() {
            stopped = true;
        }
    }
}
