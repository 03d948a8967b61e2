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

    record Usage(double server, double client) {
        Usage minus(Usage before) {
            return new Usage(server - before.server, client - before.client);
        }
    }

    static Usage now(TestDb db) {
        return new Usage(server(db), client());
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

    private static double server(TestDb db) {
        // the checkpointer lives as long as the server; the backend that answers exits when its connection closes, often
        // before its parent can be looked up (the server's CPU then printed NaN)
        long checkpointer = db.queryLong("SELECT pid FROM pg_catalog.pg_stat_activity WHERE backend_type = 'checkpointer'");
        return ProcessHandle.of(checkpointer).flatMap(ProcessHandle::parent).map(postmaster -> {
            long ticks = ticks(postmaster.pid(), true);
            ticks += postmaster.descendants().mapToLong(p -> ticks(p.pid(), false)).sum();
            return ticks / TICKS_PER_SECOND;
        }).orElse(Double.NaN);
    }

    /** utime + stime (+ cutime + cstime) of {@code pid}; 0 when it has exited meanwhile. */
    private static long ticks(long pid, boolean withChildren) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime field 14
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return withChildren ? ticks + Long.parseLong(f[13]) + Long.parseLong(f[14]) : ticks;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
