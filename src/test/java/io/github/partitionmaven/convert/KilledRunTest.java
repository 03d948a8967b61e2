package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.ChatWriter;
import io.github.partitionmaven.testing.ConvertProcess;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A conversion running in a JVM of its own ({@link ConvertProcess}) is killed with SIGKILL at a chosen point while
 * the application writes; the next run, in this JVM, completes it, and the result equals what the application
 * wrote. Where a point is too short to hit by timing, the child is made to wait there: either it holds inside its
 * log call (between two statements, or inside an open transaction), or a session of the test holds a lock its next
 * statement needs, and the kill comes once pg_locks shows the child waiting for it.
 */
@DatabaseTest
class KilledRunTest {

    private static final int BATCH = 5000;
    /** Rows where the kill point does not depend on how long the work takes (held, or blocked by a lock). */
    private static final int SMALL = 20_000;
    private static final ConvertOptions OPTIONS = ConvertOptions.DEFAULTS.withBatchSize(BATCH);
    private static final LocalDateTime WRITES_FROM = LocalDateTime.of(2025, 12, 5, 0, 0);
    private static final LocalDateTime WRITES_TO = LocalDateTime.of(2026, 11, 20, 0, 0);
    /** The partition of the new table the blocking session locks: in the middle of the data. */
    private static final String MIDDLE_PARTITION = "chat_history_2026_06";

    @Test
    void killedInsideThePrepareTransaction() throws Exception {
        try (Conversion run = new Conversion(SMALL)) {
            Child child = run.start("CREATE TRIGGER \"partition_convert_capture\"");
            child.awaitHeld();
            assertEquals(List.of("idle in transaction"), run.childActivity(), "the child is inside the prepare transaction");
            child.kill();
            run.awaitChildGone();
            assertEquals(0, run.db.queryLong("SELECT count(*) FROM pg_class WHERE relname IN ('chat_history_new', 'chat_history_conversion',"
                    + " 'chat_history_changes')"), "the prepare is rolled back whole");
            run.resumeAndCheck(false);
        }
    }

    @Test
    void killedRightAfterPrepare() throws Exception {
        try (Conversion run = new Conversion(SMALL)) {
            run.start("copy the rows of").awaitHeld();
            assertEquals(0, run.db.queryLong("SELECT copied_rows FROM chat_history_conversion"), "prepared, nothing copied yet");
            run.child.kill();
            run.stopWritingBeforeTheRerun();
            run.resumeAndCheck(true);
        }
    }

    @Test
    void killedMidCopy() throws Exception {
        try (Conversion run = new Conversion(200_000)) {
            run.killMidCopy(10);
            run.resumeAndCheck(true);
        }
    }

    /**
     * Two sessions copy side by side; one is held mid-batch (its batch has rows for a partition the test locks) while the
     * other commits later batches, so the kill leaves a gap in the recorded key ranges, which the rerun must fill. The held
     * batch is the third of the first session's region of the key (ids 1-50,000; the other session's is 50,001-100,000): held
     * at its ninth (ids 42,501-42,510), the other session had at most two batches left by then, and in one CI run of three
     * the three more batches this waits for never came.
     */
    @Test
    void killedMidCopyLeavingAGap() throws Exception {
        try (Conversion run = new Conversion(100_000, "UPDATE chat_history SET created_at = '2026-12-10' WHERE id BETWEEN 12501 AND 12510")) {
            run.start("copy the rows of").awaitHeld();
            String blocked = run.block("chat_history_2026_12", "SHARE");
            long committed = run.child.count(line -> line.contains("copy batch committed"));
            run.child.await(line -> line.contains("copy batch committed"), (int) committed + 3);
            run.child.kill();
            run.note("killed after 3 more batches committed beside the session " + blocked + "; recorded ranges "
                    + run.db.queryStrings("SELECT copied_from::text || ' ' || copied_to::text FROM chat_history_conversion"));
            run.unblock();
            run.awaitChildGone();
            assertEquals(0, run.db.queryLong("SELECT count(*) FROM chat_history_new WHERE id BETWEEN 12501 AND 12510"), "the held batch is not kept");
            assertTrue(run.db.queryLong("SELECT count(*) FROM chat_history_new WHERE id > 45000") >= 2 * BATCH, "later batches are");
            assertEquals(run.db.queryLong("SELECT copied_rows FROM chat_history_conversion"), run.db.queryLong("SELECT count(*) FROM chat_history_new"));
            assertTrue(run.resumeAndCheck(true).text().contains("batch(es) at a time, skipping the "), "the rerun copies only what is missing");
        }
    }

