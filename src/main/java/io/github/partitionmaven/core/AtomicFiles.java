package io.github.partitionmaven.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Writes a file under a temporary name, flushes it to disk, then renames it into place. */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** rw------- : what only the plugin's user may read (archives and their manifests by default). */
    public static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    /** rw-r--r-- : what a reader running as another user must see (the metrics file a node exporter collects). */
    public static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r--r--");

    /** Writes {@code content} with mode 0600 (the temporary file's). */
    public static void write(Path target, String content) throws IOException {
        write(target, content, PRIVATE);
    }

    /**
     * Writes {@code content} and gives it {@code mode} before the rename, so the file is never visible with another
     * mode. The mode is set explicitly rather than through the umask, which may only narrow it.
     */
    public static void write(Path target, String content, Set<PosixFilePermission> mode) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            setMode(tmp, mode);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Sets a file's POSIX mode; on a file system without POSIX modes (Windows) the platform's defaults stay. */
    public static void setMode(Path file, Set<PosixFilePermission> mode) throws IOException {
        try {
            Files.setPosixFilePermissions(file, mode);
        } catch (UnsupportedOperationException notPosix) {
            // no POSIX modes here: access follows the platform's ACLs
        }
    }

    /** The attribute to create a file with {@code mode} (narrowed by the umask), or none where there are no POSIX modes. */
    public static FileAttribute<?>[] createMode(Path dir, Set<PosixFilePermission> mode) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)} : new FileAttribute<?>[0];
    }
}
