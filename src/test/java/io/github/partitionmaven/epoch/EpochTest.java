package io.github.partitionmaven.epoch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.check.Check;
import io.github.partitionmaven.check.CheckReport;
import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.check.DefaultPartitionRows;
import io.github.partitionmaven.check.HealthFinding;
import io.github.partitionmaven.check.OverdueRetention;
import io.github.partitionmaven.check.RangeGap;
import io.github.partitionmaven.check.ShortCoverage;
import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.engine.Planners;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.MirroredWriter;
import io.github.partitionmaven.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tables keyed by a bigint of epoch milliseconds or an integer of epoch seconds, through every goal. */
@DatabaseTest
class EpochTest {

    static final String NOW = "2026-11-24T10:00:00";

    @TempDir
    Path archives;

    private PartitionEngine engine(TestDb db, String now, Engines.RecordingLog log, TableSpec... tables) {
        return engine(db, now, ConvertOptions.DEFAULTS.withBatchSize(500), log, tables);
    }

    private PartitionEngine engine(TestDb db, String now, ConvertOptions convert, Engines.RecordingLog log, TableSpec... tables) {
        return engine(db, now, "UTC", convert, log, tables);
    }

    private PartitionEngine engine(TestDb db, String now, String zone, ConvertOptions convert, Engines.RecordingLog log, TableSpec... tables) {
        // the tests plan at fixed dates, months from the server's clock (2037 for the integer limit)
        RunSettings settings = PolicyReader.settings(zone, now, "300ms", 3, Clock.systemUTC(), true);
        return new PartitionEngine(db.settings(), settings, PolicyReader.tables(Arrays.asList(tables), settings),
                Planners.standard(convert, new PruneOptions(archives, PruneOptions.Compression.GZIP,
                        PruneOptions.DEFAULT_COMPRESSION_LEVEL, "test")), log);
    }