    /** Killed once some partitions have their keys and indexes: the rerun builds the others and keeps those. */
    @Test
    void killedMidIndexBuild() throws Exception {
        try (Conversion run = new Conversion(200_000)) {
            run.start(null).await(line -> line.contains(": build the "), 1);
            run.awaitChild("SELECT 1 FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid WHERE c.relname = 'chat_history_pkey_new'"
                    + " AND NOT x.indisvalid AND (SELECT count(*) FROM pg_inherits WHERE inhparent = c.oid) >= 3");
            run.child.kill();
            run.awaitChildGone();
            List<String> built = run.db.queryStrings("SELECT inhrelid::regclass::text FROM pg_inherits"
                    + " WHERE inhparent = 'chat_history_pkey_new'::regclass ORDER BY 1");
            assertTrue(built.size() >= 3 && built.size() < 15, "killed mid-build: " + built);
            assertEquals(List.of("false"), run.db.queryStrings("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'chat_history_pkey_new'::regclass"));
            run.note("killed with the keys of " + built.size() + " of 15 partitions built");
            String before = run.db.queryStrings("SELECT string_agg(inhrelid::text, ',' ORDER BY inhrelid) FROM pg_inherits"
                    + " WHERE inhparent = 'chat_history_pkey_new'::regclass").get(0);
            run.resumeAndCheck(true);
            assertEquals(before, run.db.queryStrings("SELECT string_agg(inhrelid::text, ',' ORDER BY inhrelid) FROM pg_inherits"
                    + " WHERE inhparent = 'chat_history_pkey'::regclass AND inhrelid IN (" + before + ")").get(0), "the partitions built before are kept");
        }
    }

    /**
     * Killed while one build session waits for a lock the test holds on a partition: the server ends the killed session
     * within seconds although that lock is still held (it checks the client connection while a statement runs), and a
     * rerun started at once, before that, waits for it (the table's advisory lock) instead of working beside it.
     */
    @Test
    void killedWhileBuildingAnIndexAndRerunAtOnce() throws Exception {
        try (Conversion run = new Conversion(SMALL)) {
            run.start(": build the ").awaitHeld();
            String killed = run.blockAndKill(MIDDLE_PARTITION, "ROW EXCLUSIVE");
            Engines.RecordingLog log = new Engines.RecordingLog();
            List<Throwable> failed = new CopyOnWriteArrayList<>();
            Thread rerun = new Thread(() -> ConvertTest.engine(run.db, OPTIONS, log).apply(Goal.CONVERT), "rerun");
            rerun.setUncaughtExceptionHandler((t, e) -> failed.add(e));
            rerun.start();
            run.awaitChildEndedByTheServer();
            assertEquals(0, run.db.queryLong("SELECT count(*) FROM pg_index WHERE indrelid = '" + MIDDLE_PARTITION + "'::regclass"),
                    "the killed build of that partition is not committed");
            run.unblock();
            rerun.join(60_000);
            assertEquals(List.of(), failed);
            boolean waited = log.text().contains("Waiting for another partition-maven-plugin run on \"public\".\"chat_history\" (pid " + killed + ")");
            run.note(waited ? "the rerun waited for the killed session's advisory lock"
                    : "the killed session was gone when the rerun took the table's advisory lock");
            run.check(log);
        }
    }

    @Test
    void killedAddingTheForeignKey() throws Exception {
        try (Conversion run = new Conversion(SMALL)) {
            run.start(": add foreign key ").awaitHeld();
            run.blockAndKill("users", "ROW EXCLUSIVE");
            run.unblock();
            run.resumeAndCheck(true);
        }
    }

