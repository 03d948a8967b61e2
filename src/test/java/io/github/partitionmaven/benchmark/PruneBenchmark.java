package io.github.partitionmaven.benchmark;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.engine.Planners;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.prune.ArchiveRestore;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.prune.S3Settings;
import io.github.partitionmaven.testing.S3Server;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Optional;
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

    /** Table heap per month, in MB: -Dpartition.benchmark.prune.mb (300 by default; e.g. 50 to check that it runs). */
    private static final long TARGET_BYTES = Long.getLong("partition.benchmark.prune.mb", 300) << 20;

    /** The local-file archive's figures, for the S3 lines to stand beside. */
    private record Local(double mbPerSecond, long peakUsed, long peakAfterGc) {
    }

    @Test
    void archiveThroughputAndWriterStall() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2026, 1), YearMonth.of(2026, 12)).toArray(String[]::new));
        db.exec("INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 100) g");
        Local local = archiveThroughput(db);
        writerStall(db);
        s3Throughput(db, local);
    }

    /**
     * Three identical ~300 MB months, each exported once by the baseline and once by prune, interleaved,
     * so that load from other work on the machine hits both alike; the median pair decides.
     */
    private static Local archiveThroughput(TestDb db) throws Exception {
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
        List<Double> localWithVerify = new ArrayList<>();
        long peakUsed = 0;
        long peakAfterGc = 0;
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
                HeapSampler heap = new HeapSampler();
                heap.start();
                // Retention 6 months: at the 15th of the seventh month after it, exactly this month is past retention.
                engine(db, dir, timer, "archive", YearMonth.parse(months.get(i)).plusMonths(7).atDay(15).toString()).apply(Goal.PRUNE);
                heap.stopSampling();
                peakUsed = Math.max(peakUsed, heap.peakUsed);
                peakAfterGc = Math.max(peakAfterGc, heap.peakAfterGc);
                double whole = (System.nanoTime() - t0) / 1e9;
                double ours = timer.seconds();
                localWithVerify.add(bytes / 1e6 / timer.secondsThrough(3));
                long oursSize = Files.size(dir.resolve("public." + partition + ".csv.gz"));
                ratios.add(psql / ours);
                System.out.printf(Locale.ROOT, "  %s  baseline psql \\copy | gzip (level 6): %5.2f s %6.1f MB/s %s | gzip -1: %5.2f s %6.1f MB/s %s"
                                + " | prune archive step (gzip level %d, SHA-256, fsync): %5.2f s %6.1f MB/s %s = %.2fx | whole prune %.2f s%n",
                        partition, psql, bytes / 1e6 / psql, Durations.bytes(baselineSize), psqlFast, bytes / 1e6 / psqlFast,
                        Durations.bytes(fastSize), PruneOptions.DEFAULT_COMPRESSION_LEVEL, ours, bytes / 1e6 / ours,
                        Durations.bytes(oursSize), psql / ours, whole);
            }
            restoreThroughput(db, dir, months, bytes);
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
        double local = localWithVerify.stream().sorted().toList().get(localWithVerify.size() / 2);
        System.out.printf(Locale.ROOT, "  median local-file archive + verify + drop (steps 2 and 3): %.1f MB/s of table heap | peak heap"
                + " used %s (after GC at most %s)%n", local, Durations.bytes(peakUsed), Durations.bytes(peakAfterGc));
        return new Local(local, peakUsed, peakAfterGc);
    }

    /**
     * Months archived to the local S3 server (S3Mock, its own process) instead of a file: multipart upload with SHA-256 per part,
     * then the verification (HeadObject: size and S3's composite checksum) and the drop. Each S3 month stands beside an
     * identical month archived to a local file right before or after it (A-B, then B-A), so that the load of other work on the
     * machine hits both of a pair alike. A quarter-size S3 month first shows that peak heap does not grow with the partition,
     * and warms the S3 path (SDK and S3Mock code compiled) as the local section warmed the file path.
     */
    private static void s3Throughput(TestDb db, Local local) throws Exception {
        System.out.println();
        Optional<S3Server> server = S3Server.shared();
        if (server.isEmpty()) {
            System.out.println("Archive to S3: skipped, " + S3Server.describeUnavailable());
            return;
        }
        server.get().createBuckets("benchmark");
        S3Settings s3 = new S3Settings("benchmark", "prune/", S3Server.REGION, server.get().endpoint(), true, null, null, null,
                new S3Settings.Credentials(S3Server.ACCESS_KEY, S3Server.SECRET_KEY, "the benchmark"), S3Settings.DEFAULT_PART_SIZE);
        PruneOptions toS3 = new PruneOptions(null, PruneOptions.Compression.GZIP, PruneOptions.DEFAULT_COMPRESSION_LEVEL, "benchmark")
                .withS3(s3);
        Path dir = Files.createTempDirectory("prune-benchmark-s3");
        PruneOptions toFile = new PruneOptions(dir, PruneOptions.Compression.GZIP, PruneOptions.DEFAULT_COMPRESSION_LEVEL, "benchmark");
        System.out.println("Archive to S3 (multipart upload, SHA-256 per part, HeadObject verification, drop) against a local-file"
                + " archive of an identical month just before or after it, target >= 0.8x (archive + verify + drop, table heap MB/s):");
        // {month, size divisor, S3 first?}; months in order, so each is the only one past retention at its "now"
        String[][] pairs = {{"2026-07", "1", "false"}, {"2026-09", "1", "true"}};
        List<Double> ratios = new ArrayList<>();
        List<Double> s3Rates = new ArrayList<>();
        try {
            Measured quarter = archiveOnce(db, YearMonth.of(2026, 6), TARGET_BYTES / 4, toS3);
            System.out.printf(Locale.ROOT, "  %s to S3 at a quarter of the size, first, so it also warms the S3 path for the pairs (%s heap): S3 %6.1f MB/s | peak heap used %s (after GC at"
                            + " most %s), -Xmx %s%n", quarter.partition(), Durations.bytes(quarter.bytes()), quarter.mbPerSecond(),
                    Durations.bytes(quarter.peakUsed()), Durations.bytes(quarter.peakAfterGc()), Durations.bytes(Runtime.getRuntime().maxMemory()));
            for (String[] pair : pairs) {
                YearMonth first = YearMonth.parse(pair[0]);
                boolean s3First = Boolean.parseBoolean(pair[2]);
                Measured a = archiveOnce(db, first, TARGET_BYTES / Long.parseLong(pair[1]), s3First ? toS3 : toFile);
                Measured b = archiveOnce(db, first.plusMonths(1), TARGET_BYTES / Long.parseLong(pair[1]), s3First ? toFile : toS3);
                Measured onS3 = s3First ? a : b;
                Measured onFile = s3First ? b : a;
                ratios.add(onS3.mbPerSecond() / onFile.mbPerSecond());
                s3Rates.add(onS3.mbPerSecond());
                System.out.printf(Locale.ROOT, "  %s to S3 and %s to a file (%s heap each): local file %6.1f MB/s, S3 %6.1f MB/s, ratio %.2fx"
                                + " | S3 upload %5.2f s, verify + drop %5.2f s | peak heap used: local file %s, S3 %s (after GC at most:"
                                + " local %s, S3 %s)%n",
                        onS3.partition(), onFile.partition(), Durations.bytes(onS3.bytes()), onFile.mbPerSecond(), onS3.mbPerSecond(),
                        onS3.mbPerSecond() / onFile.mbPerSecond(), onS3.archiveSeconds(), onS3.verifySeconds(),
                        Durations.bytes(onFile.peakUsed()), Durations.bytes(onS3.peakUsed()), Durations.bytes(onFile.peakAfterGc()),
                        Durations.bytes(onS3.peakAfterGc()));
            }
            System.out.printf(Locale.ROOT, "  S3 against a local file, mean of the %d pairs: %.2fx (target >= 0.80x); against the local"
                    + " months of the first section (%.1f MB/s): %.2fx%n", ratios.size(),
                    ratios.stream().mapToDouble(Double::doubleValue).average().orElse(0), local.mbPerSecond(),
                    s3Rates.stream().mapToDouble(Double::doubleValue).average().orElse(0) / local.mbPerSecond());
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    /** One month's archive: throughput over the archive step and the verify-and-drop step, and the heap it took. */
    private record Measured(String partition, long bytes, double archiveSeconds, double verifySeconds, long peakUsed, long peakAfterGc) {
        double mbPerSecond() {
            return bytes / 1e6 / (archiveSeconds + verifySeconds);
        }
    }

    private static Measured archiveOnce(TestDb db, YearMonth month, long target, PruneOptions options) throws Exception {
        String partition = "chat_history_" + month.toString().replace('-', '_');
        fill(db, partition, month + "-01", target);
        long bytes = db.queryLong("SELECT pg_relation_size('" + partition + "')");
        StepTimer timer = new StepTimer(2);
        HeapSampler heap = new HeapSampler();
        heap.start();
        engine(db, options, timer, "archive", month.plusMonths(7).atDay(15).toString()).apply(Goal.PRUNE);
        heap.stopSampling();
        return new Measured(partition, bytes, timer.seconds(), timer.secondsThrough(3) - timer.seconds(), heap.peakUsed, heap.peakAfterGc);
    }

    /** Samples heap use every 20 ms: the peak seen, and the peak of what the collector left live after a GC. */
    private static final class HeapSampler extends Thread {
        private volatile boolean running = true;
        volatile long peakUsed;
        volatile long peakAfterGc;

        HeapSampler() {
            setDaemon(true);
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        }

        @Override
        public void run() {
            while (running) {
                sample();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void sample() {
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long afterGc = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                    afterGc += pool.getCollectionUsage().getUsed();
                }
            }
            peakUsed = Math.max(peakUsed, used);
            peakAfterGc = Math.max(peakAfterGc, afterGc);
        }

        void stopSampling() throws InterruptedException {
            running = false;
            join();
            sample();
        }
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
            engine(db, (Path) null, new Engines.RecordingLog(), "drop", "2026-11-15").apply(Goal.PRUNE);
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

    /** Times steps of an engine run from their announcement ("[n/N] ...") to their "done in" line. */
    private static final class StepTimer implements EngineLog {
        private final int step;
        private final java.util.Map<Integer, Long> starts = new java.util.HashMap<>();
        private final java.util.Map<Integer, Long> ends = new java.util.HashMap<>();
        private int current;

        StepTimer(int step) {
            this.step = step;
        }

        @Override
        public void info(String m) {
            if (m.startsWith("[") && m.indexOf('/') > 1) {
                current = Integer.parseInt(m.substring(1, m.indexOf('/')));
                starts.put(current, System.nanoTime());
            } else if (m.trim().startsWith("done in")) {
                ends.put(current, System.nanoTime());
            }
        }

        @Override
        public void warn(String m) {
        }

        @Override
        public void debug(String m) {
        }

        /** The step alone. */
        double seconds() {
            return secondsThrough(step);
        }

        /** From the start of the step to the end of step {@code last}. */
        double secondsThrough(int last) {
            return (ends.get(last) - starts.get(step)) / 1e9;
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
        return engine(db, new PruneOptions(dir, PruneOptions.Compression.GZIP, PruneOptions.DEFAULT_COMPRESSION_LEVEL, "benchmark"),
                log, mode, now);
    }

    private static PartitionEngine engine(TestDb db, PruneOptions options, EngineLog log, String mode, String now) {
        RunSettings settings = PolicyReader.settings("UTC", now, "300ms", 5, Clock.systemUTC());
        TableSpec spec = new TableSpec("chat_history", "created_at", "month", null, null, "6 months", mode, null);
        return new PartitionEngine(db.settings(), settings, PolicyReader.tables(List.of(spec), settings), Planners.standard(options), log);
    }

    /** Seconds the baseline pipeline takes on the same partition. */
    private static double psqlGzip(TestDb db, String partition, Path out, String gzipOptions) throws Exception {
        return shell(db, "psql | gzip", "set -o pipefail; " + psql(db) + " -c '\\copy (SELECT * FROM " + partition + ") TO STDOUT WITH CSV HEADER'"
                + " | gzip" + gzipOptions + " > " + out);
    }

    /**
     * Seconds a month takes to come back from prune's archive by hand, the way the partitions were made: one psql transaction
     * that creates it LIKE the parent with its indexes, loads it from gunzip, analyzes and attaches it.
     */
    private static double psqlRestore(TestDb db, String partition, Path archive, YearMonth month) throws Exception {
        return shell(db, "gunzip | psql", "set -o pipefail; gunzip -c " + archive + " | " + psql(db) + " -1"
                + " -c 'CREATE TABLE " + partition + " (LIKE chat_history INCLUDING ALL EXCLUDING IDENTITY)'"
                + " -c '\\copy " + partition + " FROM pstdin WITH CSV HEADER' -c 'ANALYZE " + partition + "'"
                + " -c \"ALTER TABLE chat_history ATTACH PARTITION " + partition + " FOR VALUES FROM ('" + month.atDay(1) + "') TO ('"
                + month.plusMonths(1).atDay(1) + "')\"");
    }

    private static String psql(TestDb db) {
        URI uri = URI.create(db.url().substring("jdbc:".length()));
        return "psql -X -q -v ON_ERROR_STOP=1 -h " + uri.getHost() + " -p " + uri.getPort() + " -U " + db.settings().user() + " -d "
                + uri.getPath().substring(1);
    }

    /** Seconds a bash command line takes, run with the database's password in the environment. */
    private static double shell(TestDb db, String what, String command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", command);
        if (db.settings().password() != null) {
            pb.environment().put("PGPASSWORD", db.settings().password());
        }
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        long t0 = System.nanoTime();
        int rc = pb.start().waitFor();
        double s = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException(what + " failed with exit code " + rc);
        }
        return s;
    }

    /**
     * Each archived month restored once by hand ({@link #psqlRestore}) and once by partition:restore (SHA-256 on the way, the
     * row count, the keys and indexes built after the load), interleaved (A-B, then B-A), the month dropped after each.
     */
    private static void restoreThroughput(TestDb db, Path dir, List<String> months, long bytes) throws Exception {
        System.out.println();
        System.out.println("Restore of an archived month (table heap bytes / wall time), three interleaved pairs:");
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < months.size(); i++) {
            String partition = "chat_history_" + months.get(i).replace('-', '_');
            double byHand = 0;
            double ours = 0;
            for (boolean hand : i % 2 == 0 ? List.of(true, false) : List.of(false, true)) {
                db.exec("CHECKPOINT");
                if (hand) {
                    byHand = psqlRestore(db, partition, dir.resolve("public." + partition + ".csv.gz"), YearMonth.parse(months.get(i)));
                } else {
                    long t0 = System.nanoTime();
                    engine(db, dir, new Engines.RecordingLog(), "archive", "2027-01-15")
                            .apply(ArchiveRestore.planner(dir.resolve("public." + partition + ".manifest.json"), Optional.empty()));
                    ours = (System.nanoTime() - t0) / 1e9;
                }
                db.exec("DROP TABLE " + partition);
            }
            ratios.add(byHand / ours);
            System.out.printf(Locale.ROOT, "  %s  by hand (gunzip | psql: LIKE ... INCLUDING ALL, \\copy, ANALYZE, ATTACH): %5.2f s %6.1f MB/s"
                    + " | partition:restore: %5.2f s %6.1f MB/s = %.2fx%n", partition, byHand, bytes / 1e6 / byHand, ours, bytes / 1e6 / ours,
                    byHand / ours);
        }
        System.out.printf(Locale.ROOT, "  median: restore at %.2fx the speed of the restore by hand%n", ratios.stream().sorted().toList().get(1));
    }

}
