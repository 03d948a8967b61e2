package io.github.partitionmaven.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The tests' security label provider {@value #NAME} ({@code seclabel/partition_test_label.c}, which accepts every label) for
 * Debian's PostgreSQL 15: sepgsql, the one provider PostgreSQL ships, needs an SELinux kernel. Compiled once per JVM against
 * the server's headers (postgresql-server-dev-15) into a world-readable temporary directory, since the server runs as
 * another user, and loaded by its absolute path.
 */
public final class LabelProvider {

    public static final String NAME = "partition_test";
    private static final Path PG_CONFIG = DebianPostgres.BIN.resolve("pg_config");
    private static Path library;

    private LabelProvider() {
    }

    /** A Debian PostgreSQL 15 with the provider loaded; skips the calling test, with one line saying why, where it cannot be built. */
    public static DebianPostgres start() throws Exception {
        return DebianPostgres.start(Map.of("shared_preload_libraries", library().toString()));
    }

    private static synchronized Path library() throws IOException, InterruptedException {
        DebianPostgres.assumeAvailable();
        if (library != null) {
            return library;
        }
        Assumptions.assumeTrue(Files.isExecutable(PG_CONFIG), "security labels skipped: no " + PG_CONFIG + " to find the server headers for the"
                + " test label provider (apt-get install postgresql-server-dev-" + DebianPostgres.MAJOR + ")");
        Path headers = Path.of(run(List.of(PG_CONFIG.toString(), "--includedir-server")).strip());
        Assumptions.assumeTrue(Files.exists(headers.resolve("commands/seclabel.h")), "security labels skipped: no PostgreSQL "
                + DebianPostgres.MAJOR + " server headers in " + headers + " to build the test label provider (apt-get install postgresql-server-dev-"
                + DebianPostgres.MAJOR + ")");
        Assumptions.assumeTrue(new ProcessBuilder("sh", "-c", "command -v gcc").start().waitFor() == 0,
                "security labels skipped: no C compiler to build the test label provider (apt-get install gcc)");
        Path dir = Files.createTempDirectory("partition-seclabel-");
        Path source = dir.resolve("partition_test_label.c");
        Path built = dir.resolve("partition_test_label.so");
        for (Path p : List.of(dir, source, built)) {
            p.toFile().deleteOnExit(); // deleted in reverse order: the files, then the directory
        }
        try (InputStream in = LabelProvider.class.getResourceAsStream("/seclabel/partition_test_label.c")) {
            Files.copy(in, source);
        }
        run(List.of("gcc", "-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-I" + headers, "-o", built.toString(), source.toString()));
        // whatever the umask: the server reads it as another user
        for (Path p : List.of(dir, built)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        library = built;
        return built;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
