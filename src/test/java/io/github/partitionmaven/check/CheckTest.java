package io.github.partitionmaven.check;

import static io.github.partitionmaven.testing.Engines.month;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

@DatabaseTest
class CheckTest {

    private static final String NOW = "2026-11-24T10:00";

    static CheckThresholds thresholds(long maxPartitionBytes, long maxDefaultRows, long partitioningRows, Set<Check> failOn) {
        return new CheckThresholds(maxPartitionBytes, 2, maxDefaultRows, partitioningRows, Duration.ofMillis(500), 5, failOn);
    }

    static CheckReport check(TestDb db, CheckThresholds t, TableSpec... specs) {
        return Engines.engine(db, NOW, "UTC", specs).check(t);
    }

    static CheckReport check(TestDb db, TableSpec... specs) {
        return check(db, CheckThresholds.DEFAULTS, specs);
    }

    static TableSpec withRetention(String table, String retention) {
        return new TableSpec(table, "created_at", "month", null, null, retention, null, null);
    }

    private static <T extends HealthFinding> List<T> findings(CheckReport r, Class<T> type) {
        return r.findings().stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static TestDb seeded(YearMonth from, YearMonth to) {
        TestDb db = TestDb.fresh(CheckTest.class);
        db.exec(Seed.partitionedTables(from, to).toArray(String[]::new));
        return db;
    }

    @Test
    void healthyTablesTripNothingAndChangeNothing() {
        TestDb db = seeded(YearMonth.of(2026, 6), YearMonth.of(2027, 1));
        String before = db.snapshot();

        CheckReport r = check(db, withRetention("chat_history", "6 months"), month("cost_tracking"));

        assertEquals(List.of(), r.findings());
        assertEquals(CheckStatus.OK, r.status());
        TableHealth chat = r.tables().get(0);
        Coverage c = chat.coverage().orElseThrow();
        assertEquals(2, c.intervalsAhead(), "December and January past November");
        long expected = Duration.between(LocalDateTime.parse(NOW), LocalDate.parse("2027-02-01").atStartOfDay()).toSeconds();
        assertEquals(expected, (long) c.secondsAhead());
        assertEquals(8, chat.partitionCount());
        assertEquals(List.of(), chat.overdue(), "cutoff 2026-05-24: June and later are kept");
        assertEquals(before, db.snapshot(), "check changes nothing");
    }

    @Test
    void coverageUnderTwoIntervalsTripsAndFailsOnlyWhenListedInFailOn() {
        TestDb db = seeded(YearMonth.of(2026, 10), YearMonth.of(2026, 12));

        CheckReport warned = check(db, CheckThresholds.DEFAULTS.withFailOn(Set.of()), month("chat_history"));
        ShortCoverage f = findings(warned, ShortCoverage.class).get(0);
        assertEquals(1, f.coverage().intervalsAhead());
        assertEquals(CheckStatus.WARNING, warned.status());
        assertEquals(List.of(), warned.failures());

        CheckReport failed = check(db, CheckThresholds.DEFAULTS.withFailOn(EnumSet.of(Check.COVERAGE)), month("chat_history"));
        assertEquals(CheckStatus.FAILING, failed.status());
        assertEquals(List.of(Check.COVERAGE), failed.failedChecks());

        CheckReport other = check(db, CheckThresholds.DEFAULTS.withFailOn(EnumSet.of(Check.DEFAULT_ROWS)), month("chat_history"));
        assertEquals(List.of(), other.failures(), "coverage is not in failOn: it only warns");

        CheckReport byDefault = check(db, month("chat_history"));
        assertEquals(List.of(Check.COVERAGE), byDefault.failedChecks(), "coverage gates by default");
    }

    @Test
    void noPartitionHoldingNowIsZeroCoverage() {
        TestDb db = seeded(YearMonth.of(2026, 8), YearMonth.of(2026, 10));

        CheckReport r = check(db, month("chat_history"));

        Coverage c = findings(r, ShortCoverage.class).get(0).coverage();
        assertFalse(c.coversNow());
        assertEquals(0, (long) c.secondsAhead());
        assertTrue(findings(r, ShortCoverage.class).get(0).message().contains("no partition holds now"));
    }

    @Test
    void rowsInTheDefaultPartitionTripOverTheAllowance() {
        TestDb db = seeded(YearMonth.of(2026, 11), YearMonth.of(2027, 1));
        db.exec("CREATE TABLE chat_history_default PARTITION OF chat_history DEFAULT");
        assertEquals(List.of(), findings(check(db, month("chat_history")), DefaultPartitionRows.class), "empty default is fine");

        db.exec("INSERT INTO users (email) VALUES ('a@b')",
                "INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'x', '2030-01-05'),"
                        + " (1, 'user', 'y', '2030-02-05')");
        CheckReport r = check(db, month("chat_history"));
        DefaultPartitionRows f = findings(r, DefaultPartitionRows.class).get(0);
        assertEquals(2, f.rows());
        assertEquals(2, r.tables().get(0).defaultRows());

        CheckReport allowed = check(db, thresholds(CheckThresholds.DEFAULTS.maxPartitionBytes(), 2, 10_000_000, Set.of()),
                month("chat_history"));
        assertEquals(List.of(), findings(allowed, DefaultPartitionRows.class), "2 rows allowed");
    }

    @Test
    void partitionsPastRetentionAreOverdueOnlyWithARetention() {
        TestDb db = seeded(YearMonth.of(2026, 1), YearMonth.of(2027, 1));

        CheckReport r = check(db, withRetention("chat_history", "6 months"));
        OverdueRetention f = findings(r, OverdueRetention.class).get(0);
        assertEquals(List.of("chat_history_2026_01", "chat_history_2026_02", "chat_history_2026_03", "chat_history_2026_04"),
                f.partitions().stream().map(n -> n.name()).toList(), "cutoff 2026-05-24: May is still partly kept");

        assertEquals(List.of(), findings(check(db, month("chat_history")), OverdueRetention.class));
        assertEquals(List.of(), findings(check(db, withRetention("chat_history", "11 months")), OverdueRetention.class));
    }

    @Test
    void detachPendingPartitionTrips() throws Exception {
        TestDb db = seeded(YearMonth.of(2026, 9), YearMonth.of(2027, 1));
        assertEquals(List.of(), findings(check(db, month("chat_history")), DetachPendingPartition.class));

        interruptDetachConcurrently(db, "chat_history", "chat_history_2026_09");

        CheckReport r = check(db, CheckThresholds.DEFAULTS.withFailOn(EnumSet.of(Check.DETACH_PENDING)), month("chat_history"));
        DetachPendingPartition f = findings(r, DetachPendingPartition.class).get(0);
        assertEquals("chat_history_2026_09", f.partition().name());
        assertTrue(f.remedy().contains("FINALIZE"));
        assertEquals(List.of(Check.DETACH_PENDING), r.failedChecks());
    }

    /** A DETACH CONCURRENTLY that times out waiting for an open transaction leaves the partition detach-pending. */
    static void interruptDetachConcurrently(TestDb db, String parent, String partition) throws SQLException {
        try (Connection reader = db.connect(); Connection detacher = db.connect()) {
            reader.setAutoCommit(false);
            try (Statement s = reader.createStatement()) {
                s.execute("SELECT count(*) FROM " + parent);
            }
            try (Statement s = detacher.createStatement()) {
                s.execute("SET statement_timeout = '1s'");
                assertThrows(SQLException.class, () -> s.execute("ALTER TABLE " + parent + " DETACH PARTITION " + partition
                        + " CONCURRENTLY"));
            }
            reader.rollback();
        }
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_inherits WHERE inhdetachpending"));
    }

    @Test
    void gapsAndMisalignedPartitionsTrip() {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE TABLE events (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE events_2026_09 PARTITION OF events FOR VALUES FROM ('2026-09-01 00:00+00') TO ('2026-10-01 00:00+00')",
                "CREATE TABLE events_2026_11 PARTITION OF events FOR VALUES FROM ('2026-11-01 00:00+00') TO ('2026-12-01 00:00+00')",
                "CREATE TABLE events_2026_12 PARTITION OF events FOR VALUES FROM ('2026-12-01 00:00+00') TO ('2027-01-01 00:00+00')",
                "CREATE TABLE events_odd PARTITION OF events FOR VALUES FROM ('2027-01-01 00:00+00') TO ('2027-01-15 00:00+00')");

        CheckReport r = check(db, Engines.spec("events", "created_at", "month", 3));

        RangeGap gap = findings(r, RangeGap.class).get(0);
        assertEquals("2026-10-01 00:00:00+00:00", gap.from());
        assertEquals("2026-11-01 00:00:00+00:00", gap.to());
        assertEquals(1, findings(r, RangeGap.class).size());
        MisalignedPartition odd = findings(r, MisalignedPartition.class).get(0);
        assertEquals("events_odd", odd.partition().name());
        assertEquals(1, findings(r, MisalignedPartition.class).size());
        assertEquals(1, r.tables().get(0).coverage().orElseThrow().intervalsAhead(), "December whole, January only half");

        db.exec("CREATE TABLE events_2026_10 PARTITION OF events FOR VALUES FROM ('2026-10-01 00:00+00') TO ('2026-11-01 00:00+00')");
        assertEquals(List.of(), findings(check(db, Engines.spec("events", "created_at", "month", 3)), RangeGap.class));
    }

    @Test
    void partitionOverTheSizeLimitTrips() {
        TestDb db = seeded(YearMonth.of(2026, 10), YearMonth.of(2027, 1));
        db.exec(Seed.rows(10, 5_000, LocalDate.parse("2026-10-01"), LocalDate.parse("2026-10-31")).toArray(String[]::new));
        // the vacuum writes the free-space and visibility maps now, so autovacuum cannot add their pages between the two sizes
        db.exec("VACUUM chat_history_2026_10");
        long octoberBytes = db.queryLong("SELECT pg_total_relation_size('chat_history_2026_10')");

        assertEquals(List.of(), findings(check(db, month("chat_history")), OversizedPartition.class), "10 GB default");

        CheckReport r = check(db, thresholds(octoberBytes - 1, 0, 10_000_000, Set.of(Check.PARTITION_SIZE)), month("chat_history"));
        List<OversizedPartition> big = findings(r, OversizedPartition.class);
        assertEquals(List.of("chat_history_2026_10"), big.stream().map(f -> f.partition().name()).toList());
        assertEquals(octoberBytes, r.tables().get(0).largestPartitionBytes());
        assertEquals(List.of(Check.PARTITION_SIZE), r.failedChecks());
    }

    @Test
    void plainTableGetsPartitioningRecommendedPastTheThreshold() {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.plainTables().toArray(String[]::new));
        db.exec(Seed.rows(10, 2_000, LocalDate.parse("2026-01-01"), LocalDate.parse("2026-11-01")).toArray(String[]::new));
        db.exec("ANALYZE chat_history");

        CheckReport over = check(db, thresholds(CheckThresholds.DEFAULTS.maxPartitionBytes(), 0, 1_000, Set.of()), month("chat_history"));
        PartitioningRecommended f = findings(over, PartitioningRecommended.class).get(0);
        assertEquals(2_000, f.estimatedRows());
        assertTrue(f.remedy().contains("mvn partition:convert"), f.remedy());
        assertFalse(over.tables().get(0).partitioned());

        CheckReport under = check(db, thresholds(CheckThresholds.DEFAULTS.maxPartitionBytes(), 0, 5_000, Set.of()), month("chat_history"));
        assertEquals(List.of(), under.findings());
        assertEquals(List.of(), check(db, month("chat_history")).findings(), "default threshold: 10M rows");
    }

