package io.github.partitionmaven.benchmark;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.engine.Planners;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.core.Durations;
import io.github.partitionmaven.testing.ConcurrentWriter;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Prune's two figures, each beside a baseline measured in the same run:
 * archive throughput of one ~300 MB partition against {@code psql \copy ... | gzip}, and the longest
 * stall of a writer inserting into the current month while prune drops a month, against the seed's
 * cron approach (a plain {@code DROP TABLE} of the partition). Asserts nothing about time.
 */
class PruneBenchmark {

    private static final long TARGET_BYTES = 300L << 20;

    @Test
    void archiveThroughputAndWriterStall() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2026, 1), YearMonth.of(2026, 8)).toArray(String[]::new));
        db.exec("INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 100) g");
        archiveThroughput(db);
        writerStall(db);
    }

    /**
     * Three identical ~300 MB months, each exported once by the baseline and once by prune, interleaved,
     * so that load from other work on the machine hits both alike; the median pair decides.
     */
    private static void archiveThroughput(TestDb db) throws Exception {
        List<String> months = List.of("2026-01", "2026-02", "2026-03");
        long bytes = 0;
        for (String m : months) {
            String partition = "chat_history_" + m.replace('-', '_');
            long rows = fill(db, partition, m + "-01", TARGET_BYTES);
            bytes = db.queryLong("SELECT pg_relation_size('" + partition + "')");
            System.out.printf(Locale.ROOT, "Partition %s: %d rows, %s heap%n", partition, rows, Durations.bytes(bytes));
        }
        Path dir = Files.createTempDirectory("prune-benchmark");
        List<Double> ratios = new ArrayList<>();
        System.out.println();
        System.out.println("Archive throughput (table heap bytes / wall time), target >= 0.9x the baseline, three interleaved pairs:");
        try {
            for (int i = 0; i < months.size(); i++) {
                String partition = "chat_history_" + months.get(i).replace('-', '_');
                Path baselineFile = dir.resolve("baseline.csv.gz");
                double psql = psqlGzip(db, partition, baselineFile, "");
                long baselineSize = Files.size(baselineFile);
                Files.delete(baselineFile);
                double psqlFast = psqlGzip(db, partition, baselineFile, " -1");
                long fastSize = Files.size(baselineFile);
                Files.delete(baselineFile);
                StepTimer timer = new StepTimer(2);
                long t0 = System.nanoTime();
                // Retention 6 months: at the 15th of the seventh month after it, exactly this month is past retention.
                engine(db, dir, timer, "archive", YearMonth.parse(months.get(i)).plusMonths(7).atDay(15).toString()).apply(Goal.PRUNE);
                double whole = (System.nanoTime() - t0) / 1e9;
                double ours = timer.seconds();
                long oursSize = Files.size(dir.resolve("public." + partition + ".csv.gz"));
                ratios.add(psql / ours);
                System.out.printf(Locale.ROOT, "  %s  baseline psql \\copy | gzip (level 6): %5.2f s %6.1f MB/s %s | gzip -1: %5.2f s %6.1f MB/s %s"
                                + " | prune archive step (gzip level %d, SHA-256, fsync): %5.2f s %6.1f MB/s %s = %.2fx | whole prune %.2f s%n",
                        partition, psql, bytes / 1e6 / psql, Durations.bytes(baselineSize), psqlFast, bytes / 1e6 / psqlFast,
                        Durations.bytes(fastSize), PruneOptions.DEFAULT_COMPRESSION_LEVEL, ours, bytes / 1e6 / ours,
                        Durations.bytes(oursSize), psql / ours, whole);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
        List<Double> sorted = ratios.stream().sorted().toList();
        System.out.printf(Locale.ROOT, "  median: prune archives at %.2fx the throughput of psql \\copy | gzip (target >= 0.90x)%n",
                sorted.get(sorted.size() / 2));
    }

    /** A writer inserts into the current month while a month is dropped: first by a plain DROP TABLE, then by prune. */
    private static void writerStall(TestDb db) throws Exception {
        fill(db, "chat_history_2026_04", "2026-04-01", TARGET_BYTES / 4);
        fill(db, "chat_history_2026_05", "2026-05-01", TARGET_BYTES / 4);
        try (ConcurrentWriter writer = new ConcurrentWriter(db, LocalDateTime.of(2026, 8, 15, 12, 0)).warm()) {
            Thread.sleep(500);
            writer.reset();
            long inserts = writer.inserts();
            db.exec("DROP TABLE chat_history_2026_05");
            Thread.sleep(300);
            double baselineStall = writer.maxMillisExact();
            long baselineInserts = writer.inserts() - inserts;
            writer.reset();
            inserts = writer.inserts();
            engine(db, null, new Engines.RecordingLog(), "drop", "2026-11-15").apply(Goal.PRUNE);
            Thread.sleep(300);
            double pruneStall = writer.maxMillisExact();
            System.out.println();
            System.out.println("Longest stall of a writer inserting into the current month while a month is dropped, target < 100 ms:");
            System.out.printf(Locale.ROOT, "  baseline DROP TABLE of the partition (the seed's cron job): %7.1f ms (%d inserts meanwhile)%n",
                    baselineStall, baselineInserts);
            System.out.printf(Locale.ROOT, "  prune, retentionMode drop (DETACH CONCURRENTLY, then DROP):  %7.1f ms (%d inserts meanwhile)%n",
                    pruneStall, writer.inserts() - inserts);
        }
    }

    /** Times one step of an engine run from its announcement to the next one's (or to the end of the run). */
    private static final class StepTimer implements EngineLog {
        private final int step;
        private long started;
        private long ended;

        StepTimer(int step) {
            this.step = step;
        }

        @Override
        public void info(String m) {
            if (m.startsWith("[" + step + "/")) {
                started = System.nanoTime();
            } else if (m.startsWith("[" + (step + 1) + "/")) {
                ended = System.nanoTime();
            }
        }

        @Override
        public void warn(String m) {
        }

        @Override
        public void debug(String m) {
        }

        double seconds() {
            return (ended - started) / 1e9;
        }
    }

    /** Fills a month partition until its heap reaches about {@code target} bytes; returns its row count. */
    private static long fill(TestDb db, String partition, String month, long target) {
        long first = 100_000;
        insert(db, month, 1, first);
        long perRow = Math.max(1, db.queryLong("SELECT pg_relation_size('" + partition + "')") / first);
        insert(db, month, first + 1, target / perRow);
        db.exec("VACUUM ANALYZE " + partition);
        return db.queryLong("SELECT count(*) FROM " + partition);
    }

    private static void insert(TestDb db, String month, long from, long to) {
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) SELECT 1 + g % 100,"
                + " CASE WHEN g % 2 = 0 THEN 'user' ELSE 'assistant' END,"
                + " 'Message ' || g || ': ' || repeat(md5(g::text), 3) || ' ' || substr(repeat('lorem ipsum dolor sit amet, ', 8), 1 + g % 60),"
                + " TIMESTAMP '" + month + "' + (g % 2419200) * interval '1 second' FROM generate_series(" + from + ", " + to + ") g");
    }

    private static PartitionEngine engine(TestDb db, Path dir, EngineLog log, String mode, String now) {
        RunSettings settings = PolicyReader.settings("UTC", now, "300ms", 5, Clock.systemUTC());
        TableSpec spec = new TableSpec("chat_history", "created_at", "month", null, null, "6 months", mode, null);
        PruneOptions options = new PruneOptions(dir, PruneOptions.Compression.GZIP, PruneOptions.DEFAULT_COMPRESSION_LEVEL, "benchmark");
        return new PartitionEngine(db.settings(), settings, PolicyReader.tables(List.of(spec), settings), Planners.standard(options), log);
    }

    /** Seconds the baseline pipeline takes on the same partition. */
    private static double psqlGzip(TestDb db, String partition, Path out, String gzipOptions) throws Exception {
        URI uri = URI.create(db.url().substring("jdbc:".length()));
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -o pipefail; psql -X -q -h " + uri.getHost() + " -p " + uri.getPort()
                + " -U " + db.settings().user() + " -d " + uri.getPath().substring(1)
                + " -c '\\copy (SELECT * FROM " + partition + ") TO STDOUT WITH CSV HEADER' | gzip" + gzipOptions + " > " + out);
        if (db.settings().password() != null) {
            pb.environment().put("PGPASSWORD", db.settings().password());
        }
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        long t0 = System.nanoTime();
        int rc = pb.start().waitFor();
        double s = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException("psql | gzip failed with exit code " + rc);
        }
        return s;
    }

}