    /** The verification's second session validates the foreign key (PostgreSQL 18) and analyzes; killed while it waits. */
    @Test
    void killedWhileTheSecondSessionValidatesAndAnalyzes() throws Exception {
        try (Conversion run = new Conversion(SMALL)) {
            run.start(": verify ").awaitHeld();
            run.blockAndKill(MIDDLE_PARTITION, "SHARE UPDATE EXCLUSIVE");
            run.unblock();
            run.resumeAndCheck(true);
        }
    }

    /**
     * Strategy attach builds its unique index CONCURRENTLY, which commits the index as invalid before it waits for the
     * table's writers (here a transaction of the test): killed then, it leaves that invalid index, which the rerun rebuilds.
     * The build waits with lock_timeout 0; the server ends the killed session anyway, while the test's transaction still runs.
     */
    @Test
    void killedBuildingTheAttachIndexConcurrently() throws Exception {
        try (Conversion run = new Conversion(SMALL)) {
            run.options = OPTIONS.withStrategy(ConvertOptions.Strategy.ATTACH);
            run.start("build unique index").awaitHeld();
            String waiting = run.block("chat_history", "ROW EXCLUSIVE", "SELECT a.pid || ' ' || p.phase FROM pg_stat_progress_create_index p"
                    + " JOIN pg_stat_activity a ON a.pid = p.pid WHERE a.application_name = '" + run.child.name + "' AND p.phase LIKE 'waiting%'");
            run.child.kill();
            run.note("killed " + waiting);
            run.awaitChildEndedByTheServer();
            assertEquals(List.of("false"), run.db.queryStrings("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'chat_history_partition_key'::regclass"),
                    "the killed build left its index invalid");
            run.unblock();
            Engines.RecordingLog log = new Engines.RecordingLog();
            ConvertTest.engine(run.db, run.options, log).apply(Goal.CONVERT);
            assertTrue(log.text().contains("build unique index"), log.text());
            run.check(log);
            assertEquals(List.of("chat_history_old"), run.db.queryStrings("SELECT inhrelid::regclass::text FROM pg_inherits"
                    + " WHERE inhparent = 'chat_history'::regclass AND inhrelid = 'chat_history_old'::regclass"));
        }
    }

    @Test
    void killedMidReplay() throws Exception {
        try (Conversion run = new Conversion(SMALL)) {
            run.start("replay captured changes into").awaitHeld();
            run.blockAndKill(MIDDLE_PARTITION, "SHARE");
            run.unblock();
            run.awaitChildGone();
            assertTrue(run.db.queryLong("SELECT count(*) FROM chat_history_changes") > 0, "the keys the killed replay took are back");
            run.resumeAndCheck(true);
        }
    }

    @Test
    void killedMidVerification() throws Exception {
        try (Conversion run = new Conversion(200_000)) {
            run.start(null).await(line -> line.contains(": verify "), 1);
            String seen = run.awaitChild("SELECT state || ' ' || coalesce(wait_event_type, '-') || ' ' || left(query, 40)"
                    + " FROM pg_stat_activity WHERE application_name = '" + run.child.name + "' AND backend_type = 'client backend'"
                    + " AND state = 'active' AND query LIKE 'SELECT ''source''%'");
            run.child.kill();
            run.note("killed while pg_stat_activity showed: " + seen);
            run.resumeAndCheck(true);
        }
    }

    @Test
    void killedWaitingForTheSwapLock() throws Exception {
        try (Conversion run = new Conversion(SMALL)) {
            run.start(": swap: ").awaitHeld();
            run.blockAndKill("chat_history", "ACCESS SHARE");
            run.unblock();
            run.resumeAndCheck(true);
        }
    }

    @Test
    void killedInsideTheSwapTransaction() throws Exception {
        try (Conversion run = new Conversion(SMALL)) {
            run.killInsideTheSwap();
            run.stopWritingBeforeTheRerun();
            run.resumeAndCheck(true);
        }
    }

    /** Each run resumes the killed one and is killed in turn: twice mid-copy, then inside the swap. */
    @Test
    void killedAgainWhileResuming() throws Exception {
        try (Conversion run = new Conversion(100_000)) {
            run.killMidCopy(5);
            run.killMidCopy(5);
            run.killInsideTheSwap();
            run.resumeAndCheck(true);
        }
    }

