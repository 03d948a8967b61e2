package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.Progress;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.execute.Connections;
import io.github.partitionmaven.core.Sessions;
import io.github.partitionmaven.execute.SideBySide;
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
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Builds the keys and indexes of every partition of {@code parent} and attaches each to the parent's own (defined on the
 * parent alone before): one transaction per partition, {@code sessions} partitions at a time, largest first. Partitions
 * whose indexes are already attached (a killed run built them) are skipped.
 *
 * <p>Sessions building side by side keep every core busy; one partitioned CREATE INDEX builds the partitions one after
 * another, each with parallel workers that wait while their leader merges and writes the index.
 */
record PartitionIndexBuild(TableName parent, PartitionedTableDdl ddl, List<ParentIndex> indexes, int sessions) implements StepWork {

    /** One of the new table's indexes: its definition, its name on the parent, its ordinal (for the partitions' names). */
    record ParentIndex(ConvertFacts.IndexDef index, String name, int ordinal) {
    }

    private record Partition(TableName name, Set<String> attached) {
    }

    private static final String PARTITIONS = """
            SELECT n.nspname, c.relname, coalesce(pg_catalog.array_agg(pi.relname) FILTER (WHERE pi.relname IS NOT NULL), '{}')
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
                            new HashSet<>(List.of((String[]) rs.getArray(3).getArray())));
                    if (indexes.stream().anyMatch(i -> !p.attached().contains(i.name()))) {
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
        }
    }
}
