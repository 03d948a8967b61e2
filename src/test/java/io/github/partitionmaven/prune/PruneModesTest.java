package io.github.partitionmaven.prune;

import static io.github.partitionmaven.prune.PruneFixture.engine;
import static io.github.partitionmaven.prune.PruneFixture.names;
import static io.github.partitionmaven.prune.PruneFixture.retained;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.report.PlanReport;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DatabaseTest
class PruneModesTest {

    private static final List<String> KEPT = List.of("chat_history_2026_01", "chat_history_2026_02", "chat_history_2026_03",
            "chat_history_2026_04", "chat_history_2026_05", "chat_history_2026_06", "chat_history_2026_07", "chat_history_2026_08",
            "chat_history_2026_09");

    @TempDir
    Path archives;

    @Test
    void dropRemovesEveryPartitionEndingAtOrBeforeTheCutoffAndNothingElse() {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 12_000);
        long kept = db.queryLong("SELECT count(*) FROM chat_history WHERE created_at >= '2026-01-01'");
        String costBefore = PruneFixture.checksum(db, "cost_tracking");

        // now - 6 months = 2026-01-01 00:00: December ends exactly at the cutoff and goes; January stays.
        PartitionPlan done = engine(db, "2026-07-01", null, retained("chat_history", "6 months", "drop"),
                retained("cost_tracking", null, null)).apply(Goal.PRUNE);

        assertEquals(6, done.steps().size(), "detach + drop for Oct, Nov, Dec");
        assertEquals(KEPT, names(db, "chat_history"));
        assertEquals(kept, db.queryLong("SELECT count(*) FROM chat_history"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname LIKE 'chat_history_2025%'"));
        assertEquals(costBefore, PruneFixture.checksum(db, "cost_tracking"), "a table without retention is never touched");
        assertEquals(12, names(db, "cost_tracking").size());

        assertTrue(engine(db, "2026-07-01", null, retained("chat_history", "6 months", "drop")).apply(Goal.PRUNE).isEmpty(),
                "second run does nothing");
    }

    @Test
    void detachKeepsTheTablesAndMovesThemToTheRetentionSchema() {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 6_000);
        db.exec("CREATE SCHEMA \"Old Data\"");
        long oct = db.queryLong("SELECT count(*) FROM chat_history_2025_10");
        TableSpec spec = new TableSpec("chat_history", "created_at", "month", null, null, "6 months", "detach", "Old Data");

        engine(db, "2026-07-01", null, spec).apply(Goal.PRUNE);

        assertEquals(KEPT, names(db, "chat_history"));
        assertEquals(oct, db.queryLong("SELECT count(*) FROM \"Old Data\".chat_history_2025_10"));
        assertEquals(List.of("chat_history_2025_10", "chat_history_2025_11", "chat_history_2025_12"),
                db.queryStrings("SELECT relname FROM pg_class WHERE relnamespace = '\"Old Data\"'::regnamespace AND relkind = 'r'"
                        + " ORDER BY 1"));
        assertTrue(db.queryStrings("SELECT obj_description('\"Old Data\".chat_history_2025_10'::regclass, 'pg_class')").get(0)
                .startsWith("partition-maven-plugin: kept by prune"));
        assertTrue(engine(db, "2026-07-01", null, spec).apply(Goal.PRUNE).isEmpty(), "kept tables are not picked up again");
    }

    @Test
    void detachWithoutSchemaLeavesStandaloneTables() {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);

        engine(db, "2026-07-01", null, retained("chat_history", "6 months", "detach")).apply(Goal.PRUNE);

