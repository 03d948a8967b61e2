package io.github.partitionmaven.engine;

import static io.github.partitionmaven.testing.Engines.engine;
import static io.github.partitionmaven.testing.Engines.month;
import static io.github.partitionmaven.testing.Engines.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.plan.TablePlan;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

@DatabaseTest
class PremakeScenariosTest {

    private static final String EVENTS = "CREATE TABLE events (id bigserial, created_at timestamptz NOT NULL, payload text,"
            + " PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at)";

    @Test
    void fillsGapsBetweenExistingPartitions() {
        TestDb db = TestDb.fresh(getClass());
        db.exec(EVENTS,
                "CREATE TABLE events_2026_06 PARTITION OF events FOR VALUES FROM ('2026-06-01 00:00+00') TO ('2026-07-01 00:00+00')",
                "CREATE TABLE events_2026_09 PARTITION OF events FOR VALUES FROM ('2026-09-01 00:00+00') TO ('2026-10-01 00:00+00')");
        engine(db, "2026-11-24", "UTC", month("events")).apply(Goal.PREMAKE);
        List<String> names = db.queryStrings("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = 'events'::regclass ORDER BY 1");
        assertEquals(List.of("events_2026_06", "events_2026_07", "events_2026_08", "events_2026_09", "events_2026_10", "events_2026_11",
                "events_2026_12", "events_2027_01", "events_2027_02"), names);
    }

    @Test
    void movesDefaultPartitionStragglersIntoTheNewPartitionAndLeavesFarFutureRowsAlone() {
        TestDb db = TestDb.fresh(getClass());
        db.exec(EVENTS,
                "CREATE TABLE events_2026_11 PARTITION OF events FOR VALUES FROM ('2026-11-01 00:00+00') TO ('2026-12-01 00:00+00')",
                "CREATE TABLE events_default PARTITION OF events DEFAULT",
                "INSERT INTO events (created_at, payload) VALUES ('2026-12-05 10:00+00', 'straggler'), ('2027-01-31 23:59:59+00', 'late'),"
                        + " ('2099-01-01 00:00+00', 'far future')");
        Engines.RecordingLog log = new Engines.RecordingLog();
        PartitionPlan plan = engine(db, "2026-11-24", "UTC", log, month("events")).plan(Set.of(Goal.PREMAKE));
        TablePlan t = plan.tables().get(0);
        assertEquals(3, t.steps().size(), "Dec, Jan, Feb: counted from now, not from the 2099 row");
        assertEquals(1, t.steps().get(0).rows());
        assertTrue(t.findings().stream().anyMatch(f -> f.message().contains("1 row(s) in the default partition")), t.findings().toString());

        engine(db, "2026-11-24", "UTC", month("events")).apply(Goal.PREMAKE);
        assertEquals(1, db.queryLong("SELECT count(*) FROM events_2026_12"));
        assertEquals(1, db.queryLong("SELECT count(*) FROM events_2027_01"));
        assertEquals(1, db.queryLong("SELECT count(*) FROM events_default"), "the 2099 row stays");
        assertEquals(3, db.queryLong("SELECT count(*) FROM events"), "no row lost");
    }

    @Test
    void reportsMisalignedPartitionsAndNeverTouchesThem() {
        TestDb db = TestDb.fresh(getClass());
        db.exec(EVENTS,
                "CREATE TABLE events_odd PARTITION OF events FOR VALUES FROM ('2026-11-15 00:00+00') TO ('2026-12-15 00:00+00')");
        String before = db.snapshot();
        PartitionPlan plan = engine(db, "2026-11-24", "UTC", month("events")).plan(Set.of(Goal.PREMAKE));
        TablePlan t = plan.tables().get(0);
        assertEquals(before, db.snapshot(), "plan changes nothing");
        assertTrue(t.findings().stream().anyMatch(f -> f.message().contains("events_odd") && f.message().contains("not aligned")));
        assertEquals(List.of("create partition \"public\".\"events_2027_01\"", "create partition \"public\".\"events_2027_02\""),
                t.steps().stream().map(s -> s.action().replaceAll(" for .*", "")).toList(), "Nov and Dec overlap events_odd");
        engine(db, "2026-11-24", "UTC", month("events")).apply(Goal.PREMAKE);
        assertTrue(db.partitions("events").contains("events_odd FOR VALUES FROM ('2026-11-15 00:00:00+00') TO ('2026-12-15 00:00:00+00')"));
    }