    static long ms(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    static TableSpec epoch(String table, String column, String unit, String retention, String mode) {
        return new TableSpec(table, column, "month", null, null, retention, mode, null).withEpochUnit(unit);
    }

    /** A Keycloak-like event table: bigint milliseconds, nullable (no NULLs), {@code rows} rows from 2025-12-03 to 2026-11-20. */
    static TestDb millisecondTable(int rows) {
        TestDb db = TestDb.fresh(EpochTest.class);
        db.exec("CREATE TABLE events (id bigserial PRIMARY KEY, realm text NOT NULL, type text, event_time bigint)",
                "CREATE INDEX events_time ON events (realm, event_time)",
                "INSERT INTO events (realm, type, event_time) SELECT 'r' || g % 7, 'LOGIN', " + ms("2025-12-03T00:00:00Z")
                        + " + (g::bigint * 7919 % " + rows + ") * ((" + ms("2026-11-20T00:00:00Z") + " - " + ms("2025-12-03T00:00:00Z")
                        + ") / " + rows + ") FROM generate_series(1, " + rows + ") g",
                "ANALYZE events");
        return db;
    }

    /** A PowerDNS-like table: integer epoch seconds, NOT NULL. */
    static TestDb secondsTable(int rows) {
        TestDb db = TestDb.fresh(EpochTest.class);
        long from = ms("2025-12-03T00:00:00Z") / 1000;
        long to = ms("2026-11-20T00:00:00Z") / 1000;
        db.exec("CREATE TABLE changes (id serial PRIMARY KEY, name varchar(255) NOT NULL, modified_at integer NOT NULL)",
                "INSERT INTO changes (name, modified_at) SELECT 'n' || g, " + from + " + (g * 7919 % " + rows + ") * ((" + to + " - " + from
                        + ") / " + rows + ") FROM generate_series(1, " + rows + ") g",
                "ANALYZE changes");
        return db;
    }

    /**
     * The application of an epoch-keyed table, ~200 changes a second: the test's INSERT (its running number from
     * {@code nextval('writes')}, a sequence this makes), and updates (by {@code set}) and deletes of a row picked at random.
     */
    static MirroredWriter writer(TestDb db, String table, String key, String mirror, String insert, String set) {
        db.exec("CREATE SEQUENCE writes");
        String pick = " WHERE " + key + " = (SELECT " + key + " FROM " + table + " ORDER BY random() LIMIT 1)";
        return new MirroredWriter(db, table, key, mirror, 200, List.of(insert), List.of("UPDATE " + table + " SET " + set + pick),
                List.of("DELETE FROM " + table + pick));
    }

    private static <T extends HealthFinding> List<T> findings(CheckReport r, Class<T> type) {
        return r.findings().stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void millisecondTableConvertsByCopyUnderAWriterWithIntegerBoundsThenPremakesChecksAndRollsBack() throws Exception {
        TestDb db = millisecondTable(6000);
        TableSpec spec = epoch("events", "event_time", "milliseconds", null, null);
        Engines.RecordingLog log = new Engines.RecordingLog();
        PartitionPlan plan = engine(db, NOW, log, spec).plan(Set.of(Goal.CONVERT));
        String actions = String.join("\n", plan.steps().stream().map(Step::action).toList());
        String sql = String.join("\n", plan.steps().stream().flatMap(s -> s.statements().stream()).toList());
        assertTrue(sql.contains("FOR VALUES FROM (" + ms("2025-12-01T00:00:00Z") + ") TO (" + ms("2026-01-01T00:00:00Z") + ")"
                + " /* [2025-12-01 00:00:00+00:00, 2026-01-01 00:00:00+00:00) */"), sql);
        assertTrue((actions + sql).contains("2025-12-01 00:00:00+00:00"), "the plan shows the bounds readably:\n" + actions);
        assertTrue((actions + String.join("\n", plan.steps().stream().map(Step::reason).toList())).contains("NOT NULL"),
                "the nullable key column becomes NOT NULL, and the plan says so");

        MirroredWriter w = writer(db, "events", "id", "events_mirror",
                "INSERT INTO events (realm, type, event_time) VALUES ('w', 'LOGIN', " + ms("2026-11-24T10:00:00Z") + " + nextval('writes'))",
                "type = 'LOGOUT'");
        try (w) {
            w.after(50);
            try {
                engine(db, NOW, log, spec).apply(Goal.CONVERT);
            } finally {
                System.out.println(log.text());
            }
            w.finishAfter(w.ops() + 50);
            System.out.printf("writer: %d ops, longest stall %.1f ms%n", w.ops(), w.longestStallMillis());
        }
        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'events'").get(0));
        w.assertTableEqualsMirror();
        List<String> parts = db.partitions("events");
        assertEquals(15, parts.size(), parts.toString());
        assertEquals("events_2025_12 FOR VALUES FROM ('" + ms("2025-12-01T00:00:00Z") + "') TO ('" + ms("2026-01-01T00:00:00Z") + "')",
                parts.get(0));
        assertEquals(db.queryLong("SELECT count(*) FROM events_mirror WHERE event_time >= " + ms("2026-11-01T00:00:00Z")),
                db.queryLong("SELECT count(*) FROM events_2026_11"), "the writer's rows are in November's partition");
        assertEquals("true", db.queryStrings("SELECT attnotnull::text FROM pg_attribute WHERE attrelid = 'events'::regclass"
                + " AND attname = 'event_time'").get(0));

        PartitionPlan premade = engine(db, "2027-01-10T00:00:00", log, spec).apply(Goal.PREMAKE);
        assertEquals(2, premade.steps().size(), premade.steps().toString());
        assertTrue(db.partitions("events").contains("events_2027_04 FOR VALUES FROM ('" + ms("2027-04-01T00:00:00Z") + "') TO ('"
                + ms("2027-05-01T00:00:00Z") + "')"), db.partitions("events").toString());
        CheckReport healthy = engine(db, "2027-01-10T00:00:00", log, spec).check(CheckThresholds.DEFAULTS);
        // the one finding: events_old, kept for the rollback below
        assertEquals(List.of(Check.OLD_TABLE), healthy.findings().stream().map(HealthFinding::check).toList(), healthy.findings().toString());
        assertEquals(3, healthy.tables().get(0).coverage().orElseThrow().intervalsAhead(), "January plus three months ahead");

        PartitionPlan back = engine(db, "2027-01-10T00:00:00", log, spec).apply(Goal.ROLLBACK);
        assertTrue(back.steps().size() >= 3, back.steps().toString());
        assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'events'").get(0));
        w.assertTableEqualsMirror(); // rolled back with every row
    }

    @Test
    void integerSecondsTableConvertsThenChecksFindGapsAndDefaultRowsAndPruneArchivesAndDrops() throws Exception {
        TestDb db = secondsTable(4000);
        Engines.RecordingLog log = new Engines.RecordingLog();
        try (MirroredWriter w = writer(db, "changes", "id", "changes_mirror",
                "INSERT INTO changes (name, modified_at) VALUES ('w' || nextval('writes'), " + ms("2026-11-24T10:00:00Z") / 1000 + ")",
                "name = name || '!'")) {
            w.after(50);
            engine(db, NOW, log, epoch("changes", "modified_at", "seconds", null, null)).apply(Goal.CONVERT);
            w.finishAfter(w.ops() + 50);
            w.assertTableEqualsMirror();
        }
        assertEquals("changes_2026_02 FOR VALUES FROM (" + ms("2026-02-01T00:00:00Z") / 1000 + ") TO (" + ms("2026-03-01T00:00:00Z") / 1000
                + ")", db.partitions("changes").get(2), "integer bounds are printed unquoted");

        TableSpec plain = epoch("changes", "modified_at", "seconds", null, null);
        db.exec("ALTER TABLE changes DETACH PARTITION changes_2026_06", "CREATE TABLE changes_default PARTITION OF changes DEFAULT",
                "INSERT INTO changes_default SELECT * FROM changes_2026_06", "DROP TABLE changes_2026_06");
        long june = db.queryLong("SELECT count(*) FROM changes_default");
        CheckReport r = engine(db, NOW, log, plain).check(CheckThresholds.DEFAULTS);
        assertEquals(1, findings(r, RangeGap.class).size(), r.findings().toString());
        assertTrue(findings(r, RangeGap.class).get(0).from().startsWith("2026-06-01 00:00:00"), findings(r, RangeGap.class).toString());
        assertEquals(june, findings(r, DefaultPartitionRows.class).get(0).rows());
        assertEquals(List.of(), findings(r, ShortCoverage.class));

        engine(db, NOW, log, plain).apply(Goal.PREMAKE);
        assertEquals(0, db.queryLong("SELECT count(*) FROM changes_default"), "premake filled the gap and moved the default's rows into it");
        assertEquals(june, db.queryLong("SELECT count(*) FROM changes_2026_06"));
        CheckReport overdue = engine(db, NOW, log, epoch("changes", "modified_at", "seconds", "6 months", null)).check(CheckThresholds.DEFAULTS);
        assertEquals(5, findings(overdue, OverdueRetention.class).stream().mapToInt(o -> o.partitions().size()).sum(), overdue.findings().toString());

        long december = db.queryLong("SELECT count(*) FROM changes_2025_12");
        engine(db, NOW, log, epoch("changes", "modified_at", "seconds", "10 months", "archive")).apply(Goal.PRUNE);
        assertTrue(db.partitions("changes").get(0).startsWith("changes_2026_01 "), db.partitions("changes").toString());
        assertTrue(Files.exists(archives.resolve("public.changes_2025_12.csv.gz")));
        assertTrue(Files.readString(archives.resolve("public.changes_2025_12.manifest.json")).contains("\"rows\" : " + december)
                || Files.readString(archives.resolve("public.changes_2025_12.manifest.json")).contains("\"rows\": " + december),
                Files.readString(archives.resolve("public.changes_2025_12.manifest.json")));

        engine(db, NOW, log, epoch("changes", "modified_at", "seconds", "6 months", "drop")).apply(Goal.PRUNE);
        assertTrue(db.partitions("changes").get(0).startsWith("changes_2026_05 "), db.partitions("changes").toString());
        assertEquals(0, db.queryLong("SELECT count(*) FROM changes WHERE modified_at < " + ms("2026-05-01T00:00:00Z") / 1000));
    }

    @Test
    void attachMakesTheOldTableOnePartitionUpToAnIntegerBoundAndRollsBack() {
        TestDb db = millisecondTable(2000);
        String before = db.checksum("events");
        TableSpec spec = epoch("events", "event_time", "milliseconds", null, null);
        ConvertOptions attach = ConvertOptions.DEFAULTS.withStrategy(ConvertOptions.Strategy.ATTACH);
        Engines.RecordingLog log = new Engines.RecordingLog();
        engine(db, NOW, attach, log, spec).apply(Goal.CONVERT);
        List<String> parts = db.partitions("events");
        assertTrue(parts.contains("events_old FOR VALUES FROM (MINVALUE) TO ('" + ms("2026-12-01T00:00:00Z") + "')"), parts.toString());
        assertTrue(parts.contains("events_2027_02 FOR VALUES FROM ('" + ms("2027-02-01T00:00:00Z") + "') TO ('" + ms("2027-03-01T00:00:00Z")
                + "')"), parts.toString());
        assertEquals(before, db.checksum("events"));
        CheckReport r = engine(db, NOW, attach, log, spec).check(CheckThresholds.DEFAULTS);
        assertEquals(List.of(), findings(r, RangeGap.class));
        assertEquals(List.of(), findings(r, ShortCoverage.class));

        engine(db, NOW, attach, log, spec).apply(Goal.ROLLBACK);
        assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'events'").get(0));
        assertEquals(before, db.checksum("events"));
    }

    @Test
    void monthsStartAtMidnightInTheConfiguredZone() {
        TestDb db = millisecondTable(500);
        long halfPastMidnightInBerlin = ms("2025-11-30T23:30:00Z");
        db.exec("INSERT INTO events (realm, type, event_time) VALUES ('berlin', 'LOGIN', " + halfPastMidnightInBerlin + ")");
        TableSpec spec = epoch("events", "event_time", "milliseconds", null, null);
        engine(db, NOW, "Europe/Berlin", ConvertOptions.DEFAULTS, new Engines.RecordingLog(), spec).apply(Goal.CONVERT);
        assertEquals("events_2025_12 FOR VALUES FROM ('" + ms("2025-11-30T23:00:00Z") + "') TO ('" + ms("2025-12-31T23:00:00Z") + "')",
                db.partitions("events").get(0), "the oldest row, 23:30 UTC on 30 November, is 00:30 on 1 December in Berlin: no November");
        assertEquals(1, db.queryLong("SELECT count(*) FROM events_2025_12 WHERE realm = 'berlin'"));
        assertEquals(List.of(Check.OLD_TABLE), engine(db, NOW, "Europe/Berlin", ConvertOptions.DEFAULTS, new Engines.RecordingLog(), spec)
                .check(CheckThresholds.DEFAULTS).findings().stream().map(HealthFinding::check).toList(),
                "aligned to Berlin's months, no gap: only events_old, kept for rollback");
    }

    @Test
    void integerColumnWithoutAUnitIsRefusedNamingTheUnitsAndNothingChanges() {
        TestDb db = millisecondTable(100);
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> engine(db, NOW, new Engines.RecordingLog(), Engines.spec("events", "event_time", "month", null)).plan(Set.of(Goal.CONVERT)));
        assertTrue(e.getMessage().contains("is bigint: if it holds epoch time, set <epochUnit> to seconds or milliseconds"), e.getMessage());
        PartitionException onTimestamp = assertThrows(PartitionException.class, () -> {
            db.exec("ALTER TABLE events ADD COLUMN created_at timestamptz");
            engine(db, NOW, new Engines.RecordingLog(), epoch("events", "created_at", "seconds", null, null)).plan(Set.of(Goal.CONVERT));
        });
        assertTrue(onTimestamp.getMessage().contains("is timestamp with time zone, not an integer: <epochUnit>seconds</epochUnit> applies"
                + " only to a bigint or integer column"), onTimestamp.getMessage());
        db.exec("ALTER TABLE events DROP COLUMN created_at");
        assertEquals(before.replaceAll("\\n.*created_at.*", ""), db.snapshot().replaceAll("\\n.*created_at.*", ""));
    }

    @Test
    void valuesInAnotherUnitAreRefusedNamingTheRightOne() {
        TestDb ms = millisecondTable(100);
        String before = ms.snapshot();
        PartitionException asSeconds = assertThrows(PartitionException.class, () -> engine(ms, NOW, new Engines.RecordingLog(),
                epoch("events", "event_time", "seconds", null, null)).apply(Goal.CONVERT));
        assertTrue(asSeconds.getMessage().contains("which as seconds is in the year 58,"), asSeconds.getMessage());
        assertTrue(asSeconds.getMessage().contains("As milliseconds it is 2026-11-1"), asSeconds.getMessage());
        assertTrue(asSeconds.getMessage().contains("set <epochUnit>milliseconds</epochUnit>"), asSeconds.getMessage());
        assertTrue(asSeconds.getMessage().endsWith("Nothing was changed."), asSeconds.getMessage());
        PartitionException asMicros = assertThrows(PartitionException.class, () -> engine(ms, NOW, new Engines.RecordingLog(),
                epoch("events", "event_time", "microseconds", null, null)).apply(Goal.CONVERT));
        assertTrue(asMicros.getMessage().contains("which as microseconds is 1970-01-21"), asMicros.getMessage());
        assertEquals(before, ms.snapshot());

        TestDb s = secondsTable(100);
        PartitionException asMillis = assertThrows(PartitionException.class, () -> engine(s, NOW, new Engines.RecordingLog(),
                epoch("changes", "modified_at", "milliseconds", null, null)).apply(Goal.CONVERT));
        assertTrue(asMillis.getMessage().contains("is integer: <epochUnit>milliseconds</epochUnit> would end before 1970-01-26"),
                asMillis.getMessage());
        s.exec("ALTER TABLE changes ALTER COLUMN modified_at TYPE bigint");
        PartitionException bigMillis = assertThrows(PartitionException.class, () -> engine(s, NOW, new Engines.RecordingLog(),
                epoch("changes", "modified_at", "milliseconds", null, null)).apply(Goal.CONVERT));
        assertTrue(bigMillis.getMessage().contains("As seconds it is 2026-11-1"), bigMillis.getMessage());
        s.exec("UPDATE changes SET modified_at = modified_at * 1000000");
        PartitionException microsAsSeconds = assertThrows(PartitionException.class, () -> engine(s, NOW, new Engines.RecordingLog(),
                epoch("changes", "modified_at", "seconds", null, null)).apply(Goal.CONVERT));
        assertTrue(microsAsSeconds.getMessage().contains("read as seconds lies past the year 294,000: the column counts a finer unit than"
                + " <epochUnit>seconds</epochUnit> says. Set <epochUnit>microseconds</epochUnit> if it counts microseconds."),
                microsAsSeconds.getMessage());
    }

    @Test
    void integerSecondsPartitionPast2038IsRefusedWhilePlanning() {
        TestDb db = secondsTable(100);
        TableSpec spec = epoch("changes", "modified_at", "seconds", null, null);
        engine(db, NOW, new Engines.RecordingLog(), spec).apply(Goal.CONVERT);
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> engine(db, "2037-11-10T00:00:00", new Engines.RecordingLog(), spec).plan(Set.of(Goal.PREMAKE)));
        assertTrue(e.getMessage().contains("integer epoch seconds end at 2038-01-19 03:14:07 UTC (2147483647). Widen the column to bigint"),
                e.getMessage());
        assertEquals(before, db.snapshot());
    }
}
