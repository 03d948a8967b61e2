package io.github.partitionmaven.testing;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The embedded server's binaries of one major version, unpacked once into
 * {@code <partition.test.binaries>/<major>/unpacked} (target/pg-binaries/18/unpacked): bin/initdb,
 * bin/pg_ctl and bin/postgres only. The zonky archives hold no client programs (no pg_basebackup, psql).
 * The embedded server itself ({@link TestServer}) lets zonky unpack the archive, which also knows the
 * Windows names (bin/postgres.exe); this unpacking with tar is for the standby tests only.
 */
public final class EmbeddedBinaries {

    private EmbeddedBinaries() {
    }

    /**
     * The zonky archive of one major version for this machine: its name differs per platform
     * (postgres-linux-x86_64.txz, postgres-darwin-arm_64.txz, postgres-windows-x86_64.txz, ...), and the pom's
     * pg-&lt;platform&gt; profile that picked the artifact passes it as {@code partition.test.binaries.archive}.
     */
    public static Path archive(String major) {
        return Path.of(System.getProperty("partition.test.binaries", "target/pg-binaries"), major,
                System.getProperty("partition.test.binaries.archive", "postgres-linux-x86_64.txz")).toAbsolutePath();
    }

    /** The unpacked directory (holding bin/, lib/, share/), unpacking the archive the first time. */
    public static synchronized Path home(String major) throws IOException {
        Path txz = archive(major);
        if (!Files.exists(txz)) {
            throw new IllegalStateException("No PostgreSQL " + major + " binaries at " + txz + ": run the build through Maven");
        }
        Path home = txz.getParent().resolve("unpacked");
        if (Files.isExecutable(home.resolve("bin/postgres"))) {
            return home;
        }
        Path tmp = Files.createTempDirectory(txz.getParent(), "unpacking-");
        Unprivileged.runChecked(List.of("tar", "-xJf", txz.toString(), "-C", tmp.toString()), Files.createTempFile("tar", ".log"));
        try {
            Files.move(tmp, home, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | java.nio.file.FileAlreadyExistsException e) {
            Unprivileged.purge(tmp); // another JVM was faster
        } catch (IOException e) {
            if (!Files.isExecutable(home.resolve("bin/postgres"))) {
                throw e;
            }
            Unprivileged.purge(tmp);
        }
        return home;
    }
}
