package io.github.partitionmaven.benchmark;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.convert.ConvertPlanner;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.premake.PremakePlanner;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.testing.ChatWriter;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.ForwardingLog;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.DebianPostgres;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * partition:convert on seed-shaped chat_history (~500-byte messages over 12 months), 2M rows by default
 * ({@code -Dconvert.benchmark.rows=10000000} for the 10M run), measured beside the baselines in the
 * same run: the seed's INSERT ... SELECT ... ORDER BY into an indexed parent, and the floor (one
 * INSERT ... SELECT into bare partitions, then the index builds). A writer does ~200 inserts, updates
 * and deletes per second throughout; its longest stall is reported, step by step too, and beside it what the same writer sees
 * while the floor runs again (the least work a copy can do), and, last, while as many sessions as the copy uses only read
 * and hash rows (what sharing the cores alone costs it). Prints numbers; asserts nothing.
 *
 * <p>Run: {@code mvn -B -Pbenchmark test -Dtest=ConvertBenchmark}; {@code -Dconvert.benchmark.statements=true} also prints
 * the 25 statements that took the most time (pg_stat_statements); {@code -Dconvert.benchmark.sessions=N} sets copySessions;
 * {@code -Dconvert.benchmark.server=debian15} runs on Debian's PostgreSQL 15 with its stock settings (fsync and
 * full_page_writes on) plus shared_buffers = 2GB, maintenance_work_mem = 1GB and max_wal_size = 8GB, instead of the embedded
 * server (fsync off unless {@code -Dpartition.test.durable=true}). Beside each wall time: the CPU-seconds the server used
 * (the postmaster's utime + stime + cutime + cstime from /proc, plus those of its live children, before and after) and the
 * client JVM's (the plugin and the writer); the writer's p99 latency during each run beside its p99 while idle.
 * {@code -Dconvert.benchmark.only=attach} runs strategy attach alone on the generated table (no baselines, no copy): its
 * exclusive-lock window in minutes instead of the whole run's.
 */
@DatabaseTest
class ConvertBenchmark {

    private static final long ROWS = Long.getLong("convert.benchmark.rows", 2_000_000L);
    /** How long the writer runs alone before each conversion, for its idle p99. */
    private static final long IDLE_MILLIS = Long.getLong("convert.benchmark.idleMillis", 5000);
    private static final int SESSIONS = Integer.getInteger("convert.benchmark.sessions", ConvertOptions.DEFAULTS.copySessions());
    private static final LocalDate TODAY = LocalDate.now(Clock.systemUTC());
    private static final LocalDate FROM = TODAY.minusMonths(12).plusDays(1);
    private static final String SERVER = System.getProperty("convert.benchmark.server", "embedded");
    private static final boolean STATEMENTS = Boolean.getBoolean("convert.benchmark.statements");
    /** {@code -Dconvert.benchmark.pause=300ms}: copyPause, each copy session's wait after each batch. */
    private static final String PAUSE = System.getProperty("convert.benchmark.pause", "0ms");
    /** {@code -Dconvert.benchmark.maxWalRate=40MB}: {@code <throttle><maxWalRate>} a second; 0: none (the default). */
    private static final String WAL_RATE = System.getProperty("convert.benchmark.maxWalRate", "0");
    /**
     * Debian 15 with {@code huge_pages = on} (the OS must have them reserved: {@code sysctl vm.nr_hugepages=1200} for 2GB of
     * shared_buffers). With 4 kB pages every session maps the buffers it touches page by page, and the exit of a session that
     * touched 1.3 GB of them took 208 ms in the kernel (strace: exit_group to exited), stalling the writer's commits as long.
     */
    private static final boolean HUGE_PAGES = Boolean.getBoolean("convert.benchmark.hugePages");
    /** {@code -Dconvert.benchmark.settings=wal_compression=zstd,...}: more server settings for Debian 15. */
    private static final String SETTINGS = System.getProperty("convert.benchmark.settings", "");
    /** "attach": only strategy attach on the generated table (no baselines, no copy), to time its swap window alone. */
    private static final String ONLY = System.getProperty("convert.benchmark.only", "");
    private final List<String> report = new ArrayList<>();
    private final List<String> table = new ArrayList<>();

    @Test
    void convertBesideBaselines() throws Exception {
        if (SERVER.equals("debian15")) {
            DebianPostgres.assumeAvailable();
            Map<String, String> settings = new java.util.LinkedHashMap<>(Map.of("shared_buffers", "2GB", "maintenance_work_mem", "1GB",
                    "max_wal_size", "8GB"));
            if (STATEMENTS) {
                settings.put("shared_preload_libraries", "pg_stat_statements");
            }
            if (HUGE_PAGES) {
                settings.put("huge_pages", "on");
            }
            for (String setting : SETTINGS.split(",")) {
                if (!setting.isBlank()) {
                    settings.put(setting.substring(0, setting.indexOf('=')).trim(), setting.substring(setting.indexOf('=') + 1).trim());
                }
            }
            try (DebianPostgres pg = DebianPostgres.startStock(settings)) {
                run(TestServer.of(pg).createDatabase("convert_benchmark"));
            }
        } else if (SERVER.equals("embedded")) {
            run(TestDb.fresh(getClass()));
        } else {
            throw new IllegalArgumentException("convert.benchmark.server is embedded or debian15, not " + SERVER);
        }
    }

    private void run(TestDb db) throws Exception {
        db.exec(Seed.plainTables().toArray(String[]::new));
        long t0 = System.nanoTime();
        String span = "(TIMESTAMP '" + TODAY + "' - TIMESTAMP '" + FROM + "')";
        db.exec("INSERT INTO users (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, 1000) g",
                "INSERT INTO chat_history (user_id, role, content, created_at) SELECT 1 + g % 1000,"
                        + " CASE WHEN g % 2 = 0 THEN 'user' ELSE 'assistant' END, repeat(md5(g::text), 15), TIMESTAMP '" + FROM + "' + " + span
                        + " * (g::float8 / " + ROWS + ") FROM generate_series(0, " + (ROWS - 1) + ") g",
                "VACUUM ANALYZE chat_history");
        line("generated %,d rows, %s, in %.1f s", ROWS, db.queryStrings("SELECT pg_size_pretty(pg_total_relation_size('chat_history'))").get(0),
                secs(t0));

        if (STATEMENTS) {
            db.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
        line("server: %s; %s", db.server().describe(), String.join(", ", db.queryStrings("SELECT name || '=' || pg_catalog.current_setting(name)"
                + " FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'maintenance_work_mem',"
                + " 'max_wal_size', 'jit', 'max_parallel_maintenance_workers', 'huge_pages', 'wal_compression') ORDER BY name")));
        if (ONLY.equals("attach")) {
            attach(db);
            System.out.println("\n===== ConvertBenchmark, strategy attach only (" + db.server().describe() + ", " + ROWS + " rows) =====");
            report.forEach(System.out::println);
            return;
        } else if (!ONLY.isEmpty()) {
            throw new IllegalArgumentException("convert.benchmark.only is attach or unset, not " + ONLY);
        }
        Cpu.Usage[] seedCpu = new Cpu.Usage[1];
        double seed = Cpu.measure(db, seedCpu, () -> seedWay(db));
        Cpu.Usage[] floorCpu = new Cpu.Usage[1];
        double floor = Cpu.measure(db, floorCpu, () -> floor(db));
        row("floor: INSERT...SELECT into bare partitions + index builds", floor, floor, floorCpu[0], null);
        row("the seed's way: INSERT...SELECT...ORDER BY, indexed parent", seed, floor, seedCpu[0], null);
        // what the least work does to the writer: the same floor again, the writer running (its rows join the copy)
        Run floorRun = underWriter(db, new Engines.RecordingLog(), clock -> floor(db));
        row("floor again, under the writer", floorRun.seconds(), floor, floorRun.cpu(), floorRun);

        // partition:plan first, as a user reviews it before converting: it also loads the engine's classes into this JVM, which
        // took 0.27 s of the goal's first 0.43 s before its first step (a warm plan: 0.07-0.10 s)
        long planStart = System.nanoTime();
        engine(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).plan(java.util.Set.of(Goal.CONVERT));
        line("partition:plan of the conversion, the engine's first run in this JVM (not timed with the goal): %.2f s", secs(planStart));
        Engines.RecordingLog log = new Engines.RecordingLog();
        Run copyRun = underWriter(db, ConvertOptions.DEFAULTS.withCopySessions(SESSIONS)
                .withCopyPause(PolicyReader.parseDuration(PAUSE, "copyPause"))
                .withThrottle(io.github.partitionmaven.execute.ThrottleLimits.of(null, null, WAL_RATE, null, null)), log);
        double copy = copyRun.seconds();
        row("partition:convert, strategy copy (" + SESSIONS + " copy session(s), pause " + PAUSE + (WAL_RATE.equals("0") ? "" : ", WAL "
                + WAL_RATE + "/s") + ")", copy, floor, copyRun.cpu(), copyRun);
        double copyStall = copyRun.stallMillis();
        long writes = copyRun.writes();
        line("");
        line("strategy copy, online, writer at ~200 ops/s (%,d ops during the run):", writes);
        for (String l : log.lines) {
            if (l.startsWith("WARN ") || l.contains("done in") || l.contains("] ") || l.contains("replayed") || l.contains("verified")
                    || l.contains("swapped") || l.contains(": done")) {
                line("    %s", l.substring(5));
            }
        }
        double[] phases = phases(log.lines);
        line("  copy total                 %8.1f s = rows copied, indexes built and partitions analyzed %.1f s (%.2fx floor) + verification %.1f s"
                + " + ANALYZE %.1f s + foreign keys %.1f s + replays, swap and the rest %.1f s (of which %.2f s before the first step:"
                + " connecting, reading the catalog, planning)", copy, phases[0], phases[0] / floor, phases[1],
                phases[2], phases[3], copy - phases[0] - phases[1] - phases[2] - phases[3], copyRun.beforeFirstStep());
        line("  floor (INSERT...SELECT into bare partitions + index builds) %8.1f s   -> copy/floor = %.2fx (target <= 1.1x)", floor, copy / floor);
        line("  the floor again, under the same writer as copy          %8.1f s   -> copy/floor = %.2fx", floorRun.seconds(),
                copy / floorRun.seconds());
        line("  seed's INSERT...SELECT...ORDER BY into its indexed parent   %8.1f s   -> seed/copy  = %.2fx (target >= 2x)", seed, seed / copy);
        line("  writer's longest stall     %8.1f ms (target < 100 ms), during %s", copyStall, copyRun.stallStep());
        line("  writer's p99 latency       %8.2f ms during the conversion, %.2f ms idle before -> %.2fx (target <= 2x); idle after, on the"
                + " converted table: %.2f ms", copyRun.p99(), copyRun.idleP99(), copyRun.p99() / copyRun.idleP99(), copyRun.afterP99());
        if (STATEMENTS) {
            // the same statement on each partition (its name ends in _YYYY_MM) counts as one
            db.queryStrings("SELECT round(pg_catalog.sum(total_exec_time))::text || ' ms, ' || pg_catalog.sum(calls) || ' calls: ' || q FROM"
                    + " (SELECT total_exec_time, calls, left(regexp_replace(regexp_replace(query, '\\s+', ' ', 'g'), '_[0-9]{4}_[0-9]{2}', '_YYYY_MM', 'g'),"
                    + " 150) AS q FROM pg_stat_statements) s GROUP BY q ORDER BY pg_catalog.sum(total_exec_time) DESC LIMIT 25").forEach(l -> line("    %s", l));
        }
        line("  rows: converted %,d, old %,d", db.queryLong("SELECT count(*) FROM chat_history"), db.queryLong("SELECT count(*) FROM chat_history_old"));

        // attach: the old plain table becomes chat_history again, then is converted without a copy
        db.exec("ALTER SEQUENCE chat_history_id_seq OWNED BY chat_history_old.id", "DROP TABLE chat_history",
                "ALTER TABLE chat_history_old RENAME TO chat_history",
                "ALTER INDEX chat_history_pkey_old RENAME TO chat_history_pkey",
                "ALTER INDEX idx_chat_history_created_old RENAME TO idx_chat_history_created",
                "ALTER INDEX idx_chat_history_user_created_old RENAME TO idx_chat_history_user_created",
                "DELETE FROM chat_history WHERE created_at >= date_trunc('month', now()) + interval '1 month'");
        Run attachRun = attach(db);
        line("  (copy above took %.1f s)", copy);
        row("partition:convert, strategy attach (no copy)", attachRun.seconds(), floor, attachRun.cpu(), attachRun);
        // what sharing the CPU alone does to the writer: as many sessions as copy uses, reading and hashing, writing nothing. Last, so
        // as not to change what follows it: in the one run that had it before the conversion, the copy step took 11.5 s (4.9 s without)
        Run cpuRun = underWriter(db, new Engines.RecordingLog(), clock -> cpuAlone(db, SESSIONS, floor));
        row("CPU alone: " + SESSIONS + " session(s) hashing rows, writing nothing", cpuRun.seconds(), floor, cpuRun.cpu(), cpuRun);
        line("");
        line("the same writer's p99 while %d session(s) only read and hash rows for as long as the floor took: %.2f ms, %.2fx its idle"
                + " %.2f ms (the cores' share alone; target for the conversion <= 2x)", SESSIONS, cpuRun.p99(), cpuRun.p99() / cpuRun.idleP99(),
                cpuRun.idleP99());
        System.out.println("\n===== ConvertBenchmark (" + db.server().describe() + ", " + ROWS + " rows) =====");
        report.forEach(System.out::println);
        System.out.println();
        System.out.println(String.format(Locale.ROOT, "%-62s %8s %7s %8s %8s %8s %9s %9s %7s %9s %9s", "run", "wall s", "/floor", "server", "client",
                "of which", "p99 ms", "idle p99", "p99 x", "stall ms", "after p99"));
        System.out.println(String.format(Locale.ROOT, "%-62s %8s %7s %8s %8s %8s %9s %9s %7s %9s %9s", "", "", "", "CPU s", "CPU s", "JIT+GC", "(during)",
                "(before)", "", "", "(idle)"));
        table.forEach(System.out::println);
        System.out.println(String.format(Locale.ROOT, "targets: copy <= 1.1x floor (%.2fx; %.2fx the floor under the writer), seed's way >= 2x"
                + " copy (%.2fx), stall < 100 ms (%.1f), p99 <= 2x idle (%.2fx)", copy / floor, copy / floorRun.seconds(), seed / copy, copyStall,
                copyRun.p99() / copyRun.idleP99()));
    }

    /** Strategy attach on chat_history under the writer; prints its log, exclusive-lock window and the writer's longest stall. */
    private Run attach(TestDb db) throws Exception {
        Engines.RecordingLog attachLog = new Engines.RecordingLog();
        Run attachRun = underWriter(db, ConvertOptions.DEFAULTS.withStrategy(ConvertOptions.Strategy.ATTACH), attachLog);
        double attach = attachRun.seconds();
        double attachStall = attachRun.stallMillis();
        line("");
        line("strategy attach, writer at ~200 ops/s:");
        for (String l : attachLog.lines) {
            line("    %s", l.substring(5));
        }
        Matcher m = Pattern.compile("ACCESS EXCLUSIVE held (\\d+) ms").matcher(attachLog.text());
        line("  attach total               %8.1f s (no copy)", attach);
        line("  exclusive-lock window      %8s ms (target < 50 ms)", m.find() ? m.group(1) : "?");
        line("  writer's longest stall     %8.1f ms, during %s", attachStall, attachRun.stallStep());
        return attachRun;
    }

    private void row(String name, double seconds, double floor, Cpu.Usage cpu, Run run) {
        table.add(String.format(Locale.ROOT, "%-62s %8.1f %6.2fx %8.1f %8.1f %8.1f %9s %9s %7s %9s %9s", name, seconds, seconds / floor, cpu.server(),
                cpu.client(), cpu.jvm(), run == null ? "-" : String.format(Locale.ROOT, "%.2f", run.p99()),
                run == null ? "-" : String.format(Locale.ROOT, "%.2f", run.idleP99()),
                run == null ? "-" : String.format(Locale.ROOT, "%.2fx", run.p99() / run.idleP99()),
                run == null ? "-" : String.format(Locale.ROOT, "%.1f", run.stallMillis()),
                run == null ? "-" : String.format(Locale.ROOT, "%.2f", run.afterP99())));
    }

    /** Seconds spent in: copy + index builds, verification, ANALYZE, foreign keys; read from the step log. */
    private static double[] phases(List<String> lines) {
        double[] out = new double[4];
        String action = "";
        Pattern done = Pattern.compile("done in (\\d+) ms");
        for (String l : lines) {
            Matcher m = done.matcher(l);
            if (l.contains("] \"")) {
                action = l.substring(l.indexOf(": ") + 2);
            } else if (m.find()) {
                double s = Long.parseLong(m.group(1)) / 1000.0;
                int phase = action.startsWith("copy") || action.startsWith("define the") || action.startsWith("build the") ? 0
                        : action.startsWith("verify") ? 1 : action.startsWith("analyze") ? 2 : action.startsWith("add foreign key") ? 3 : -1;
                if (phase >= 0) {
                    out[phase] += s;
                }
            }
        }
        return out;
    }

    /**
     * @param stallStep the step during which the longest stall began
     * @param p99       the writer's 99th percentile latency during the run, ms
     * @param idleP99   the writer's 99th percentile latency in the seconds before the run, ms
     * @param afterP99  the same in the seconds after the run (and the half second the stall covers), ms
     */
    /** {@code beforeFirstStep}: seconds from the goal's start to its first step (connecting, catalog reads, planning, preflight). */
    private record Run(double seconds, double stallMillis, long writes, String stallStep, double p99, double idleP99, double afterP99, Cpu.Usage cpu,
                       double beforeFirstStep) {
    }

    /**
     * Remembers when each step started, to tell during which step the writer stalled longest, and how many of the writer's
     * operations had been timed then, for the writer's p99 and longest operation step by step.
     */
    private static final class StepClock extends ForwardingLog {
        private final java.util.TreeMap<Long, String> starts = new java.util.TreeMap<>();
        private final Map<String, Integer> firstOperation = new java.util.LinkedHashMap<>();
        private final ChatWriter writer;

        StepClock(EngineLog target, ChatWriter writer) {
            super(target);
            this.writer = writer;
        }

        @Override
        public void info(String message) {
            if (message.startsWith("[")) {
                String step = message.substring(0, message.indexOf(']') + 1);
                starts.put(System.nanoTime(), step);
                firstOperation.put(step, writer.timedOperations());
            }
            super.info(message);
        }

        /** Per step: the writer's operations, their p99 and their longest, in ms. */
        /** Up to the {@code end}th operation timed: the goal and the half second after it. */
        List<String> writerBySteps(int end) {
            List<String> out = new ArrayList<>();
            List<Map.Entry<String, Integer>> steps = new ArrayList<>(firstOperation.entrySet());
            for (int i = 0; i < steps.size(); i++) {
                int from = steps.get(i).getValue();
                int to = i + 1 < steps.size() ? steps.get(i + 1).getValue() : end;
                if (to > from) {
                    out.add(String.format(Locale.ROOT, "%s %d ops, p99 %.1f ms, longest %.1f ms", steps.get(i).getKey(), to - from,
                            writer.latencyPercentileMillis(99, from, to), writer.latencyPercentileMillis(100, from, to)));
                }
            }
            return out;
        }

        /** The goal's end, after which the writer is still timed for half a second (on the converted table). */
        private long ended = Long.MAX_VALUE;

        void ended() {
            ended = System.nanoTime();
        }

        String stepAt(long nanos) {
            return at(nanos) + String.format(Locale.ROOT, " (JVM uptime %.3f s, for -Xlog's timestamps)",
                    (java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() - (System.nanoTime() - nanos) / 1e6) / 1000);
        }

        private String at(long nanos) {
            if (nanos >= ended) {
                return String.format(Locale.ROOT, "the half second after the goal ended (%.0f ms after)", (nanos - ended) / 1e6);
            }
            var entry = starts.floorEntry(nanos);
            return entry == null ? "before the first step"
                    : String.format(Locale.ROOT, "step %s, %.0f ms after it began", entry.getValue(), (nanos - entry.getKey()) / 1e6);
        }
    }

    /** Work timed under the writer; {@code log} sees the steps' messages. */
    private interface Work {
        void run(EngineLog log) throws Exception;
    }

    /** Runs the conversion while the writer does ~200 operations per second; its longest stall covers the whole run. */
    private Run underWriter(TestDb db, ConvertOptions options, Engines.RecordingLog log) throws Exception {
        return underWriter(db, log, clock -> engine(db, options, clock).apply(Goal.CONVERT));
    }

    /** Runs {@code work} while the writer does ~200 operations per second; its longest stall covers the whole run. */
    private Run underWriter(TestDb db, Engines.RecordingLog log, Work work) throws Exception {
        checkpoint(db);
        try (ChatWriter writer = new ChatWriter(db, false, 200, FROM.plusDays(2).atStartOfDay(), TODAY.atStartOfDay())) {
            Thread.sleep(1000);
            writer.resetStall();
            Thread.sleep(IDLE_MILLIS);
            double idleP99 = writer.latencyPercentileMillis(99);
            writer.resetStall();
            long start = System.nanoTime();
            Cpu.Usage before = Cpu.now(db);
            StepClock clock = new StepClock(log, writer);
            try {
                work.run(clock);
            } catch (RuntimeException e) {
                log.lines.forEach(l -> line("    %s", l));
                line("FAILED: %s", e.getMessage());
                throw e;
            }
            double seconds = secs(start);
            clock.ended();
            Cpu.Usage cpu = Cpu.now(db).minus(before);
            double p99 = writer.latencyPercentileMillis(99);
            Thread.sleep(500);
            double stall = writer.longestStallMillis();
            String stallStep = clock.stepAt(writer.longestStallStartedAt());
            // the same writer, idle again, on what the run left: the converted table's own p99, beside the one before
            int after = writer.timedOperations();
            Thread.sleep(IDLE_MILLIS);
            double afterP99 = writer.latencyPercentileMillis(99, after, Integer.MAX_VALUE);
            writer.close();
            if (!writer.errors().isEmpty()) {
                line("writer errors: %s", writer.errors());
            }
            if (!clock.writerBySteps(after).isEmpty()) {
                line("  writer, step by step: %s", String.join("; ", clock.writerBySteps(after)));
            }
            return new Run(seconds, stall, writer.ops(), stallStep, p99, idleP99, afterP99, cpu,
                    clock.starts.isEmpty() ? seconds : (clock.starts.firstKey() - start) / 1e9);
        }
    }

    private static PartitionEngine engine(TestDb db, ConvertOptions options, EngineLog log) {
        RunSettings settings = PolicyReader.settings("UTC", null, "50ms", 30, Clock.systemUTC());
        return new PartitionEngine(db.settings(), settings, PolicyReader.tables(List.of(Engines.month("chat_history")), settings),
                List.of(new ConvertPlanner(options), new PremakePlanner()), log);
    }

    /**
     * The seed's migration, as its plan writes it: the partitioned parent with its two indexes (no primary key), one
     * INSERT ... SELECT ... ORDER BY created_at, then the row counts of both tables compared.
     */
    private double seedWay(TestDb db) {
        List<String> ddl = partitionedCopy("seed_way");
        ddl.add("CREATE INDEX ON seed_way (user_id, created_at DESC)");
        ddl.add("CREATE INDEX ON seed_way (created_at DESC)");
        db.exec(ddl.toArray(String[]::new));
        checkpoint(db);
        long start = System.nanoTime();
        db.exec("INSERT INTO seed_way SELECT * FROM chat_history ORDER BY created_at");
        long copied = db.queryLong("SELECT count(*) FROM seed_way");
        if (copied != db.queryLong("SELECT count(*) FROM chat_history")) {
            throw new IllegalStateException("the seed's way lost rows");
        }
        double s = secs(start);
        line("baseline: seed's INSERT ... SELECT ... ORDER BY into a parent with its two indexes, then both counts: %.1f s", s);
        db.exec("DROP TABLE seed_way");
        return s;
    }

    /**
     * Each run starts with no dirty buffers of the one before: without this the floor, timed right after the seed's way had
     * written 2.5 GB, took 10.7 s alone and 8.1 s when timed again under the writer (its INSERT 7.7 s against 4.9 s).
     */
    private static void checkpoint(TestDb db) {
        db.exec("CHECKPOINT");
    }

    /** The floor: one INSERT ... SELECT into bare partitions, then the index builds. */
    private double floor(TestDb db) {
        db.exec(partitionedCopy("floor_way").toArray(String[]::new));
        checkpoint(db);
        long start = System.nanoTime();
        db.exec("INSERT INTO floor_way SELECT * FROM chat_history");
        double insert = secs(start);
        db.exec("ALTER TABLE floor_way ADD PRIMARY KEY (id, created_at)",
                "CREATE INDEX ON floor_way (user_id, created_at DESC)", "CREATE INDEX ON floor_way (created_at DESC)");
        double s = secs(start);
        line("baseline: floor, INSERT ... SELECT into bare partitions %.1f s + index builds %.1f s = %.1f s", insert, s - insert, s);
        db.exec("DROP TABLE floor_way");
        return s;
    }

    /**
     * The CPU's share alone: {@code sessions} sessions sum a hash of every row of chat_history, one core each (no parallel
     * workers), over and over for about {@code seconds}, writing nothing (a SELECT: no WAL of its own).
     * The writer's p99 beside it is what sharing the cores costs it, whatever the disk does.
     */
    private static void cpuAlone(TestDb db, int sessions, double seconds) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < sessions; i++) {
            Thread t = new Thread(() -> {
                try (Connection c = db.connect(); Statement s = c.createStatement()) {
                    s.execute("SET max_parallel_workers_per_gather = 0");
                    while (System.nanoTime() < end) {
                        s.execute("SELECT pg_catalog.sum(pg_catalog.hashtext(content)) FROM chat_history");
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    /** A bare partitioned table shaped like chat_history, with the months of the data and three ahead. */
    private static List<String> partitionedCopy(String name) {
        List<String> sql = new ArrayList<>();
        sql.add("CREATE TABLE " + name + " (id bigint NOT NULL, user_id integer NOT NULL, role varchar(20) NOT NULL, content text NOT NULL,"
                + " created_at timestamp NOT NULL) PARTITION BY RANGE (created_at)");
        for (YearMonth m = YearMonth.from(FROM); !m.isAfter(YearMonth.from(TODAY).plusMonths(3)); m = m.plusMonths(1)) {
            sql.add(String.format(Locale.ROOT, "CREATE TABLE %s_%d_%02d PARTITION OF %s FOR VALUES FROM ('%s') TO ('%s')", name, m.getYear(),
                    m.getMonthValue(), name, m.atDay(1), m.plusMonths(1).atDay(1)));
        }
        return sql;
    }

    private void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        report.add(s);
        System.out.println(s);
    }

    private static double secs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
