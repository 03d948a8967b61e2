package io.github.partitionmaven.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.catalog.CitusTable;
import io.github.partitionmaven.check.CheckReport;
import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.check.PrometheusFile;
import io.github.partitionmaven.check.TableHealth;
import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.premake.PremakePlanner;
import io.github.partitionmaven.execute.ConnectionSettings;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.plan.TablePlan;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.prune.ArchiveRestore;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.testing.CitusCluster;
import io.github.partitionmaven.testing.Engines.RecordingLog;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every goal on a real Citus coordinator with a distributed, range-partitioned {@code chat_history}
 * ({@code create_distributed_table('chat_history', 'user_id')}); skipped with the reason when there is no cluster.
 */
class CitusGoalsTest {

    private static CitusCluster.Db db;

    @TempDir
    Path archives;

    @BeforeEach
    void clean() {
        CitusCluster cluster = CitusCluster.get();
        if (db == null) {
            db = cluster.freshDatabase(CitusGoalsTest.class);
        }
        db.exec("DROP TABLE IF EXISTS chat_history, chat_history_old, notes, notes_old CASCADE");
    }

    @AfterAll
    static void drop() {
        if (db != null) {
            db.close();
        }
    }

    /** chat_history distributed by user_id, with month partitions from {@code from} (inclusive) to {@code to} (exclusive), 10 rows each. */
    private static void chatHistory(String from, String to) {
        db.exec("""
                CREATE TABLE chat_history (id bigserial, user_id int NOT NULL, role varchar(20), content text, created_at timestamp NOT NULL,
                  PRIMARY KEY (id, created_at, user_id)) PARTITION BY RANGE (created_at)""",
                "SELECT create_distributed_table('chat_history', 'user_id')",
                "SELECT create_time_partitions('chat_history', '1 month', '" + to + "', '" + from + "')",
                "INSERT INTO chat_history (user_id, role, content, created_at) SELECT u, 'user', 'hi', m + interval '3 days'"
                        + " FROM generate_series(1, 10) u, generate_series('" + from + "'::timestamp, '" + to + "'::timestamp - interval '1 month',"
                        + " interval '1 month') m");
    }

    private static PartitionEngine engine(String now, String lockTimeout, int attempts, PruneOptions prune, TableSpec spec) {
        RunSettings settings = PolicyReader.settings("UTC", now, lockTimeout, attempts, Clock.systemUTC());
        return new PartitionEngine(new ConnectionSettings(db.url(), db.user(), null, null), settings,
                PolicyReader.tables(List.of(spec), settings), Planners.standard(ConvertOptions.DEFAULTS, prune), new RecordingLog());
    }

    private static TableSpec chat(String retention, String mode) {
        return new TableSpec("chat_history", "created_at", "month", 2, null, retention, mode, null);
    }

