package io.github.partitionmaven.benchmark;

import io.github.partitionmaven.engine.EngineLog;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.engine.Planners;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.report.Durations;
import io.github.partitionmaven.testing.ConcurrentWriter;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
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
        long rows = fill(db, "chat_history_2026_01", "2026-01-01");
        long bytes = db.queryLong("SELECT pg_relation_size('chat_history_2026_01')");
        System.out.printf(Locale.ROOT, "%nPartition chat_history_2026_01: %d rows, %s heap%n", rows, Durations.bytes(bytes));
        Path dir = Files.createTempDirectory("prune-benchmark");
        try {
            double psql = psqlGzip(db, dir.resolve("baseline.csv.gz"), "");
            double baselineSize = Files.size(dir.resolve("baseline.csv.gz"));
            Files.delete(dir.resolve("baseline.csv.gz"));
            double psqlFast = psqlGzip(db, dir.resolve("baseline.csv.gz"), " -1");
            double fastSize = Files.size(dir.resolve("baseline.csv.gz"));
            Files.delete(dir.resolve("baseline.csv.gz"));
            long[] export = {0};
            AtomicLong exportStart = new AtomicLong();
            EngineLog log = new EngineLog() {
                @Override
                public void info(String m) {
                    if (m.startsWith("[2/")) {
                        exportStart.set(System.nanoTime());
                    } else if (m.startsWith("[3/")) {
                        export[0] = System.nanoTime() - exportStart.get();
                    }
                }

                @Override
                public void warn(String m) {
                }

                @Override
                public void debug(String m) {
                }
            };
            long t0 = System.nanoTime();
            engine(db, dir, log, "archive").apply(Goal.PRUNE);
            double whole = (System.nanoTime() - t0) / 1e9;
            double ours = export[0] / 1e9;
            Path archive = dir.resolve("public.chat_history_2026_01.csv.gz");
            System.out.println();
            System.out.println("Archive throughput (table heap bytes / wall time), target >= 0.9x the baseline:");
            System.out.printf(Locale.ROOT, "  baseline psql \\copy ... | gzip (level 6):  %6.2f s  %7.1f MB/s  file %s%n", psql,
                    bytes / 1e6 / psql, Durations.bytes((long) baselineSize));
            System.out.printf(Locale.ROOT, "  same at gzip -1 (ours' level), for reference:  %6.2f s  %7.1f MB/s  file %s%n", psqlFast,
                    bytes / 1e6 / psqlFast, Durations.bytes((long) fastSize));
            System.out.printf(Locale.ROOT, "  prune archive step (COPY, gzip level %d, SHA-256, fsync):  %6.2f s  %7.1f MB/s  file %s"
                            + "  = %.2fx the baseline%n", PruneOptions.DEFAULT_COMPRESSION_LEVEL, ours, bytes / 1e6 / ours,
                    Durations.bytes(Files.size(archive)), psql / ours);
            System.out.printf(Locale.ROOT, "  whole prune of the month (detach, archive, read back + verify, drop): %.2f s%n", whole);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }

        fill(db, "chat_history_2026_02", "2026-02-01");
        fill(db, "chat_history_2026_03", "2026-03-01");
        double baselineStall;
        double pruneStall;
        try (ConcurrentWriter writer = new ConcurrentWriter(db, LocalDateTime.of(2026, 8, 15, 12, 0)).warm()) {
            Thread.sleep(500);
            writer.reset();
            long inserts = writer.inserts();
            db.exec("DROP TABLE chat_history_2026_02");
            Thread.sleep(300);
            baselineStall = writer.maxMillisExact();
            long baselineInserts = writer.inserts() - inserts;
            writer.reset();
            inserts = writer.inserts();
            engine(db, null, new io.github.partitionmaven.testing.Engines.RecordingLog(), "drop").apply(Goal.PRUNE);
            Thread.sleep(300);
            pruneStall = writer.maxMillisExact();
            System.out.println();
            System.out.println("Longest stall of a writer inserting into the current month while a month is dropped, target < 100 ms:");
            System.out.printf(Locale.ROOT, "  baseline DROP TABLE of the partition (the seed's cron job): %7.1f ms (%d inserts meanwhile)%n",
                    baselineStall, baselineInserts);
            System.out.printf(Locale.ROOT, "  prune, retentionMode drop (DETACH CONCURRENTLY, then DROP):  %7.1f ms (%d inserts meanwhile)%n",
                    pruneStall, writer.inserts() - inserts);
        }
    }

    /** Fills a month partition until its heap reaches ~300 MB; returns its row count. */
    private static long fill(TestDb db, String partition, String month) {
        long first = 100_000;
        insert(db, month, 1, first);
        long perRow = Math.max(1, db.queryLong("SELECT pg_relation_size('" + partition + "')") / first);
        insert(db, month, first + 1, TARGET_BYTES / perRow);
        db.exec("VACUUM ANALYZE " + partition);
        return db.queryLong("SELECT count(*) FROM " + partition);
    }

    private static void insert(TestDb db, String month, long from, long to) {
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) SELECT 1 + g % 100,"
                + " CASE WHEN g % 2 = 0 THEN 'user' ELSE 'assistant' END,"
                + " 'Message ' || g || ': ' || repeat(md5(g::text), 3) || ' ' || substr(repeat('lorem ipsum dolor sit amet, ', 8), 1 + g % 60),"
                + " TIMESTAMP '" + month + "' + (g % 2419200) * interval '1 second' FROM generate_series(" + from + ", " + to + ") g");
    }

    private static PartitionEngine engine(TestDb db, Path dir, EngineLog log, String mode) {
        RunSettings settings = PolicyReader.settings("UTC", "2026-08-15", "300ms", 5, Clock.systemUTC());
        TableSpec spec = new TableSpec("chat_history", "created_at", "month", null, null, "6 months", mode, null);
        PruneOptions options = new PruneOptions(dir, PruneOptions.Compression.GZIP, PruneOptions.DEFAULT_COMPRESSION_LEVEL, "benchmark");
        return new PartitionEngine(db.settings(), settings, PolicyReader.tables(List.of(spec), settings), Planners.standard(options), log);
    }

    /** Seconds the baseline pipeline takes on the same partition. */
    private static double psqlGzip(TestDb db, Path out, String gzipOptions) throws Exception {
        URI uri = URI.create(db.url().substring("jdbc:".length()));
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -o pipefail; psql -X -q -h " + uri.getHost() + " -p " + uri.getPort()
                + " -U " + db.settings().user() + " -d " + uri.getPath().substring(1)
                + " -c '\\copy (SELECT * FROM chat_history_2026_01) TO STDOUT WITH CSV HEADER' | gzip" + gzipOptions + " > " + out);
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
