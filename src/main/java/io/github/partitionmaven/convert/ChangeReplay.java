package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.Jdbc;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies captured changes: takes keys off the change log and makes the target's rows for those keys
 * equal the source's (delete, then insert what the source holds now). Idempotent: replaying a key
 * twice gives the same row, and a key changed again after its replay is logged again.
 */
final class ChangeReplay {

    static final int BATCH = 5_000;
    /**
     * The replay reads and deletes a few rows by key in every partition: plain index scans on the key. Without statistics
     * on the new partitions (autovacuum analyzes them after the swap) the planner guesses a key list matches a large share
     * of each partition and picks bitmap or sequential scans, 30 times slower or worse.
     */
    private static final List<String> BY_KEY = List.of("SET LOCAL enable_bitmapscan = off", "SET LOCAL enable_seqscan = off");
    private static final String CHECK_VIOLATION = "23514";
    private static final String NOT_NULL_VIOLATION = "23502";
    private static final String OUT_OF_RANGE = "22003";

    private ChangeReplay() {
    }

    /** What one replay batch runs, in order, for the plan. */
    static List<String> statements(Transfer transfer) {
        List<String> sql = new ArrayList<>(BY_KEY);
        sql.add(transfer.takeKeys());
        if (!transfer.selfReferences().isEmpty()) {
            sql.add(transfer.relatedKeys() + " -- repeated until it adds no key: the rows the self-referencing foreign key ties them to");
        }
        sql.addAll(List.of(transfer.deleteKeys(), transfer.insertKeys()));
        return sql;
    }

    /** Replays in short transactions until at most {@code leave} keys remain; returns how many keys were replayed. */
    static long catchUp(Connection c, Transfer transfer, long leave, EngineLog log) throws SQLException {
        long total = 0;
        c.setAutoCommit(false);
        try {
            while (true) {
                int n = replayBatch(c, transfer, BATCH);
                c.commit();
                log.debug("replay batch committed: " + n + " key(s)");
                total += n;
                if (n < BATCH && pending(c, transfer) <= leave) {
                    break;
                }
            }
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        log.info("      replayed " + total + " captured change(s)");
        return total;
    }

    /** Replays everything left, inside the caller's transaction. */
    static long drain(Connection c, Transfer transfer) throws SQLException {
        long total = 0;
        int n;
        do {
            n = replayBatch(c, transfer, BATCH);
            total += n;
        } while (n == BATCH);
        return total;
    }

    /**
     * A row with no partition to go to, a NULL where the target requires a value ({@code <addNotNull>}), or a value too
     * wide for the target's column (a rollback into the old table after {@code <widenKeys>}) becomes a clear refusal naming
     * the fix; other errors pass unchanged.
     */
    static SQLException unplaceable(SQLException e, Transfer transfer, String key) {
        if (NOT_NULL_VIOLATION.equals(e.getSQLState())) {
            throw new PartitionException(PartitionException.Kind.DATABASE_STATE, "A row of " + transfer.source() + " has a NULL that "
                    + transfer.target() + " does not allow: " + e.getMessage() + ". Its key is " + key + ". The column held no NULL when"
                    + " the conversion started (so it became NOT NULL there, see the plan); the application has written one since."
                    + " Give that row a value in " + transfer.source() + " and run the goal again (it resumes where it stopped), or"
                    + " abandon the conversion (`mvn partition:convert -Dpartition.abandon`) and convert without <addNotNull>;"
                    + " nothing was swapped.", e);
        }
        if (OUT_OF_RANGE.equals(e.getSQLState())) {
            throw new PartitionException(PartitionException.Kind.DATABASE_STATE, "A row of " + transfer.source() + " holds a value"
                    + " that the column of " + transfer.target() + " cannot: " + e.getMessage() + ". Its key is " + key + ". "
                    + transfer.target() + " keeps the column types from before a conversion with <widenKeys>true</widenKeys> (integer),"
                    + " while " + transfer.source() + " has given out ids past 2147483647. Widen the column(s) of " + transfer.target()
                    + " first, e.g. ALTER TABLE " + transfer.target().sql() + " ALTER COLUMN " + transfer.keyIdent() + " TYPE bigint"
                    + " (rewrites " + transfer.target() + " under an ACCESS EXCLUSIVE lock; the application does not use it), then run"
                    + " the goal again: it resumes where it stopped; nothing was swapped.", e);
        }
        if (!CHECK_VIOLATION.equals(e.getSQLState())) {
            return e;
        }
        throw new PartitionException(PartitionException.Kind.DATABASE_STATE, "A row of " + transfer.source() + " cannot be placed in "
                + transfer.target() + ": " + e.getMessage() + ". Its key is " + key + ". Correct that row in " + transfer.source()
                + " (or raise <premake> if its time is real), then run the goal again: it resumes where it stopped; nothing was swapped.", e);
    }

    static long pending(Connection c, Transfer transfer) throws SQLException {
        return Jdbc.queryLong(c, "SELECT pg_catalog.count(*) FROM " + transfer.changeLog().sql());
    }

    /**
     * Adds to {@code keys} the rows their self-references tie them to ({@link Transfer#relatedKeys()}), until nothing is added:
     * a row brought in for one reason can need others (a referring row of the target now refers, in the source, to a row the
     * target lacks). Usually one round; each round is one query.
     */
    private static void related(Connection c, Transfer transfer, Set<String> keys) throws SQLException {
        int before;
        do {
            before = keys.size();
            try (PreparedStatement ps = c.prepareStatement(transfer.relatedKeys())) {
                Array array = c.createArrayOf("text", keys.toArray());
                ps.setArray(1, array);
                ps.setArray(2, array);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        keys.add(rs.getString(1));
                    }
                }
            }
        } while (keys.size() > before);
    }

    private static int replayBatch(Connection c, Transfer transfer, int limit) throws SQLException {
        Set<String> keys = new LinkedHashSet<>();
        int taken = 0;
        try (PreparedStatement ps = c.prepareStatement(transfer.takeKeys())) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                    taken++;
                }
            }
        }
        if (keys.isEmpty()) {
            return 0;
        }
        try (Statement s = c.createStatement()) {
            for (String setting : BY_KEY) {
                s.execute(setting);
            }
        }
        if (!transfer.selfReferences().isEmpty()) {
            related(c, transfer, keys);
        }
        Object[] array = keys.toArray();
        for (String sql : new String[] {transfer.deleteKeys(), transfer.insertKeys()}) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setArray(1, c.createArrayOf("text", array));
                ps.executeUpdate();
            } catch (SQLException e) {
                throw unplaceable(e, transfer, "one of " + keys.stream().limit(10).toList() + (keys.size() > 10 ? " ..." : ""));
            }
        }
        return taken;
    }
}
