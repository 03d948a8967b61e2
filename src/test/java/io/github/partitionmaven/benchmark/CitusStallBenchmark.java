package io.github.partitionmaven.benchmark;

import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.engine.Planners;
import io.github.partitionmaven.execute.ConnectionSettings;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.testing.CitusCluster;
import io.github.partitionmaven.testing.ConcurrentWriter;
import io.github.partitionmaven.testing.Engines;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * On a real Citus cluster, the longest stall a writer inserting into the current month sees while partitions are made
 * and dropped: premake against Citus' {@code create_time_partitions}, prune (plain DETACH + DROP under lock_timeout)
 * against {@code drop_old_time_partitions}, four months each, in the same run. Rounds: {@code -Dpartition.bench.rounds}
 * (default 3); the order of ours and theirs alternates per round. Prints the figures; asserts nothing about time.
 */
class CitusStallBenchmark {

    private static final int MONTHS = 4;

    @Test
    void writerStallOursAgainstCitusHelpers() throws Exception {
        CitusCluster cluster = CitusCluster.get();
        int rounds = Integer.getInteger("partition.bench.rounds", 3);
        List<String> lines = new ArrayList<>();
        List<double[]> all = new ArrayList<>();
        try (CitusCluster.Db db = cluster.freshDatabase(getClass())) {
            for (int round = 1; round <= rounds; round++) {
                db.exec("DROP TABLE IF EXISTS chat_history CASCADE", """
                        CREATE TABLE chat_history (id bigserial, user_id int NOT NULL, role varchar(20), content text,
                          created_at timestamp NOT NULL, PRIMARY KEY (id, created_at, user_id)) PARTITION BY RANGE (created_at)""",
                        "SELECT create_distributed_table('chat_history', 'user_id')",
                        // 2023-09 .. 2024-06 exist; the writer writes into 2024-06
                        "SELECT create_time_partitions('chat_history', '1 month', '2024-07-01', '2023-09-01')");
                boolean oursFirst = round % 2 == 1;
                // each side makes and drops 4 months of its own whichever goes first (checked below): premake 4 at 2024-06-15 makes
                // 2024-07 .. 2024-10, create_time_partitions 2024-11 .. 2025-02; the first to prune drops 2023-09 .. 2023-12
                // (retention 5 months, older than 2024-01-01), the second 2024-01 .. 2024-04 (1 month, older than 2024-05-01)
                PartitionEngine ours = engine(db, new TableSpec("chat_history", "created_at", "month", MONTHS, null,
                        oursFirst ? "5 months" : "1 month", "drop", null));
                String olderThan = oursFirst ? "2024-05-01" : "2024-01-01";
                String loadBefore = loadAverage();
                double[] r = new double[5];
                try (ConcurrentWriter w = new ConcurrentWriter(db::connect, LocalDateTime.of(2024, 6, 15, 12, 0)).warm()) {
                    Thread.sleep(1000);
                    r[0] = w.maxMillisExact();
                    for (int i = 0; i < 2; i++) {
                        if ((i == 0) == oursFirst) {
                            r[1] = stall(w, db, MONTHS, () -> ours.apply(Goal.PREMAKE));
                            r[3] = stall(w, db, -MONTHS, () -> ours.apply(Goal.PRUNE));
                        } else {
                            r[2] = stall(w, db, MONTHS, () -> sql(db, "SELECT create_time_partitions('chat_history', '1 month', '2025-03-01', '2024-11-01')"));
                            r[4] = stall(w, db, -MONTHS, () -> sql(db, "CALL drop_old_time_partitions('chat_history', '" + olderThan + "')"));
                        }
                    }
                }
                all.add(r);
                lines.add(String.format(Locale.ROOT, "round %d (%s first): idle %6.1f ms | premake %6.1f ms vs create_time_partitions %6.1f ms"
                        + " | prune %6.1f ms vs drop_old_time_partitions %6.1f ms | load average %s -> %s", round, oursFirst ? "ours" : "theirs",
                        r[0], r[1], r[2], r[3], r[4], loadBefore, loadAverage()));
            }
        }
        System.out.println("Citus " + cluster.describe() + ": longest insert of a writer inserting into the current month back to back (2 ms pause), "
                + MONTHS + " months made / dropped each:");
        lines.forEach(l -> System.out.println("  " + l));
        System.out.println(String.format(Locale.ROOT, "  median: premake %.1f ms vs create_time_partitions %.1f ms; prune %.1f ms vs"
                + " drop_old_time_partitions %.1f ms (target: ours < 100 ms); idle writer %.1f ms; %d cores, load average now %s",
                median(all, 1), median(all, 2), median(all, 3), median(all, 4), median(all, 0), Runtime.getRuntime().availableProcessors(),
                loadAverage()));
    }

    private static PartitionEngine engine(CitusCluster.Db db, TableSpec spec) {
        RunSettings settings = PolicyReader.settings("UTC", "2024-06-15", "500ms", 5, Clock.systemUTC());
        return new PartitionEngine(new ConnectionSettings(db.url(), db.user(), null, null), settings,
                PolicyReader.tables(List.of(spec), settings), Planners.standard(), new Engines.RecordingLog());
    }

    private interface Op {
        void run() throws Exception;
    }

    private static void sql(CitusCluster.Db db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * The writer's longest insert while {@code op} runs, including 300 ms after it (a stall ending just after it counts);
     * {@code op} must change the number of partitions by {@code delta} (else one side did the other's work).
     */
    private static double stall(ConcurrentWriter w, CitusCluster.Db db, int delta, Op op) throws Exception {
        long before = partitions(db);
        Thread.sleep(300);
        w.reset();
        op.run();
        Thread.sleep(300);
        double max = w.maxMillisExact();
        if (partitions(db) - before != delta) {
            throw new AssertionError("expected " + delta + " partitions, the step changed " + (partitions(db) - before));
        }
        return max;
    }

    private static long partitions(CitusCluster.Db db) {
        return db.queryLong("SELECT count(*) FROM pg_inherits WHERE inhparent = 'chat_history'::regclass");
    }

    /** The machine's 1/5/15-minute load averages ({@code /proc/loadavg}): the figures mean little on a busy machine. */
    private static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return String.format(Locale.ROOT, "%.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static double median(List<double[]> rounds, int i) {
        double[] v = rounds.stream().mapToDouble(r -> r[i]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
