package io.github.partitionmaven.benchmark;

import io.github.partitionmaven.testing.TestDb;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * CPU-seconds used by the server and by this JVM, for benchmarks to print beside wall time. The server's: the postmaster's
 * utime + stime + cutime + cstime from /proc/&lt;pid&gt;/stat (cutime and cstime hold the backends that exited, the postmaster
 * having waited for them) plus utime + stime of each live descendant; the postmaster is the parent of its checkpointer.
 * Linux only; elsewhere the server's is NaN.
 */
final class Cpu {

    /** USER_HZ: /proc counts in clock ticks, 100 per second on every Linux architecture the JVM runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private Cpu() {
    }

    /** {@code jvm}: the part of {@code client} this JVM's own threads used (JIT compilers, garbage collector), not the code it runs. */
    record Usage(double server, double client, double jvm) {
        Usage minus(Usage before) {
            return new Usage(server - before.server, client - before.client, jvm - before.jvm);
        }
    }

    static Usage now(TestDb db) {
        return new Usage(server(db), client(), jvm());
    }

    /** Runs {@code work}, puts the CPU it used in {@code usage[0]} and returns what it returns. */
    static double measure(TestDb db, Usage[] usage, Callable<Double> work) throws Exception {
        Usage before = now(db);
        double out = work.call();
        usage[0] = now(db).minus(before);
        return out;
    }

    private static double client() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    /**
     * Compiler and GC threads by their names in /proc/self/task/&lt;tid&gt;/comm (HotSpot's; 15 characters at most); a thread
     * that exited meanwhile (HotSpot stops idle compiler threads) is not counted.
     */
    private static double jvm() {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(t -> {
                try {
                    String name = Files.readString(t.resolve("comm")).strip();
                    return name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre") || name.startsWith("GC Thread")
                            || name.startsWith("G1 ") || name.equals("VM Thread");
                } catch (IOException e) {
                    return false;
                }
            }).mapToLong(t -> ticks(t.resolve("stat"), false)).sum() / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static double server(TestDb db) {
        // the checkpointer lives as long as the server; the backend that answers exits when its connection closes, often
        // before its parent can be looked up (the server's CPU then printed NaN)
        long checkpointer = db.queryLong("SELECT pid FROM pg_catalog.pg_stat_activity WHERE backend_type = 'checkpointer'");
        return ProcessHandle.of(checkpointer).flatMap(ProcessHandle::parent).map(postmaster -> {
            long ticks = ticks(stat(postmaster.pid()), true);
            ticks += postmaster.descendants().mapToLong(p -> ticks(stat(p.pid()), false)).sum();
            return ticks / TICKS_PER_SECOND;
        }).orElse(Double.NaN);
    }

    private static Path stat(long pid) {
        return Path.of("/proc", Long.toString(pid), "stat");
    }

    /** utime + stime (+ cutime + cstime) from a /proc stat file; 0 when its process or thread has exited meanwhile. */
    private static long ticks(Path statFile, boolean withChildren) {
        try {
            String stat = Files.readString(statFile);
            // fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime field 14
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return withChildren ? ticks + Long.parseLong(f[13]) + Long.parseLong(f[14]) : ticks;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