    /** One seeded database, the application writing, and the child conversions that get killed. */
    private final class Conversion implements AutoCloseable {
        final TestDb db;
        final ChatWriter writer;
        ConvertOptions options = OPTIONS;
        Child child;
        private final List<Child> children = new ArrayList<>();
        private Connection blocker;
        private final List<String> notes = new ArrayList<>();
        private boolean stoppedWriting;

        Conversion(int rows, String... changes) {
            db = TestDb.fresh(KilledRunTest.class);
            db.exec(Seed.plainTables().toArray(String[]::new));
            db.exec(Seed.rows(50, rows, LocalDate.of(2025, 12, 3), LocalDate.of(2026, 11, 20)).subList(0, 2).toArray(String[]::new));
            db.exec(changes);
            db.exec("ANALYZE chat_history");
            writer = new ChatWriter(db, true, 200, WRITES_FROM, WRITES_TO);
        }

        /** Starts a child conversion, holding at the first log line containing {@code hold} (null: never). */
        Child start(String hold) throws IOException {
            child = new Child(db, options, hold);
            children.add(child);
            return child;
        }

        /** The application stops before the rerun, so the old table the swap leaves must equal what it wrote, too. */
        void stopWritingBeforeTheRerun() throws InterruptedException {
            writer.close();
            stoppedWriting = true;
        }

        void note(String text) {
            notes.add(text);
        }

        /** A child resumes the copy and is killed after {@code batches} more batches committed. */
        void killMidCopy(int batches) throws Exception {
            long before = db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'chat_history_conversion'") == 0 ? 0
                    : db.queryLong("SELECT copied_rows FROM chat_history_conversion");
            start(null).await(line -> line.contains("copy batch committed"), batches);
            note("the child's session was " + childActivity());
            child.kill();
            awaitChildGone();
            long copied = db.queryLong("SELECT copied_rows FROM chat_history_conversion");
            assertTrue(copied >= before + batches * BATCH && copied < db.queryLong("SELECT count(*) FROM chat_history"),
                    "killed mid-copy: " + copied + " row(s) copied");
            assertEquals(copied, db.queryLong("SELECT count(*) FROM chat_history_new"), "only whole batches are kept");
            note("copied " + copied + " row(s) before the kill");
        }

        void killInsideTheSwap() throws Exception {
            start("swap: last changes replayed under the lock").awaitHeld();
            assertEquals(List.of("AccessExclusiveLock idle in transaction"), db.queryStrings("SELECT l.mode || ' ' || a.state"
                            + " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name = '" + child.name + "'"
                            + " AND l.granted AND l.relation = 'chat_history'::regclass AND l.mode = 'AccessExclusiveLock'"),
                    "the child is inside the swap transaction, holding its lock");
            child.kill();
            awaitChildGone();
        }

        /**
         * Takes {@code mode} on {@code table} in an open transaction, lets the held child go on until pg_locks shows it
         * waiting for that lock, and kills it; returns the pid of its session, which waits in the server until {@link #unblock()}.
         */
        String blockAndKill(String table, String mode) throws Exception {
            String waiting = block(table, mode);
            child.kill();
            note("killed " + waiting);
            return waiting.substring(0, waiting.indexOf(' '));
        }

        /** Takes {@code mode} on {@code table} in an open transaction and lets the held child go on until pg_locks shows it waiting for it. */
        String block(String table, String mode) throws Exception {
            return block(table, mode, "SELECT a.pid || ' waiting for ' || l.relation::regclass::text || ' ' || l.mode || ': '"
                    + " || left(a.query, 60) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name = '"
                    + child.name + "' AND NOT l.granted AND l.relation = '" + table + "'::regclass");
        }

        /** Takes {@code mode} on {@code table} in an open transaction and lets the held child go on until {@code waiting} returns a row. */
        String block(String table, String mode, String waiting) throws Exception {
            blocker = db.connect();
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("LOCK TABLE " + table + " IN " + mode + " MODE");
            }
            child.release();
            return awaitChild(waiting);
        }

        void unblock() throws SQLException {
            blocker.rollback();
            blocker.close();
            blocker = null;
        }

