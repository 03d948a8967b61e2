package io.github.partitionmaven.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DatabaseTest
class ArchiveFileModeTest {

    @TempDir
    Path archives;

    private static List<String> modes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().map(f -> {
                try {
                    return f.getFileName() + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

    @Test
    void archiveDataFilesAndManifestsAreOwnerOnlyByDefaultAndWidenOnlyWhenAsked() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX file modes only");
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 2_000);
        PruneFixture.engine(db, "2026-07-01", archives, PruneFixture.retained("chat_history", "8 months", "archive")).apply(Goal.PRUNE);
        assertEquals(List.of("public.chat_history_2025_10.csv.gz rw-------", "public.chat_history_2025_10.manifest.json rw-------"),
                modes(archives), "the umask (0022 here) does not make archived rows readable by others");

        PruneOptions group = PruneOptions.of(archives.toString(), "gzip", 1, "test", "0640");
        PruneFixture.engineWith(db, "2026-07-01", "UTC", group, new Engines.RecordingLog(),
                PruneFixture.retained("chat_history", "7 months", "archive")).apply(Goal.PRUNE);
        assertTrue(modes(archives).containsAll(List.of("public.chat_history_2025_11.csv.gz rw-r-----",
                "public.chat_history_2025_11.manifest.json rw-r-----")), modes(archives).toString());
    }

    @Test
    void aModeOthersCouldWriteOrThatIsNotOctalIsRefused() {
        PartitionException writable = assertThrows(PartitionException.class, () -> PruneOptions.of(null, null, null, null, "0666"));
        assertTrue(writable.getMessage().contains("nobody may execute them or write them but the owner"), writable.getMessage());
        PartitionException word = assertThrows(PartitionException.class, () -> PruneOptions.of(null, null, null, null, "rw-r--r--"));
        assertTrue(word.getMessage().contains("is not an octal file mode") && word.getMessage().endsWith("Nothing was changed."));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(PruneOptions.of(null, null, null, null, "644").archiveFileMode()));
    }
}
