package io.github.partitionmaven.benchmark;

import static io.github.partitionmaven.testing.Engines.engine;
import static io.github.partitionmaven.testing.Engines.spec;

import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.TestDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Catalog read + planning for 2 tables x 1,000 partitions (target: under 200 ms engine time), beside
 * the floor measured in the same run: one bare query listing the same partitions with their bounds.
 * Not a timed test: it prints its figures and asserts nothing about time.
 */
@DatabaseTest
class PlanBenchmark {

    private static final int PARTITIONS = 1000;
    private static final int RUNS = 15;

    @Test
    void catalogReadAndPlanningOn2x1000Partitions() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        for (String t : List.of("chat_history", "cost_tracking")) {
            db.exec("CREATE TABLE " + t + " (id bigint, created_at timestamptz NOT NULL, body text) PARTITION BY RANGE (created_at)",
                    "DO $$ BEGIN FOR i IN 0.." + (PARTITIONS - 1) + " LOOP EXECUTE format("
                            + "'CREATE TABLE %I PARTITION OF " + t + " FOR VALUES FROM (%L) TO (%L)', '" + t + "_' || to_char(DATE '2024-01-01' + i, 'YYYY_MM_DD'),"
                            + " (DATE '2024-01-01' + i)::timestamptz, (DATE '2024-01-01' + i + 1)::timestamptz); END LOOP; END $$");
        }
        // now = the last existing day, so premake wants a few more and the planner walks all 1,000 intervals.
        String now = "2026-09-26";
        PartitionEngine engine = engine(db, now, "UTC", spec("chat_history", "created_at", "day", 3), spec("cost_tracking", "created_at", "day", 3));
        List<Long> engineMs = new ArrayList<>();
        PartitionPlan plan = null;
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            plan = engine.plan(Goal.POLICY_GOALS);
            engineMs.add((System.nanoTime() - t0) / 1_000_000);
        }
        List<Long> floorMs = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (int i = 0; i < RUNS; i++) {
                long t0 = System.nanoTime();
                try (ResultSet rs = s.executeQuery("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
                        + " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent IN ('chat_history'::regclass, 'cost_tracking'::regclass)")) {
                    while (rs.next()) {
                        rs.getString(2);
                    }
                }
                floorMs.add((System.nanoTime() - t0) / 1_000_000);
            }
        }
        System.out.printf("%nPlanBenchmark: 2 tables x %d partitions, %d runs, partitions seen %d, steps planned %d%n", PARTITIONS, RUNS,
                plan.tables().stream().mapToInt(t -> t.state().partitions().size()).sum(), plan.steps().size());
        System.out.printf("  engine (connect + catalog read + plan): median %d ms, min %d ms, first %d ms   target < 200 ms%n",
                median(engineMs), Collections.min(engineMs), engineMs.get(0));
        System.out.printf("  baseline (one bare query listing the partitions on an open connection): median %d ms, min %d ms%n%n",
                median(floorMs), Collections.min(floorMs));
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