        /** Polls until {@code sql}, a query on the child's session in the statistics views, returns a row; returns it. */
        String awaitChild(String sql) throws InterruptedException, SQLException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                while (true) {
                    s.execute("SELECT pg_stat_clear_snapshot()");
                    try (ResultSet rs = s.executeQuery(sql)) {
                        if (rs.next()) {
                            return rs.getString(1);
                        }
                    }
                    if (System.nanoTime() > deadline || !child.process.isAlive()) {
                        fail("the child never got there: " + sql + "\n" + child.output());
                    }
                    Thread.sleep(1);
                }
            }
        }

        /** The state of the child's session, as pg_stat_activity shows it. */
        List<String> childActivity() {
            return db.queryStrings("SELECT state FROM pg_stat_activity WHERE application_name = '" + child.name
                    + "' AND backend_type = 'client backend'");
        }

        /** The server ends a killed child's session once it notices the closed socket; the rerun here waits for that. */
        void awaitChildGone() throws InterruptedException {
            if (child.gone) {
                return;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + child.name + "'") > 0) {
                if (System.nanoTime() > deadline) {
                    fail("the killed child's sessions are still there: " + db.queryStrings("SELECT pid || ' ' || state || ' ' || query"
                            + " FROM pg_stat_activity WHERE application_name = '" + child.name + "'"));
                }
                Thread.sleep(10);
            }
            note("its session ended " + child.millisSinceKill() + " ms after the kill");
            child.gone = true;
        }

        /** The killed session waits for a lock the test still holds: the server ends it anyway, noticing its client is gone. */
        void awaitChildEndedByTheServer() throws InterruptedException {
            awaitChildGone();
            assertTrue(child.millisSinceKill() < 3000, "the server ended the killed session while the lock it waited for was held: "
                    + child.millisSinceKill() + " ms after the kill");
        }

        /** Once the killed session is gone, runs the conversion again in this JVM while the application writes, and checks the result. */
        Engines.RecordingLog resumeAndCheck(boolean prepared) throws Exception {
            awaitChildGone();
            assertEquals("r", relkind("chat_history"), "not swapped by the killed run\n" + child.output());
            assertEquals(prepared ? 1 : 0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'chat_history_conversion'"),
                    "the progress record of the killed run\n" + child.output());
            Engines.RecordingLog log = new Engines.RecordingLog();
            ConvertTest.engine(db, options, log).apply(Goal.CONVERT);
            assertEquals(prepared, !log.text().contains(": create \"public\".\"chat_history_new\""),
                    "the rerun resumes what the killed run prepared\n" + log.text());
            check(log);
            return log;
        }

        /** The rerun finished: the table is converted, equals what the application wrote, and nothing of the conversion is left. */
        void check(Engines.RecordingLog log) throws Exception {
            Thread.sleep(100);
            writer.close();
            assertEquals(List.of(), writer.errors());
            assertTrue(writer.ops() > 50, "the application kept writing: " + writer.ops());
            assertEquals("p", relkind("chat_history"), log.text());
            assertEquals("r", relkind("chat_history_old"));
            String expected = ConvertTest.fingerprint(db, "chat_ref");
            assertEquals(expected, ConvertTest.fingerprint(db, "chat_history"), "the converted table equals what the application wrote\n"
                    + log.text());
            assertEquals(0, db.queryLong("SELECT count(*) - count(DISTINCT id) FROM chat_history"), "no duplicate ids");
            if (stoppedWriting) {
                assertEquals(expected, ConvertTest.fingerprint(db, "chat_history_old"), "the old table, as the swap left it");
            }
            assertEquals(List.of("chat_history_user_id_fkey true"), db.queryStrings("SELECT conname || ' ' || convalidated FROM pg_constraint"
                    + " WHERE conrelid = 'chat_history'::regclass AND contype = 'f'"), "the foreign key is there and checked");
            assertEquals(0, db.queryLong("SELECT (SELECT count(*) FROM pg_class WHERE relname IN ('chat_history_new', 'chat_history_changes',"
                    + " 'chat_history_conversion') OR (relkind IN ('i', 'I') AND relname LIKE '%\\_new'))"
                    + " + (SELECT count(*) FROM pg_proc WHERE proname = 'chat_history_capture')"
                    + " + (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'partition\\_convert\\_%')"), "nothing of the conversion is left");
            assertTrue(ConvertTest.engine(db, options, new Engines.RecordingLog()).plan(Set.of(Goal.CONVERT)).isEmpty(),
                    "a further run plans nothing");
            long rerun = log.lines.stream().filter(l -> l.contains("] \"public\".\"chat_history\": ")).count();
            System.out.printf("%s: children ran %s ms; %s; the rerun ran %d steps; %d writes; result %s%n", testName(),
                    children.stream().map(c -> String.valueOf(c.ranMillis())).toList(), String.join("; ", notes), rerun, writer.ops(), expected);
        }

        private String testName() {
            return StackWalker.getInstance().walk(s -> s.map(StackWalker.StackFrame::getMethodName).filter(n -> n.startsWith("killed"))
                    .findFirst().orElse("?"));
        }

        private String relkind(String table) {
            List<String> kinds = db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = '" + table + "'");
            return kinds.isEmpty() ? "missing" : kinds.get(0);
        }

        @Override
        public void close() throws Exception {
            children.forEach(c -> c.process.destroyForcibly());
            if (blocker != null) {
                blocker.close();
            }
            writer.close();
        }
    }

    /** The child JVM running the conversion, and its output as it comes. */
    private static final class Child {
        private static int counter;
        final String name;
        final Process process;
        private final long started = System.nanoTime();
        private long killedAt;
        boolean gone;
        private final List<String> lines = new ArrayList<>();

        Child(TestDb db, ConvertOptions options, String hold) throws IOException {
            synchronized (Child.class) {
                name = "killed-convert-" + ProcessHandle.current().pid() + "-" + ++counter;
            }
            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), ConvertProcess.class.getName(),
                    db.url(), "chat_history", options.strategy().name(), String.valueOf(options.batchSize()), ConvertTest.NOW, "15s", name));
            if (hold != null) {
                command.add(hold);
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("CONVERT_USER", db.server().user());
            if (db.server().password() != null) {
                builder.environment().put("CONVERT_PASSWORD", db.server().password());
            }
            process = builder.start();
            Thread reader = new Thread(this::read, name + "-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the child was killed
            }
            synchronized (lines) {
                lines.add(null);
                lines.notifyAll();
            }
        }

        /** Waits for the {@code nth} line matching {@code matcher}. */
        void await(Predicate<String> matcher, int nth) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int seen = 0;
            int next = 0;
            synchronized (lines) {
                while (true) {
                    while (next < lines.size()) {
                        String line = lines.get(next++);
                        if (line == null) {
                            fail("the child ended before the kill point\n" + output());
                        }
                        if (matcher.test(line) && ++seen == nth) {
                            return;
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        fail("the kill point never came\n" + output());
                    }
                    lines.wait(Math.max(1, left / 1_000_000));
                }
            }
        }

        long count(Predicate<String> matcher) {
            synchronized (lines) {
                return lines.stream().filter(l -> l != null && matcher.test(l)).count();
            }
        }

        void awaitHeld() throws InterruptedException {
            await(ConvertProcess.HELD::equals, 1);
        }

        void release() throws IOException {
            OutputStream in = process.getOutputStream();
            in.write('\n');
            in.flush();
        }

        /** SIGKILL: no shutdown hook, no rollback, no socket close by the JVM; the kernel closes the socket. */
        void kill() throws InterruptedException {
            assertTrue(process.isAlive(), "the child is still running when killed\n" + output());
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            killedAt = System.nanoTime();
            assertEquals(137, process.exitValue(), "killed by SIGKILL (128 + 9)");
            assertFalse(output().contains(ConvertProcess.DONE));
        }

        long millisSinceKill() {
            return (System.nanoTime() - killedAt) / 1_000_000;
        }

        long ranMillis() {
            return ((killedAt == 0 ? System.nanoTime() : killedAt) - started) / 1_000_000;
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines.stream().map(String::valueOf).toList());
            }
        }
    }
}
