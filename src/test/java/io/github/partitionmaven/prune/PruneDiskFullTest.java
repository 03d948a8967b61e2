package io.github.partitionmaven.prune;

import static io.github.partitionmaven.prune.PruneFixture.engine;
import static io.github.partitionmaven.prune.PruneFixture.retained;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A disk that fills up during the export. Needs a small file system to fill, so it runs only when
 * {@code PARTITION_TEST_FULL_DIR} names an empty directory on one, e.g. as root:
 * {@code mount -t tmpfs -o size=256k tmpfs /tmp/full && PARTITION_TEST_FULL_DIR=/tmp/full mvn test -Dtest=PruneDiskFullTest}.
 */
@DatabaseTest
class PruneDiskFullTest {

    @Test
    void aFullDiskStopsPruneWithNothingDroppedAndNoFileLeft() throws Exception {
        String full = System.getenv("PARTITION_TEST_FULL_DIR");
        assumeTrue(full != null, "PARTITION_TEST_FULL_DIR is not set (an empty directory on a small tmpfs; .ci/run mounts one as root)");
        Path dir = Path.of(full);
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 300_000);
        String october = PruneFixture.checksum(db, "chat_history_2025_10");

        PartitionException e = assertThrows(PartitionException.class,
                () -> engine(db, "2026-07-01", dir, retained("chat_history", "6 months", "archive")).apply(Goal.PRUNE));

        assertTrue(e.getMessage().contains("No space left on device") && e.getMessage().contains("Nothing was dropped"), e.getMessage());
        assertTrue(!e.getMessage().contains("canceling statement due to user request") && !e.getMessage().contains("failed: null")
                && e.getMessage().contains("stays detached and marked"), "the real cause and what is left: " + e.getMessage());
        System.out.println("disk full: " + e.getMessage());
        assertEquals(october, PruneFixture.checksum(db, "chat_history_2025_10"), "the detached table keeps every row");
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "the partial file is removed");
        }
    }
}