    private static boolean colocated(String partition) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("""
                SELECT EXISTS (SELECT 1 FROM pg_inherits i
                  JOIN pg_dist_partition c ON c.logicalrelid = i.inhrelid JOIN pg_dist_partition p ON p.logicalrelid = i.inhparent
                 WHERE i.inhrelid = ?::regclass AND c.partmethod = 'h' AND p.partmethod = 'h'
                   AND c.colocationid = p.colocationid AND c.colocationid <> 0)""")) {
            ps.setString(1, partition);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The shard index names Citus expects for a partition: each of its coordinator indexes, suffixed with each shard id. */
    private static Set<String> citusIndexNames(String partition) {
        return Set.copyOf(db.queryStrings("SELECT i.indexrelid::regclass::text || '_' || s.shardid FROM pg_index i"
                + " JOIN pg_dist_shard s ON s.logicalrelid = i.indrelid WHERE i.indrelid = '" + partition + "'::regclass"));
    }

    private static void assertShardIndexesNamedAsCitusDoes(String partition) throws Exception {
        Set<String> expected = citusIndexNames(partition);
        assertFalse(expected.isEmpty(), partition + " has shards with indexes");
        assertEquals(new java.util.TreeSet<>(expected), workerIndexNames(partition), partition + "'s shard indexes on the workers");
    }

    /** The index names of a partition's shards, as found on the workers. */
    private static Set<String> workerIndexNames(String partition) throws Exception {
        return onWorkers("SELECT x.relname FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid"
                + " WHERE t.relname ~ '^" + partition + "_[0-9]+$'");
    }

    /** What {@code sql} returns on every worker, with the shards visible (they are hidden from catalog queries by default). */
    private static Set<String> onWorkers(String sql) throws Exception {
        Set<String> found = new java.util.TreeSet<>();
        for (int port : db.workerPorts()) {
            try (Connection c = db.connectWorker(port); Statement s = c.createStatement()) {
                s.execute("SET citus.override_table_visibility = off");
                try (ResultSet rs = s.executeQuery(sql)) {
                    while (rs.next()) {
                        found.add(rs.getString(1));
                    }
                }
            }
        }
        return found;
    }

    @Test
    void planSeesTheDistributedTableAndPremakeDistributesEachNewPartitionColocated() throws Exception {
        chatHistory("2023-11-01", "2024-01-01");
        PartitionEngine engine = engine("2024-01-15", "500ms", 3, PruneOptions.defaults(), chat(null, null));
        PartitionPlan plan = engine.plan(Set.of(Goal.PREMAKE, Goal.PRUNE));
        assertTrue(plan.server().citus() && plan.server().citusCoordinator(), plan.server().toString());
        TablePlan table = plan.tables().get(0);
        assertEquals(CitusTable.Kind.DISTRIBUTED, table.state().citus().kind());
        assertEquals(List.of(), table.state().citus().strayPartitions());
        // per partition: create and distribute it alone, then attach it and check co-location
        assertEquals(6, table.steps().size(), table.steps().toString());
        Step create = table.steps().get(0);
        assertTrue(create.action().startsWith("create and distribute \"public\".\"chat_history_2024_01\"")
                && create.statements().get(2).equals(CitusTable.SEQUENTIAL)
                && create.statements().get(3).contains("create_distributed_table"), create.toString());
        Step attach = table.steps().get(1);
        // the co-location check and the mark first, then the worker connections, the ATTACH last (what writers wait for)
        List<String> attachSql = attach.statements();
        assertTrue(attachSql.get(0).startsWith("DO $citus$") && attachSql.get(1).startsWith("COMMENT ON TABLE")
                && attachSql.get(2).equals("SET LOCAL citus.multi_shard_modify_mode = 'sequential'")
                && attachSql.get(3).equals("SELECT 1 FROM \"public\".\"chat_history_2024_01\" LIMIT 1")
                && attachSql.get(4).startsWith("ALTER TABLE \"public\".\"chat_history\" ATTACH PARTITION") && attachSql.size() == 5, attachSql.toString());
        // the plan says what writers still wait for: Citus' index renaming, under its locks until the two-phase commit
        assertTrue(attach.reason().contains("worker_fix_partition_shard_index_names") && attach.reason().contains("two-phase commit"),
                attach.reason());

        // a run killed between the two steps of the first partition: the marked table is reused, not refused
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (String sql : create.statements()) {
                s.execute(sql);
            }
        }
        PartitionPlan applied = engine.apply(Goal.PREMAKE);
        assertEquals(6, applied.tables().get(0).steps().size());
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname LIKE 'chat_history_2024%'"
                + " AND obj_description(oid, 'pg_class') IS NOT NULL"), "the marks are cleared on attach");
        for (String p : List.of("chat_history_2024_01", "chat_history_2024_02", "chat_history_2024_03")) {
            assertTrue(colocated(p), p + " is distributed co-located with chat_history");
            // Citus finds a shard's index by <index>_<shard id>: the names on the workers are those it gives the
            // partitions create_time_partitions made (chat_history_p2023_12 here)
            assertShardIndexesNamedAsCitusDoes(p);
        }
        assertShardIndexesNamedAsCitusDoes("chat_history_p2023_12");
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (3, 'user', 'new month', '2024-02-10')");
        assertEquals(0, engine.plan(Set.of(Goal.PREMAKE)).tables().get(0).steps().size(), "a second run has nothing to do");
    }

    /** Storage parameters and replica identity of every shard of the partitions matching {@code pattern}, as found on the workers. */
    private static Set<String> workerShardProperties(String pattern) throws Exception {
        return onWorkers("SELECT coalesce(array_to_string(reloptions, ','), '') || ' ' || relreplident::text FROM pg_class"
                + " WHERE relkind = 'r' AND relname ~ '^" + pattern + "_[0-9]+$'");
    }

    @Test
    void premakeGivesEachNewDistributedPartitionAndItsShardsTheStorageParametersAndReplicaIdentityOfTheLatest() throws Exception {
        chatHistory("2023-11-01", "2024-01-01");
        db.exec("ALTER TABLE chat_history_p2023_12 SET (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.01)",
                "ALTER TABLE chat_history_p2023_12 REPLICA IDENTITY FULL");
        PartitionPlan applied = engine("2024-01-15", "500ms", 3, PruneOptions.defaults(), chat(null, null)).apply(Goal.PREMAKE);
        List<Step> creates = applied.steps().stream().filter(st -> st.action().startsWith("create and distribute")).toList();
        assertEquals(3, creates.size(), applied.steps().toString());
        assertTrue(creates.stream().allMatch(st -> st.reason().contains("storage parameters fillfactor=90, autovacuum_vacuum_scale_factor=0.01"
                + " like \"public\".\"chat_history_p2023_12\"") && st.reason().contains("REPLICA IDENTITY FULL like")), creates.toString());
        assertEquals(List.of("fillfactor=90,autovacuum_vacuum_scale_factor=0.01 f"), db.queryStrings("SELECT DISTINCT coalesce(array_to_string("
                + "reloptions, ','), '') || ' ' || relreplident::text FROM pg_class WHERE relname ~ '^chat_history_2024_0[1-3]$'"), "on the coordinator");
        assertEquals(Set.of("fillfactor=90,autovacuum_vacuum_scale_factor=0.01 f"), workerShardProperties("chat_history_2024_0[1-3]"),
                "every shard on the workers");
    }

    @Test
    void theColocationGuardOfPremakeFailsForATableCitusDidNotDistribute() throws Exception {
        chatHistory("2023-12-01", "2024-01-01");
        db.exec("CREATE TABLE notes (LIKE chat_history)");
        String guard = PremakePlanner.requireColocated(new TableName("public", "chat_history"), new TableName("public", "notes"));
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            java.sql.SQLException e = assertThrows(java.sql.SQLException.class, () -> s.execute(guard));
            assertTrue(e.getMessage().contains("Citus did not distribute \"public\".\"notes\" co-located with \"public\".\"chat_history\""),
                    e.getMessage());
            s.execute(PremakePlanner.requireColocated(new TableName("public", "chat_history"), new TableName("public", "chat_history_p2023_12")));
        }
    }

    @Test
    void pruneDetachesPlainlyUnderLockTimeoutAndSaysWhy() throws Exception {
        chatHistory("2023-09-01", "2024-02-01");
        PartitionEngine engine = engine("2024-02-05", "500ms", 3, PruneOptions.defaults(), chat("3 months", "drop"));
        List<Step> steps = engine.plan(Set.of(Goal.PRUNE)).tables().get(0).steps();
        // 2023-09 and 2023-10 end at or before the cutoff 2023-11-05: detach and drop each
        assertEquals(4, steps.size(), steps.toString());
        Step detach = steps.get(0);
        assertTrue(detach.transactional());
        assertTrue(detach.reason().contains("Citus refuses DETACH ... CONCURRENTLY") && detach.reason().contains("workers' shards"), detach.reason());
        assertFalse(String.join("\n", detach.statements()).contains("CONCURRENTLY"), detach.statements().toString());
        List<String> sql = detach.statements();
        assertEquals(List.of("SET LOCAL citus.multi_shard_modify_mode = 'sequential'", "SELECT 1 FROM \"public\".\"chat_history_p2023_09\" LIMIT 1",
                "ALTER TABLE \"public\".\"chat_history\" DETACH PARTITION \"public\".\"chat_history_p2023_09\""), sql.subList(1, sql.size()),
                "the marker first, the DETACH last: " + sql);
        assertEquals("drop detached " + steps.get(0).action().substring("detach partition ".length()), steps.get(1).action(),
                "the drop is a transaction of its own, after the detach");

        engine.apply(Goal.PRUNE);
        assertEquals(List.of("chat_history_p2023_11", "chat_history_p2023_12", "chat_history_p2024_01"),
                db.queryStrings("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                        + " WHERE i.inhparent = 'chat_history'::regclass ORDER BY 1"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname IN ('chat_history_p2023_09', 'chat_history_p2023_10')"));
        assertEquals(30, db.queryLong("SELECT count(*) FROM chat_history"));
        assertEquals(0, engine.plan(Set.of(Goal.PRUNE)).tables().get(0).steps().size());
    }

    @Test
    void pruneArchivesThroughTheCoordinator() throws Exception {
        chatHistory("2023-10-01", "2024-02-01");
        PruneOptions options = PruneOptions.of(archives.toString(), "gzip", 1, "test");
        engine("2024-02-05", "500ms", 3, options, chat("3 months", "archive")).apply(Goal.PRUNE);
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'chat_history_p2023_10'"));
        Path data;
        try (var files = Files.list(archives)) {
            data = files.filter(f -> f.getFileName().toString().endsWith(".gz")).findFirst().orElseThrow();
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(data)), StandardCharsets.UTF_8))) {
            List<String> lines = r.lines().toList();
            assertEquals(10, lines.stream().filter(l -> l.contains("2023-10-04")).count(), "the 10 rows of October, from every shard: " + lines);
        }
    }

    @Test
    void restoreBringsAnArchivedMonthBackAsADistributedColocatedPartition() throws Exception {
        chatHistory("2023-10-01", "2024-02-01");
        String october = "SELECT count(*) || ' ' || sum(user_id) FROM chat_history WHERE created_at < '2023-11-01'";
        String before = db.queryStrings(october).get(0);
        PruneOptions options = PruneOptions.of(archives.toString(), "gzip", 1, "test");
        engine("2024-02-05", "500ms", 3, options, chat("3 months", "archive")).apply(Goal.PRUNE);
        assertEquals("0 ", db.queryStrings("SELECT count(*) || ' ' || coalesce(sum(user_id)::text, '') FROM chat_history"
                + " WHERE created_at < '2023-11-01'").get(0));

        engine("2024-02-05", "500ms", 3, options, chat("3 months", "archive"))
                .apply(ArchiveRestore.planner(archives.resolve("public.chat_history_p2023_10.manifest.json"), Optional.empty()));
        assertEquals(before, db.queryStrings(october).get(0), "October's 10 rows back, read through the coordinator");
        assertTrue(colocated("chat_history_p2023_10"), "distributed by the ATTACH, co-located with its parent");
        assertEquals(before, db.queryStrings("SELECT count(*) || ' ' || sum(user_id) FROM chat_history_p2023_10").get(0));
        assertShardIndexesNamedAsCitusDoes("chat_history_p2023_10");
    }

    @Test
    void checkReadsDistributedSizesAndWritesMetrics() throws Exception {
        chatHistory("2023-12-01", "2024-03-01");
        CheckReport report = engine("2024-01-15", "500ms", 3, PruneOptions.defaults(), chat(null, null)).check(CheckThresholds.DEFAULTS);
        TableHealth t = report.tables().get(0);
        assertEquals(3, t.partitionCount());
        // the coordinator's own relations are empty shells; the sizes come from the workers' shards
        assertTrue(t.largestPartitionBytes() > 8192 * 2, "largest partition " + t.largestPartitionBytes() + " bytes");
        String prom = PrometheusFile.render(report);
        assertTrue(prom.contains("pg_partition_count{table=\"public.chat_history\"} 3"), prom);
    }

    @Test
    void convertRefusesADistributedTableAndConvertsAPlainOne() {
        db.exec("CREATE TABLE notes (id bigint PRIMARY KEY, user_id int NOT NULL, created_at timestamptz NOT NULL)",
                "INSERT INTO notes SELECT g, g % 7, timestamptz '2024-01-01' + g * interval '1 hour' FROM generate_series(1, 500) g");
        TableSpec notes = new TableSpec("notes", "created_at", "month", 1, null, null, null, null);
        PartitionEngine engine = engine("2024-01-15", "500ms", 3, PruneOptions.defaults(), notes);
        engine.apply(Goal.CONVERT);
        assertEquals(500, db.queryLong("SELECT count(*) FROM notes"));
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'notes'::regclass"));

        db.exec("DROP TABLE notes, notes_old CASCADE",
                "CREATE TABLE notes (id bigint, user_id int NOT NULL, created_at timestamptz NOT NULL, PRIMARY KEY (id, user_id))",
                "SELECT create_distributed_table('notes', 'user_id')");
        PartitionException e = assertThrows(PartitionException.class, () -> engine.apply(Goal.CONVERT));
        assertEquals(PartitionException.Kind.DATABASE_STATE, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("is a hash-distributed table (Citus)") && e.getMessage().contains("undistribute_table")
                && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
    }

    @Test
    void lockTimeoutBindsOnTheWorkersShards() throws Exception {
        chatHistory("2023-09-01", "2024-02-01");
        String shard;
        int port;
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT shard_name, nodeport FROM citus_shards WHERE table_name = 'chat_history_p2023_09'::regclass ORDER BY shardid LIMIT 1")) {
            rs.next();
            shard = rs.getString(1);
            port = rs.getInt(2);
        }
        CountDownLatch locked = new CountDownLatch(1);
        long holdMillis = 8000;
        Thread holder = new Thread(() -> {
            try (Connection w = db.connectWorker(port); Statement s = w.createStatement()) {
                w.setAutoCommit(false);
                s.execute("SELECT count(*) FROM " + shard);
                locked.countDown();
                Thread.sleep(holdMillis);
                w.rollback();
            } catch (Exception e) {
                locked.countDown();
            }
        }, "shard-reader");
        holder.start();
        assertTrue(locked.await(10, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        PartitionException e = assertThrows(PartitionException.class,
                () -> engine("2024-01-15", "300ms", 1, PruneOptions.defaults(), chat("3 months", "drop")).apply(Goal.PRUNE));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        holder.join(10_000);
        System.out.println("[citus] prune behind a " + holdMillis + " ms shard lock on worker " + port + ", lockTimeout 300ms: gave up after "
                + millis + " ms: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("Gave up on step 'detach partition"), e.getMessage());
        // without the binding the detach waits for the reader and then succeeds: no exception at all
        assertTrue(millis < holdMillis - 2000, "lock_timeout bound on the shard: gave up after " + millis + " ms, not when the reader let go");
        assertEquals(5, db.queryLong("SELECT count(*) FROM pg_inherits WHERE inhparent = 'chat_history'::regclass"), "rolled back");
    }
}
