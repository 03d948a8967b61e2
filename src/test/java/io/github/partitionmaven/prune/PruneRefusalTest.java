package io.github.partitionmaven.prune;

import static io.github.partitionmaven.prune.PruneFixture.engine;
import static io.github.partitionmaven.prune.PruneFixture.retained;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DatabaseTest
class PruneRefusalTest {

    @TempDir
    Path archives;

    @Test
    void foreignKeyRowsReferencingAnExpiredPartitionAreRefusedNamingTheConstraint() {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);
        db.exec("CREATE TABLE \"Flags\" (chat_id bigint, chat_at timestamp, CONSTRAINT \"flags point at chats\""
                        + " FOREIGN KEY (chat_id, chat_at) REFERENCES chat_history (id, created_at))",
                "INSERT INTO \"Flags\" SELECT id, created_at FROM chat_history WHERE created_at >= '2026-03-01' LIMIT 5");
        db.exec("INSERT INTO \"Flags\" SELECT id, created_at FROM chat_history WHERE created_at < '2025-11-01' LIMIT 1");
        String before = db.snapshot();

        PartitionException e = assertThrows(PartitionException.class,
                () -> engine(db, "2026-07-01", null, retained("chat_history", "6 months", "drop")).apply(Goal.PRUNE));

        assertTrue(e.getMessage().contains("\"public\".\"chat_history_2025_10\"") && e.getMessage().contains("\"flags point at chats\"")
                && e.getMessage().contains("\"public\".\"Flags\"") && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
        assertEquals(PartitionException.Kind.DATABASE_STATE, e.kind());
        assertEquals(before, db.snapshot());

        // Once no row points into an expired partition, the foreign key is no obstacle.
        db.exec("DELETE FROM \"Flags\" WHERE chat_at < '2026-01-01'");
        engine(db, "2026-07-01", null, retained("chat_history", "6 months", "drop")).apply(Goal.PRUNE);
        assertEquals(9, db.partitions("chat_history").size());
        assertEquals(5, db.queryLong("SELECT count(*) FROM \"Flags\""));
    }

    @Test
    void aMissingArchiveDirectoryIsRefusedBeforeAnythingChanges() {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);
        String before = db.snapshot();

        PartitionException e = assertThrows(PartitionException.class, () -> engine(db, "2026-07-01", archives.resolve("missing"),
                retained("cost_tracking", "6 months", "drop"), retained("chat_history", "6 months", "archive")).apply(Goal.PRUNE));

        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains("<archiveDirectory>"), e.getMessage());
        assertEquals(before, db.snapshot(), "not even the table listed first was pruned");
        PartitionException none = assertThrows(PartitionException.class,
                () -> engine(db, "2026-07-01", null, retained("chat_history", "6 months", "archive")).apply(Goal.PRUNE));
        assertTrue(none.getMessage().contains("no <archiveDirectory> is set"), none.getMessage());
    }

    @Test
    void anUnwritableArchiveDirectoryIsRefusedBeforeAnythingChanges() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);
        Path readOnly = Files.createDirectory(archives.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        if (Files.isWritable(readOnly)) {
            // Root ignores permission bits: use a directory no one can create files in.
            readOnly = Path.of("/proc/self");
        }
        String before = db.snapshot();
        Path dir = readOnly;

        PartitionException e = assertThrows(PartitionException.class,
                () -> engine(db, "2026-07-01", dir, retained("chat_history", "6 months", "archive")).apply(Goal.PRUNE));

        assertTrue(e.getMessage().contains("is not writable") && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
        assertEquals(before, db.snapshot());
    }

    @Test
    void anArchiveOfTheSameTableFromAnotherDatabaseIsNeverReused() {
        TestDb first = TestDb.fresh(getClass());
        TestDb second = TestDb.fresh(getClass());
        PruneFixture.seed(first, 3_000);
        PruneFixture.seed(second, 3_000);
        engine(first, "2026-07-01", archives, retained("chat_history", "6 months", "archive")).apply(Goal.PRUNE);
        String before = second.snapshot();

        PartitionException e = assertThrows(PartitionException.class,
                () -> engine(second, "2026-07-01", archives, retained("chat_history", "6 months", "archive")).apply(Goal.PRUNE));

        assertTrue(e.getMessage().contains("in database " + first.name() + ", not in " + second.name())
                && e.getMessage().contains("give each database its own <archiveDirectory>"), e.getMessage());
        assertEquals(before, second.snapshot());
    }

    @Test
    void aRetentionShorterThanOneIntervalIsRefused() {
        TestDb db = TestDb.fresh(getClass());
        PartitionException e = assertThrows(PartitionException.class,
                () -> engine(db, "2026-07-01", null, retained("chat_history", "20 days", "drop")));
        assertTrue(e.getMessage().contains("shorter than one month") && e.getMessage().contains("Use at least 1 month"), e.getMessage());
        assertEquals(PartitionException.Kind.CONFIGURATION, e.kind());
    }

    @Test
    void aRetentionModeWithoutRetentionIsRefused() {
        TestDb db = TestDb.fresh(getClass());
        PartitionException e = assertThrows(PartitionException.class,
                () -> engine(db, "2026-07-01", null, retained("chat_history", null, "archive")));
        assertTrue(e.getMessage().contains("<retentionMode>archive</retentionMode> without <retention>"), e.getMessage());
    }

    @Test
    void aNameTakenInTheRetentionSchemaIsRefusedBeforeAnythingChanges() {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);
        db.exec("CREATE SCHEMA attic", "CREATE TABLE attic.chat_history_2025_11 (x int)");
        String before = db.snapshot();

        PartitionException e = assertThrows(PartitionException.class, () -> engine(db, "2026-07-01", null,
                new TableSpec("chat_history", "created_at", "month", null, null, "6 months", "detach", "attic")).apply(Goal.PRUNE));

        assertTrue(e.getMessage().startsWith("\"attic\".\"chat_history_2025_11\" already exists"), e.getMessage());
        assertEquals(before, db.snapshot());
    }

    @Test
    void aMissingRetentionSchemaIsRefusedBeforeAnythingChanges() {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 3_000);
        String before = db.snapshot();

        PartitionException e = assertThrows(PartitionException.class, () -> engine(db, "2026-07-01", null,
                new TableSpec("chat_history", "created_at", "month", null, null, "6 months", "detach", "attic")).apply(Goal.PRUNE));

        assertTrue(e.getMessage().contains("CREATE SCHEMA \"attic\""), e.getMessage());
        assertEquals(before, db.snapshot());
    }
}
