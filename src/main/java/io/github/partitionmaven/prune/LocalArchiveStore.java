package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.AtomicFiles;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Archives in a local directory: written under a temporary name, forced to disk and renamed. Data files and manifests hold
 * the table's rows, so they are created 0600 (no other user can read the rows while they are written) and get
 * {@code mode} (PruneOptions.archiveFileMode, 0600 unless widened) before the rename.
 */
final class LocalArchiveStore implements ArchiveStore {

    private final Path dir;
    private final Set<PosixFilePermission> mode;

    LocalArchiveStore(Path dir, Set<PosixFilePermission> mode) {
        this.dir = dir;
        this.mode = mode;
    }

    Path path(String name) {
        return dir.resolve(name);
    }

    @Override
    public String where(String name) {
        return path(name).toString();
    }

    @Override
    public boolean exists(String name) {
        return Files.exists(path(name));
    }

    @Override
    public long size(String name) throws IOException {
        return Files.size(path(name));
    }

    @Override
    public InputStream open(String name) throws IOException {
        return Files.newInputStream(path(name));
    }

    @Override
    public String readText(String name) throws IOException {
        return Files.readString(path(name), StandardCharsets.UTF_8);
    }

    @Override
    public void writeText(String name, String text) throws IOException {
        AtomicFiles.write(path(name), text, mode);
        syncDirectory(dir);
    }

    @Override
    public Sink create(String name, long tableBytes, EngineLog log) throws IOException {
        Path target = path(name);
        Path tmp = target.resolveSibling("." + name + ".tmp-" + ProcessHandle.current().pid());
        FileChannel channel = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                AtomicFiles.createMode(dir, AtomicFiles.PRIVATE));
        OutputStream out = Channels.newOutputStream(channel);
        return new Sink() {
            private boolean committed;

            @Override
            public OutputStream stream() {
                return out;
            }

            @Override
            public void commit() throws IOException {
                channel.force(true);
                channel.close();
                AtomicFiles.setMode(tmp, mode);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                syncDirectory(dir);
                committed = true;
            }

            @Override
            public void abort() {
                if (committed) {
                    return;
                }
                try {
                    channel.close();
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // already failing: the first error is reported; the next run deletes the temporary file
                }
            }
        };
    }

    /** Temporary files of killed exports; safe to delete because the table lock keeps other runs off this table. */
    @Override
    public void discardUnfinished(String name, EngineLog log) throws IOException {
        try (var stale = Files.newDirectoryStream(dir, "." + name + ".tmp-*")) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void requireWritable(TableName table) {
        if (!Files.isDirectory(dir)) {
            throw PartitionException.configuration("The archive directory " + dir + " does not exist (or is not a directory):"
                    + " create it, or point <archiveDirectory> at an existing directory.");
        }
        try {
            Files.delete(Files.createTempFile(dir, ".partition-write-probe", ".tmp"));
        } catch (IOException e) {
            throw PartitionException.configuration("The archive directory " + dir + " is not writable by this process (" + e
                    + "): grant write permission, or point <archiveDirectory> at a writable directory.");
        }
    }

    @Override
    public void close() {
        // nothing held open
    }

    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be opened; the files themselves are forced
        }
    }
}
