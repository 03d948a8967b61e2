package io.github.partitionmaven.convert;

import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.policy.Interval;
import io.github.partitionmaven.core.Sql;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Proves the target equals the source before the swap: per partition interval, the row count and a
 * checksum over every column, both read in one snapshot. Keys captured but not yet replayed are left
 * out on both sides (the swap replays them under its lock). A difference stops the conversion with
 * the old table untouched and still in use.
 *
 * <p>Leaving the captured keys out costs a probe of the change log per row (a hash anti-join): on 2M seed rows on
 * Debian's PostgreSQL 15 the sums took 0.78-1.0 s with it and 0.45-0.55 s without. The sums are additive, so both tables
 * are summed whole and the rows of the captured keys, found by key through the indexes, are summed apart and subtracted:
 * a catch-up replay runs just before, so those are at most a few thousand. Above {@value #KEYED_LIMIT} captured keys the
 * anti-join is cheaper again and is used instead. The tables are compared as a whole first; only when the totals differ are
 * they summed per interval, in the same snapshot, to name the intervals that differ.
 */
record Verification(Transfer transfer, String column, KeyType keyType, Interval interval, ZoneId zone, boolean capturing,
                    RowHash rowHash, String abandon, java.util.Optional<LocalDate> keptBefore) implements StepWork {

    Verification(Transfer transfer, String column, KeyType keyType, Interval interval, ZoneId zone, boolean capturing, RowHash rowHash,
                 String abandon) {
        this(transfer, column, keyType, interval, zone, capturing, rowHash, abandon, java.util.Optional.empty());
    }

    private static final String UNDEFINED_FUNCTION = "42883";
    /**
     * How the sums are planned. The planner cannot tell that the interval buckets are few; with sorting off it groups by
     * hashing, and parallel workers each sum their share of the rows before the leader adds up a few partial sums.
     */
    private static final List<String> PLANNING = List.of("SET LOCAL enable_sort = off", "SET LOCAL parallel_tuple_cost = 0");
    /** The captured keys' rows are read by key: index scans, which the planner, without statistics on new partitions, may not pick. */
    private static final List<String> BY_KEY = List.of("SET LOCAL enable_seqscan = off", "SET LOCAL enable_bitmapscan = off");
    /** ... and back for the next pass, which reads every row. */
    private static final List<String> BY_SCAN = List.of("SET LOCAL enable_seqscan TO DEFAULT", "SET LOCAL enable_bitmapscan TO DEFAULT");
    /** Captured keys up to which their rows are summed apart and subtracted rather than left out row by row. */
    static final long KEYED_LIMIT = 100_000;

    /** What the step runs, as the plan shows it: the totals, then the sums per interval only where they are needed. */
    List<String> statements() {
        List<String> sql = new ArrayList<>(PLANNING);
        String hash = rowHash.sql("r");
        for (boolean perInterval : perIntervalPasses()) {
            String pass = perInterval ? " -- per " + interval.unit() + (keptBefore.isPresent() ? "" : ", only when the totals differ, to name where")
                    : " -- the totals";
            if (!capturing) {
                sql.add(query(hash, Rows.ALL, perInterval) + pass);
                continue;
            }
            if (sql.size() == PLANNING.size()) {
                sql.add(countCaptured());
            }
            sql.add(query(hash, Rows.ALL, perInterval) + pass + "; when at most " + KEYED_LIMIT + " keys are captured, then, subtracted from it:");
            sql.addAll(BY_KEY);
            sql.add(query(hash, Rows.CAPTURED, perInterval));
            sql.addAll(BY_SCAN);
            sql.add(query(hash, Rows.NOT_CAPTURED, perInterval) + " -- instead of both, when more keys are captured");
        }
        return sql;
    }

    /**
     * First the totals, one row a table: grouping every row by its interval cost a quarter of the sums (2M seed rows, Debian's
     * PostgreSQL 15: 0.49-0.58 s for the totals, 0.67-0.74 s per month). Per interval only when they differ, to name the
     * intervals, in the same snapshot; and always where retention removed a range from the source, which the target keeps.
     */
    private List<Boolean> perIntervalPasses() {
        return keptBefore.isPresent() ? List.of(true) : List.of(false, true);
    }

    record Sums(long rows, BigInteger checksum) {
        static final Sums NONE = new Sums(0, BigInteger.ZERO);

        Sums minus(Sums other) {
            return new Sums(rows - other.rows, checksum.subtract(other.checksum));
        }
    }

    /** Which rows of each table a query sums. */
    private enum Rows { ALL, CAPTURED, NOT_CAPTURED }

    @Override
    public void run(Connection c, EngineLog log) throws SQLException {
        c.setAutoCommit(false);
        Map<LocalDate, Sums> source;
        Map<LocalDate, Sums> target;
        try {
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                for (String setting : PLANNING) {
                    s.execute(setting);
                }
            }
            boolean keyed = capturing && captured(c) <= KEYED_LIMIT;
            String hash = rowHash.sql("r");
            Map<String, Map<LocalDate, Sums>> sides = null;
            for (boolean perInterval : perIntervalPasses()) {
                try (Statement s = c.createStatement()) {
                    s.execute("SAVEPOINT hashable");
                    sides = sums(c, hash, keyed, perInterval);
                } catch (SQLException e) {
                    if (!UNDEFINED_FUNCTION.equals(e.getSQLState())) {
                        throw e;
                    }
                    // an array or composite of a type without a hash function: hash the row's text instead
                    try (Statement s = c.createStatement()) {
                        s.execute("ROLLBACK TO SAVEPOINT hashable");
                    }
                    hash = RowHash.wholeRowText("r");
                    sides = sums(c, hash, keyed, perInterval);
                }
                log.debug("verification: " + transfer.source() + " and " + transfer.target() + " summed" + (perInterval ? " per "
                        + interval.unit() : " as a whole"));
                if (!perInterval && sides.getOrDefault("source", Map.of()).equals(sides.getOrDefault("target", Map.of()))) {
                    Sums total = sides.getOrDefault("source", Map.of()).getOrDefault(LocalDate.MIN, Sums.NONE);
                    c.commit();
                    log.info("      verified " + total.rows() + " row(s) in " + transfer.source() + " and " + transfer.target()
                            + " as a whole: counts and checksums match");
                    return;
                }
            }
            source = sides.getOrDefault("source", Map.of());
            target = sides.getOrDefault("target", Map.of());
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        List<String> differences = new ArrayList<>();
        long rows = 0;
        TreeSet<LocalDate> days = new TreeSet<>(source.keySet());
        days.addAll(target.keySet());
        long kept = 0;
        for (LocalDate day : days) {
            Sums a = source.getOrDefault(day, Sums.NONE);
            // LocalDate.MIN is the bucket of NULL times (<nullTimes>default</nullTimes>), which retention never removes
            if (keptBefore.isPresent() && day.isBefore(keptBefore.get()) && !day.equals(LocalDate.MIN) && a.rows() == 0) {
                kept += target.get(day).rows(); // a range retention removed from the source: the target keeps its rows
                continue;
            }
            Sums b = target.getOrDefault(day, Sums.NONE);
            rows += a.rows();
            if (!a.equals(b)) {
                differences.add((day.equals(LocalDate.MIN) ? "the rows with a NULL " + Sql.ident(column) : "the " + interval.unit()
                        + " starting " + day) + ": " + a.rows() + " row(s) in " + transfer.source()
                        + " but " + b.rows() + " in " + transfer.target() + (a.rows() == b.rows() ? " (same count, different content)" : ""));
            }
        }
        if (!differences.isEmpty()) {
            throw new PartitionException(PartitionException.Kind.DATABASE_STATE, "Verification failed, so nothing was swapped: "
                    + String.join("; ", differences) + ". " + transfer.source() + " is untouched and still in use. Run the goal again"
                    + " to replay the captured changes and verify again; to abandon the conversion instead run: " + abandon);
        }
        log.info("      verified " + rows + " row(s) in " + source.size() + " " + interval.unit() + "(s): counts and checksums match"
                + (kept > 0 ? "; " + kept + " row(s) of " + transfer.target() + " before " + keptBefore.get() + " (pruned from "
                + transfer.source() + " by retention) are kept" : ""));
    }

    /**
     * The sums of both tables, the captured keys left out: subtracted when {@code keyed}, else by an anti-join; per interval,
     * or one total a table (under {@link LocalDate#MIN}).
     */
    private Map<String, Map<LocalDate, Sums>> sums(Connection c, String hash, boolean keyed, boolean perInterval) throws SQLException {
        if (!keyed) {
            return sums(c, query(hash, capturing ? Rows.NOT_CAPTURED : Rows.ALL, perInterval));
        }
        Map<String, Map<LocalDate, Sums>> all = sums(c, query(hash, Rows.ALL, perInterval));
        try (Statement s = c.createStatement()) {
            for (String setting : BY_KEY) {
                s.execute(setting);
            }
        }
        sums(c, query(hash, Rows.CAPTURED, perInterval)).forEach((side, buckets) -> buckets.forEach((bucket, captured) ->
                all.get(side).computeIfPresent(bucket, (b, whole) -> whole.minus(captured))));
        // an interval all of whose rows are captured is absent, as the anti-join leaves it
        all.values().forEach(buckets -> buckets.values().removeIf(Sums.NONE::equals));
        try (Statement s = c.createStatement()) {
            for (String setting : BY_SCAN) {
                s.execute(setting);
            }
        }
        return all;
    }

    private long captured(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(countCaptured())) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String countCaptured() {
        return "SELECT pg_catalog.count(*) FROM " + transfer.changeLog().sql();
    }

    /** Both tables in one statement: one snapshot. */
    private String query(String hash, Rows rows, boolean perInterval) {
        return side("source", transfer.source().sql(), hash, rows, perInterval) + "\nUNION ALL\n"
                + side("target", transfer.target().sql(), hash, rows, perInterval);
    }

    private static Map<String, Map<LocalDate, Sums>> sums(Connection c, String sql) throws SQLException {
        Map<String, Map<LocalDate, Sums>> out = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                LocalDate bucket = rs.getObject(2, LocalDate.class);
                out.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                        .put(bucket == null ? LocalDate.MIN : bucket, new Sums(rs.getLong(3), rs.getBigDecimal(4).toBigIntegerExact()));
            }
        }
        return out;
    }

    private String side(String name, String table, String hash, Rows rows, boolean perInterval) {
        String k = transfer.keyIdent();
        String log = transfer.changeLog().sql();
        return "SELECT '" + name + "', " + (perInterval ? keyType.bucketExpression("r." + Sql.ident(column), interval, zone) : "NULL::date")
                + " AS bucket, pg_catalog.count(*), coalesce(pg_catalog.sum(" + hash + "), 0) FROM " + table + " r"
                + switch (rows) {
                    case ALL -> "";
                    case CAPTURED -> " WHERE r." + k + " = ANY (ARRAY(SELECT DISTINCT l." + k + " FROM " + log + " l))";
                    case NOT_CAPTURED -> " WHERE NOT EXISTS (SELECT 1 FROM " + log + " l WHERE l." + k + " = r." + k + ")";
                }
                + (perInterval ? " GROUP BY 2" : "");
    }
}