        assertEquals(KEPT, names(db, "chat_history"));
        assertEquals(3, db.queryLong("SELECT count(*) FROM pg_class WHERE relname LIKE 'chat_history_2025%' AND relkind = 'r'"
                + " AND NOT relispartition"));
        assertTrue(engine(db, "2026-07-01", null, retained("chat_history", "6 months", "detach")).apply(Goal.PRUNE).isEmpty());
    }

    @Test
    void archiveWritesVerifiedFilesThenDrops() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 12_000);
        long nov = db.queryLong("SELECT count(*) FROM chat_history_2025_11");
        db.exec("UPDATE chat_history SET content = 'line one' || chr(10) || 'line \"two\", with comma' WHERE id % 7 = 0");

        engine(db, "2026-07-01", archives, retained("chat_history", "6 months", "archive")).apply(Goal.PRUNE);

        assertEquals(KEPT, names(db, "chat_history"));
        Path data = archives.resolve("public.chat_history_2025_11.csv.gz");
        ArchiveManifest m = ArchiveManifest.read(archives.resolve("public.chat_history_2025_11.manifest.json"));
        assertEquals(nov, m.rows());
        assertEquals(nov, ArchiveCheck.read(data, PruneOptions.Compression.GZIP, null).rows(), "CSV-correct count despite newlines in fields");
        assertEquals(ArchiveCheck.read(data, PruneOptions.Compression.GZIP, null).sha256(), m.sha256());
        assertEquals("2025-11-01 00:00:00", m.lower());
        assertEquals(List.of("id", "user_id", "role", "content", "created_at"), m.columns().stream().map(ArchiveManifest.Column::name).toList());
        assertEquals("timestamp without time zone", m.columns().get(4).type());
        assertEquals(6, Files.list(archives).count(), "three data files and three manifests, no temporary files");
        assertTrue(engine(db, "2026-07-01", archives, retained("chat_history", "6 months", "archive")).apply(Goal.PRUNE).isEmpty());
    }

    @Test
    void uncompressedArchivesAreVerifiedAndRestoreToo() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);
        String december = PruneFixture.checksum(db, "chat_history_2025_12");
        PruneOptions plain = new PruneOptions(archives, PruneOptions.Compression.NONE, 1, "test");
        TableSpec spec = retained("chat_history", "6 months", "archive");
        PruneFixture.engineWith(db, "2026-07-01", "UTC", plain, new Engines.RecordingLog(), spec).apply(Goal.PRUNE);

        Path csv = archives.resolve("public.chat_history_2025_12.csv");
        assertTrue(Files.readString(csv).startsWith("id,user_id,role,content,created_at\n"));
        engine(db, "2026-07-01", archives, spec).apply(ArchiveRestore.planner(archives.resolve("public.chat_history_2025_12.manifest.json"), Optional.empty()));
        assertEquals(december, PruneFixture.checksum(db, "chat_history_2025_12"));
    }

    @Test
    void retentionInDaysOverMonthlyPartitionsKeepsThePartitionHoldingTheCutoff() {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);

        // now - 45 days = 2026-01-24: January holds the cutoff and stays, December ended before it.
        engine(db, "2026-03-10", null, retained("chat_history", "45 days", "drop")).apply(Goal.PRUNE);

        assertEquals("chat_history_2026_01", names(db, "chat_history").get(0));
    }

    @Test
    void currentAndFuturePartitionsAreNeverTouchedEvenWithAllDataOld() {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);

        PartitionPlan plan = engine(db, "2026-09-15T12:00", null, retained("chat_history", "1 month", "drop")).plan(Set.of(Goal.PRUNE));

        List<String> touched = plan.steps().stream().map(Step::action).filter(a -> a.startsWith("detach")).toList();
        assertEquals(10, touched.size(), "October 2025 to July 2026; August holds the cutoff, September holds now");
        assertFalse(touched.stream().anyMatch(a -> a.contains("2026_08") || a.contains("2026_09")));
    }

    @Test
    void daylightSavingTimeInANonUtcZoneWithTimestamptz() {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE TABLE events (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)");
        // Monthly partitions at Berlin midnights: +01 in winter, +02 in summer.
        String[] bounds = {"2025-10-01 00:00:00+02", "2025-11-01 00:00:00+01", "2025-12-01 00:00:00+01", "2026-01-01 00:00:00+01",
                "2026-02-01 00:00:00+01", "2026-03-01 00:00:00+01", "2026-04-01 00:00:00+02", "2026-05-01 00:00:00+02",
                "2026-06-01 00:00:00+02", "2026-07-01 00:00:00+02", "2026-08-01 00:00:00+02"};
        for (int i = 0; i + 1 < bounds.length; i++) {
            db.exec("CREATE TABLE events_" + i + " PARTITION OF events FOR VALUES FROM ('" + bounds[i] + "') TO ('" + bounds[i + 1] + "')");
        }
        db.exec("INSERT INTO events SELECT g, timestamptz '2025-10-01 00:00:00+02' + g * interval '1 hour' FROM generate_series(0, 7000) g");

        // now = 2026-07-01 00:00+02 in Berlin; minus 6 months = 2026-01-01 00:00+01, where December ends.
        // UTC arithmetic (2025-12-31 22:00Z) or the summer offset would keep December.
        TableSpec spec = new TableSpec("events", "created_at", "month", null, null, "6 months", "drop", null);
        engine(db, "2026-07-01", "Europe/Berlin", null, new Engines.RecordingLog(), spec)
                .apply(Goal.PRUNE);

        assertEquals(List.of("events_3", "events_4", "events_5", "events_6", "events_7", "events_8", "events_9"), names(db, "events"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM events WHERE created_at < '2026-01-01 00:00:00+01'"));
        assertTrue(db.queryLong("SELECT count(*) FROM events WHERE created_at >= '2026-01-01 00:00:00+01'"
                + " AND created_at < '2026-01-01 01:00:00+01'") > 0, "the first hour of January is kept");
    }

    @Test
    void planShowsPartitionsBoundsRowsSizeAndModeAndChangesNothing() {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 6_000);
        String before = db.snapshot();

        PartitionPlan plan = engine(db, "2026-07-01", archives, retained("chat_history", "6 months", "archive")).plan(Set.of(Goal.PRUNE));

        assertEquals(before, db.snapshot());
        assertEquals(9, plan.steps().size(), "detach, archive, verify+drop for three months");
        Step detach = plan.steps().get(0);
        assertTrue(detach.action().startsWith("detach partition \"public\".\"chat_history_2025_10\" [2025-10-01 00:00:00,"
                + " 2025-11-01 00:00:00), ~"), detach.action());
        assertTrue(detach.action().endsWith("CONCURRENTLY"), detach.action());
        assertTrue(detach.reason().contains("past retention (6 months)") && detach.reason().contains("retentionMode archive"));
        String sql = new PlanReport(plan, "test").sql();
        assertTrue(sql.contains("ALTER TABLE \"public\".\"chat_history\" DETACH PARTITION \"public\".\"chat_history_2025_10\" CONCURRENTLY"), sql);
        assertTrue(sql.contains("COPY (SELECT \"id\", \"user_id\", \"role\", \"content\", \"created_at\" FROM"
                + " \"public\".\"chat_history_2025_10\") TO STDOUT WITH (FORMAT csv, HEADER)"), sql);
        assertTrue(sql.contains("DROP TABLE \"public\".\"chat_history_2025_12\""), sql);
        assertEquals(0, archives.toFile().list().length);
    }

    @Test
    void defaultPartitionMeansPlainDetachInATransaction() {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);
        db.exec("CREATE TABLE chat_history_default PARTITION OF chat_history DEFAULT");

        PartitionPlan plan = engine(db, "2026-07-01", null, retained("chat_history", "6 months", "drop")).plan(Set.of(Goal.PRUNE));
        Step detach = plan.steps().get(0);
        assertTrue(detach.transactional() && !detach.action().contains("CONCURRENTLY"), detach.action());

        engine(db, "2026-07-01", null, retained("chat_history", "6 months", "drop")).apply(Goal.PRUNE);
        assertEquals(10, db.partitions("chat_history").size(), "nine months and the default partition");
    }
}
