package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.Progress;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.execute.Connections;
import io.github.partitionmaven.core.Sessions;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.execute.SideBySide;
import io.github.partitionmaven.execute.Throttle;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.core.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Builds the keys and indexes of every partition of {@code parent} and attaches each to the parent's own (defined on the
 * parent alone before): one transaction per partition, {@code sessions} partitions at a time, largest first; then analyzes
 * the partition, its pages still in memory. Partitions whose indexes are already attached and that were analyzed (a killed
 * run did it) are skipped.
 *
 * <p>The statistics are for the application's first statements after the swap: autovacuum analyzes a partition only some
 * time after it gets it back, and until then the planner guesses. On 10M seed rows on Debian's PostgreSQL 15 (jit on, its
 * default), without them every {@code UPDATE} and {@code DELETE} by id on the new table was planned for 50,000 rows (200 per
 * distinct value guessed, 16 partitions) at a cost above {@code jit_above_cost} and compiled: 16-60 ms each, against
 * 0.8-1.6 ms with them, and the benchmark's writer stalled 135 ms right after the swap. A quick sample does for that: with
 * {@code default_statistics_target} 10 (3,000 rows) a 625k-row partition took 0.08-0.22 s against 0.32-0.94 s with the
 * default 100, and at 2M rows the full ANALYZE made this step 1.0-1.3 s longer. The ANALYZE names every column: one given
 * columns leaves the partition's count of changed rows as it is (only an ANALYZE of the whole table resets it), so
 * autovacuum still analyzes it in full, with the table's own targets, soon after the handback.
 *
 * <p>Sessions building side by side keep every core busy; one partitioned CREATE INDEX builds the partitions one after
 * another, each with parallel workers that wait while their leader merges and writes the index.
 */
record PartitionIndexBuild(TableName parent, PartitionedTableDdl ddl, List<ParentIndex> indexes, List<String> columns, int sessions,
                           Optional<Throttle> health) implements StepWork {

    /** One of the new table's indexes: its definition, its name on the parent, its ordinal (for the partitions' names). */
    record ParentIndex(ConvertFacts.IndexDef index, String name, int ordinal) {
    }

    private record Partition(TableName name, Set<String> attached, boolean analyzed) {
    }

    private static final String PARTITIONS = """
            SELECT n.nspname, c.relname, coalesce(pg_catalog.array_agg(pi.relname) FILTER (WHERE pi.relname IS NOT NULL), '{}'),
                   pg_catalog.pg_stat_get_last_analyze_time(c.oid) IS NOT NULL
              FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_index x ON x.indrelid = c.oid
              LEFT JOIN pg_inherits ii ON ii.inhrelid = x.indexrelid
              LEFT JOIN pg_class pi ON pi.oid = ii.inhparent
             WHERE i.inhparent = pg_catalog.to_regclass(?::pg_catalog.text)
             GROUP BY n.nspname, c.relname, c.oid
             ORDER BY pg_catalog.pg_relation_size(c.oid) DESC
            """;

    /**
     * How long an attach waits for the parent's index. A session attaching a partition's index to it holds it until its
     * commit, and two sessions of this conversion build side by side: the second one's ATTACH waits for the first one's
     * commit (a flush of the index it wrote), and under a short {@code <lockTimeout>} (50 ms is recommended for the swap) it
     * failed the step and threw away that partition's index builds. Only this conversion uses the new table, so the
     * application never queues behind this wait.
     */
    static final String ATTACH_WAIT = "SET LOCAL lock_timeout = '1min'";

    /** A sample of the partition's rows for its first statistics, in a transaction of its own after the builds' commit. */
    List<String> analyze(TableName partition) {
        return List.of("SET LOCAL default_statistics_target = 10",
                "ANALYZE " + partition.sql() + " (" + String.join(", ", columns.stream().map(Sql::ident).toList()) + ")");
    }

    /** The statements for one partition: each index built, then attached. */
    List<String> statements(TableName partition, Set<String> attached) {
        List<String> sql = new ArrayList<>();
        List<String> attach = new ArrayList<>();
        for (ParentIndex p : indexes) {
            if (!attached.contains(p.name())) {
                String name = ConvertNames.partitionIndex(partition, p.index(), p.ordinal());
                sql.add(ddl.buildOnPartition(partition, p.index(), name));
                attach.add(ddl.attachIndex(p.name(), name));
            }
        }
        if (!attach.isEmpty()) {
            sql.add(ATTACH_WAIT);
        }
        sql.addAll(attach);
        return sql;
    }

    @Override
    public void run(Connection c, EngineLog log) throws Exception {
        run(c, null, log);
    }

    @Override
    public void run(Connection c, Sessions more, EngineLog log) throws Exception {
        Deque<Partition> todo = new ArrayDeque<>();
        try (PreparedStatement ps = c.prepareStatement(PARTITIONS)) {
            ps.setString(1, parent.sql());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Partition p = new Partition(new TableName(rs.getString(1), rs.getString(2)),
                            new HashSet<>(List.of((String[]) rs.getArray(3).getArray())), rs.getBoolean(4));
                    if (!p.analyzed() || indexes.stream().anyMatch(i -> !p.attached().contains(i.name()))) {
                        todo.add(p);
                    }
                }
            }
        }
        Progress meter = Progress.counting(log, "indexed", 0, todo.size(), "partitions");
        List<Connection> opened = new ArrayList<>();
        try {
            for (int i = 1; more != null && i < Math.min(sessions, todo.size()); i++) {
                opened.add(more.open());
            }
            boolean sideBySide = !opened.isEmpty();
            SideBySide.run(() -> build(c, todo, sideBySide, meter, log),
                    opened.stream().map(s -> (Callable<Void>) () -> build(s, todo, sideBySide, meter, log)).toList(), () -> {
                        synchronized (todo) {
                            todo.clear();
                        }
                    });
        } finally {
            opened.forEach(Connections::closeQuietly);
        }
        meter.finish();
    }

    private Void build(Connection c, Deque<Partition> todo, boolean sideBySide, Progress meter, EngineLog log) throws SQLException {
        while (true) {
            Partition p;
            synchronized (todo) {
                p = todo.poll();
            }
            if (p == null) {
                return null;
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                if (sideBySide) {
                    s.execute("SET LOCAL max_parallel_maintenance_workers = 0");
                }
                for (String sql : statements(p.name(), p.attached())) {
                    log.debug(sql);
                    s.execute(sql);
                }
                c.commit();
                if (!p.analyzed()) {
                    for (String sql : analyze(p.name())) {
                        log.debug(sql);
                        s.execute(sql);
                    }
                    c.commit();
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                synchronized (todo) {
                    todo.clear();
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            meter.add(1);
            if (health.isPresent()) {
                health.get().await(c, log);
            }
        }
    }
}
