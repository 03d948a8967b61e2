package io.github.partitionmaven.engine;

import static io.github.partitionmaven.testing.Engines.engine;
import static io.github.partitionmaven.testing.Engines.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.TestDb;
import java.util.List;
import java.util.Set;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/** Bounds follow the configured zone, never the JVM's or the server's, across DST changes. */
@DatabaseTest
class TimeZoneTest {

    private static final String TABLE = "CREATE TABLE m (ts timestamptz NOT NULL) PARTITION BY RANGE (ts)";

    @Test
    void monthlyBoundsAcrossDstInBerlin() {
        TestDb db = TestDb.fresh(getClass());
        db.exec(TABLE, "ALTER DATABASE " + db.name() + " SET TimeZone = 'Asia/Tokyo'");
        TimeZone jvm = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("America/Los_Angeles"));
        try {
            engine(db, "2026-02-10", "Europe/Berlin", spec("m", "ts", "month", 2)).apply(Goal.PREMAKE);
        } finally {
            TimeZone.setDefault(jvm);
        }
        assertEquals(List.of("m_2026_02 FOR VALUES FROM ('2026-01-31 23:00:00+00') TO ('2026-02-28 23:00:00+00')",
                "m_2026_03 FOR VALUES FROM ('2026-02-28 23:00:00+00') TO ('2026-03-31 22:00:00+00')",
                "m_2026_04 FOR VALUES FROM ('2026-03-31 22:00:00+00') TO ('2026-04-30 22:00:00+00')"), db.partitions("m"),
                "Berlin midnights: +01 in winter, +02 after the change on 29 March");
        assertTrue(engine(db, "2026-02-10", "Europe/Berlin", spec("m", "ts", "month", 2)).plan(Set.of(Goal.PREMAKE)).isEmpty());
    }

    @Test
    void weeklyAndDailyBoundsAcrossDstInNewYork() {
        TestDb db = TestDb.fresh(getClass());
        db.exec(TABLE, "CREATE TABLE d (ts timestamptz NOT NULL) PARTITION BY RANGE (ts)");
        engine(db, "2026-10-30", "America/New_York", spec("m", "ts", "week", 1), spec("d", "ts", "day", 3)).apply(Goal.PREMAKE);
        assertEquals(List.of("m_2026_10_26 FOR VALUES FROM ('2026-10-26 04:00:00+00') TO ('2026-11-02 05:00:00+00')",
                "m_2026_11_02 FOR VALUES FROM ('2026-11-02 05:00:00+00') TO ('2026-11-09 05:00:00+00')"), db.partitions("m"));
        assertEquals(List.of("d_2026_10_30 FOR VALUES FROM ('2026-10-30 04:00:00+00') TO ('2026-10-31 04:00:00+00')",
                "d_2026_10_31 FOR VALUES FROM ('2026-10-31 04:00:00+00') TO ('2026-11-01 04:00:00+00')",
                "d_2026_11_01 FOR VALUES FROM ('2026-11-01 04:00:00+00') TO ('2026-11-02 05:00:00+00')",
                "d_2026_11_02 FOR VALUES FROM ('2026-11-02 05:00:00+00') TO ('2026-11-03 05:00:00+00')"), db.partitions("d"),
                "1 November 2026 has 25 hours in New York");
    }

    @Test
    void quarterlyBoundsInBerlinAndNewYork() {
        TestDb db = TestDb.fresh(getClass());
        db.exec(TABLE, "CREATE TABLE q (ts timestamptz NOT NULL) PARTITION BY RANGE (ts)");
        engine(db, "2026-02-10", "Europe/Berlin", spec("m", "ts", "quarter", 1)).apply(Goal.PREMAKE);
        engine(db, "2026-02-10", "America/New_York", spec("q", "ts", "quarter", 1)).apply(Goal.PREMAKE);
        assertEquals(List.of("m_2026_q1 FOR VALUES FROM ('2025-12-31 23:00:00+00') TO ('2026-03-31 22:00:00+00')",
                "m_2026_q2 FOR VALUES FROM ('2026-03-31 22:00:00+00') TO ('2026-06-30 22:00:00+00')"), db.partitions("m"));
        assertEquals(List.of("q_2026_q1 FOR VALUES FROM ('2026-01-01 05:00:00+00') TO ('2026-04-01 04:00:00+00')",
                "q_2026_q2 FOR VALUES FROM ('2026-04-01 04:00:00+00') TO ('2026-07-01 04:00:00+00')"), db.partitions("q"));
    }

    @Test
    void partitionsMadeInAnotherZoneAreReportedAsMisaligned() {
        TestDb db = TestDb.fresh(getClass());
        db.exec(TABLE);
        engine(db, "2026-11-24", "UTC", spec("m", "ts", "month", 1)).apply(Goal.PREMAKE);
        var plan = engine(db, "2026-11-24", "Europe/Berlin", spec("m", "ts", "month", 1)).plan(Set.of(Goal.PREMAKE));
        assertTrue(plan.tables().get(0).findings().stream().anyMatch(f -> f.message().contains("not aligned to month starts in Europe/Berlin")),
                plan.tables().get(0).findings().toString());
    }
}