    @Test
    void slowStatementsWithoutPgStatStatementsIsOneNoteNotAnError() {
        TestDb db = seeded(YearMonth.of(2026, 11), YearMonth.of(2027, 1));

        CheckReport r = check(db, month("chat_history"));

        assertFalse(r.statements().available());
        assertTrue(r.statements().note().contains("pg_stat_statements is not installed"), r.statements().note());
        Engines.RecordingLog log = new Engines.RecordingLog();
        new CheckLogReport(r).print(log::info, log::warn);
        assertEquals(1, log.lines.stream().filter(l -> l.contains("pg_stat_statements")).count(), log.text());
    }

    @Test
    void slowStatementsFromPgStatStatementsAreListedAndFlaggedOverTheThreshold() {
        TestDb db = seeded(YearMonth.of(2026, 11), YearMonth.of(2027, 1));
        db.exec("CREATE TABLE \"Odd Events\" (id bigint, created_at timestamp NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE \"Odd Events 2026_11\" PARTITION OF \"Odd Events\" FOR VALUES FROM ('2026-11-01') TO ('2026-12-01')",
                "CREATE EXTENSION pg_stat_statements",
                // the whole suite shares the server's statement table: emptied, it cannot evict this test's statements
                "SELECT pg_stat_statements_reset()",
                "SELECT pg_sleep(0.6), count(*) FROM chat_history",
                "SELECT count(*) FROM chat_history WHERE created_at > now()",
                "SELECT count(*) FROM cost_tracking_2026_11",
                "SELECT pg_sleep(0.01), count(*) FROM \"Odd Events\"");

        CheckReport r = check(db, month("chat_history"), month("cost_tracking"), month("Odd Events"));

        assertTrue(r.statements().available(), r.statements().note());
        TableHealth chat = r.tables().get(0);
        assertEquals(2, chat.statements().size(), chat.statements().toString());
        assertTrue(chat.statements().get(0).query().contains("pg_sleep"), "slowest first");
        assertTrue(chat.statements().get(0).meanMillis() >= 600);
        List<SlowStatement> slow = findings(r, SlowStatement.class);
        assertEquals(1, slow.size(), "only the 600 ms statement is over 500 ms");
        assertEquals("chat_history", slow.get(0).table().name());
        assertEquals(List.of(), r.tables().get(1).statements(), "a statement on a partition name is not one on the parent name");
        assertEquals(1, r.tables().get(2).statements().size(), "quoted mixed-case name matched");

        CheckReport strict = check(db, new CheckThresholds(CheckThresholds.DEFAULTS.maxPartitionBytes(), 2, 0, 10_000_000,
                Duration.ofMillis(5), 5, Set.of()), month("Odd Events"));
        assertEquals(1, findings(strict, SlowStatement.class).size(), "threshold lowered to 5 ms flags the 10 ms statement");
    }