    @Test
    void planShowsExactlyTheStatementsPremakeRuns() {
        TestDb db = TestDb.fresh(getClass());
        db.exec(EVENTS, "CREATE TABLE events_default PARTITION OF events DEFAULT",
                "INSERT INTO events (created_at) VALUES ('2026-12-24 12:00+00')");
        List<Step> planned = engine(db, "2026-11-24", "UTC", month("events")).plan(Set.of(Goal.PREMAKE)).steps();
        List<Step> executed = engine(db, "2026-11-24", "UTC", month("events")).apply(Goal.PREMAKE).steps();
        assertEquals(planned.stream().map(Step::statements).toList(), executed.stream().map(Step::statements).toList());
        assertEquals(4, executed.size());
    }

    @Test
    void dateAndTimestampKeysAndOtherIntervals() {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE TABLE daily (d date NOT NULL) PARTITION BY RANGE (d)",
                "CREATE TABLE weekly (ts timestamp NOT NULL) PARTITION BY RANGE (ts)",
                "CREATE TABLE quarterly (ts timestamptz NOT NULL) PARTITION BY RANGE (ts)",
                "CREATE TABLE yearly (ts timestamp NOT NULL) PARTITION BY RANGE (ts)");
        engine(db, "2026-12-30", "UTC", spec("daily", "d", "day", 2), spec("weekly", "ts", "week", 1),
                spec("quarterly", "ts", "quarter", 1), spec("yearly", "ts", "year", 1)).apply(Goal.PREMAKE);
        assertEquals(List.of("daily_2026_12_30 FOR VALUES FROM ('2026-12-30') TO ('2026-12-31')",
                "daily_2026_12_31 FOR VALUES FROM ('2026-12-31') TO ('2027-01-01')",
                "daily_2027_01_01 FOR VALUES FROM ('2027-01-01') TO ('2027-01-02')"), db.partitions("daily"));
        assertEquals(List.of("weekly_2026_12_28 FOR VALUES FROM ('2026-12-28 00:00:00') TO ('2027-01-04 00:00:00')",
                "weekly_2027_01_04 FOR VALUES FROM ('2027-01-04 00:00:00') TO ('2027-01-11 00:00:00')"), db.partitions("weekly"));
        assertEquals(List.of("quarterly_2026_q4 FOR VALUES FROM ('2026-10-01 00:00:00+00') TO ('2027-01-01 00:00:00+00')",
                "quarterly_2027_q1 FOR VALUES FROM ('2027-01-01 00:00:00+00') TO ('2027-04-01 00:00:00+00')"), db.partitions("quarterly"));
        assertEquals(List.of("yearly_2026 FOR VALUES FROM ('2026-01-01 00:00:00') TO ('2027-01-01 00:00:00')",
                "yearly_2027 FOR VALUES FROM ('2027-01-01 00:00:00') TO ('2028-01-01 00:00:00')"), db.partitions("yearly"));
    }

    @Test
    void namesThatNeedQuotingWorkEverywhere() {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE SCHEMA \"Mixed Schema\"",
                "CREATE TABLE \"Mixed Schema\".\"Chat \"\"History\"\"\" (id bigint, \"Created At\" timestamptz NOT NULL, body text)"
                        + " PARTITION BY RANGE (\"Created At\")",
                "CREATE TABLE \"Mixed Schema\".\"Chat default\" PARTITION OF \"Mixed Schema\".\"Chat \"\"History\"\"\" DEFAULT",
                "INSERT INTO \"Mixed Schema\".\"Chat \"\"History\"\"\" VALUES (1, '2026-11-30 23:00+00', 'x')");
        engine(db, "2026-11-24", "UTC", spec("\"Mixed Schema\".\"Chat \"\"History\"\"\"", "Created At", "month", 1)).apply(Goal.PREMAKE);
        assertEquals(List.of("Chat \"History\"_2026_11", "Chat \"History\"_2026_12", "Chat default"),
                db.queryStrings("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                        + " WHERE i.inhparent = '\"Mixed Schema\".\"Chat \"\"History\"\"\"'::regclass ORDER BY 1"));
        assertEquals(1, db.queryLong("SELECT count(*) FROM \"Mixed Schema\".\"Chat \"\"History\"\"_2026_11\""));
        assertTrue(engine(db, "2026-11-24", "UTC", spec("\"Mixed Schema\".\"Chat \"\"History\"\"\"", "Created At", "month", 1))
                .plan(Set.of(Goal.PREMAKE)).isEmpty());
    }
}