    @Test
    void logShowsAPartitionTableAndElidesOldPartitionsWithoutFindings() {
        TestDb db = seeded(YearMonth.of(2023, 1), YearMonth.of(2026, 12));
        CheckReport r = check(db, CheckThresholds.DEFAULTS.withFailOn(EnumSet.of(Check.RETENTION)), withRetention("chat_history", "3 years"));
        Engines.RecordingLog log = new Engines.RecordingLog();

        new CheckLogReport(r).print(log::info, log::warn);

        String text = log.text();
        assertTrue(text.contains("INFO   chat_history_2026_12  2026-12-01 00:00:00  2027-01-01 00:00:00"), text);
        assertTrue(text.contains("chat_history_2023_01") && text.contains("past retention"), "overdue partitions are always listed");
        assertFalse(text.contains("chat_history_2024_01"), "old partitions without findings are elided");
        assertTrue(text.contains("... 14 older partition(s) without findings not shown"), text);
        assertTrue(text.contains("WARN   FAIL retention: 10 partition(s) past the retention of 3 years"), text);
        assertTrue(text.contains("WARN   WARN coverage:"), text);
        assertTrue(text.contains("1 failure(s) (retention), 1 warning(s)."), text);
    }

    @Test
    void statementsRunDoNotGrowWithTablesOrPartitions() {
        TestDb db = seeded(YearMonth.of(2026, 10), YearMonth.of(2026, 12));
        db.exec("CREATE EXTENSION pg_stat_statements", "SELECT pg_stat_statements_reset()");
        long small = statementsRunBy(db, () -> check(db, month("chat_history")));
        db.exec(Seed.partitionedTables(YearMonth.of(2020, 1), YearMonth.of(2026, 9)).stream()
                .filter(sql -> sql.contains("PARTITION OF")).toArray(String[]::new));
        db.exec("CREATE TABLE chat_history_default PARTITION OF chat_history DEFAULT",
                "CREATE TABLE cost_tracking_default PARTITION OF cost_tracking DEFAULT");
        long large = statementsRunBy(db, () -> check(db, month("chat_history"), month("cost_tracking")));
        assertEquals(small + 1, large,
                "1 table x 3 partitions, then 2 x 84 with defaults: the same queries, plus the one counting default-partition rows");
    }

    private static long statementsRunBy(TestDb db, Runnable run) {
        String calls = "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database"
                + " WHERE datname = current_database())";
        long before = db.queryLong(calls);
        run.run();
        return db.queryLong(calls) - before;
    }

    @Test
    void missingTableIsAConfigurationErrorNamingTheFix() {
        TestDb db = seeded(YearMonth.of(2026, 11), YearMonth.of(2027, 1));
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class, () -> check(db, month("Chat_History")));
        assertEquals(before, db.snapshot());
        assertEquals(PartitionException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("chat_history") && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
    }
}
