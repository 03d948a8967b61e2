package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.ChatWriter;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A conversion killed at many points, with the application writing throughout, is completed by the
 * next run; the result equals what the application wrote (count, checksum, no duplicate ids).
 */
@DatabaseTest
class ResumeTest {

    /** Dies, like a killed JVM would, when the log is told {@code line} for the {@code nth} time. */
    static final class KillingLog implements EngineLog {
        private final Engines.RecordingLog recorded = new Engines.RecordingLog();
        private final String line;
        private int left;

        KillingLog(String line, int nth) {
            this.line = line;
            this.left = nth;
        }

        @Override
        public void info(String message) {
            recorded.info(message);
            check(message);
        }

        @Override
        public void warn(String message) {
            recorded.warn(message);
        }

        String text() {
            return recorded.text();
        }

        @Override
        public void debug(String message) {
            check(message);
        }

        private void check(String message) {
            if (message.contains(line) && --left == 0) {
                throw new Killed(line);
            }
        }
    }

    static final class Killed extends RuntimeException {
        Killed(String where) {
            super("killed at: " + where);
        }
    }

    /** The run died at the kill point (possibly wrapped by the executor), not of something else. */
    static void assertKilled(org.junit.jupiter.api.function.Executable run, KillingLog kill) {
        Throwable e = assertThrows(Throwable.class, run);
        Throwable root = e;
        while (root.getCause() != null && !(root instanceof Killed)) {
            root = root.getCause();
        }
        assertTrue(root instanceof Killed, "expected a kill, got " + e + "\n" + kill.text());
    }

    private static final List<KillingLog> KILL_POINTS = List.of(
            new KillingLog("] \"public\".\"chat_history\": copy the rows", 1),  // right after the new table and the capture exist
            new KillingLog("copy batch committed", 3),                          // mid-copy
            new KillingLog("copy batch committed", 4),                          // mid-copy again, after resuming
            new KillingLog("ATTACH PARTITION", 4),                              // between partitions' index builds
            new KillingLog("ANALYZE \"public\".\"chat_history_", 2),           // a partition indexed, not yet analyzed
            new KillingLog("replay batch committed", 1),                        // mid-replay
            new KillingLog("verification:", 1),                                  // mid-verification
            new KillingLog("swap: last changes replayed", 1));                   // mid-swap, inside its transaction

    @Test
    void killedAtEightPointsThenCompletedWhileTheApplicationWrites() throws Exception {
        TestDb db = ConvertTest.seeded(20_000);
        ConvertOptions options = ConvertOptions.DEFAULTS.withBatchSize(1000);
        try (ChatWriter writer = new ChatWriter(db, true, 0, LocalDateTime.of(2025, 12, 5, 0, 0), LocalDateTime.of(2026, 11, 20, 0, 0))) {
            for (KillingLog kill : KILL_POINTS) {
                assertKilled(() -> ConvertTest.engine(db, options, kill).apply(Goal.CONVERT), kill);
                assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0),
                        "not swapped yet after " + kill.text());
                if (kill.line.startsWith("replay")) { // the first kill after the index builds; autovacuum stays off the partitions until later
                    assertEquals(List.of(), db.queryStrings("SELECT inhrelid::regclass::text FROM pg_inherits i WHERE inhparent = 'chat_history_new'::regclass"
                            + " AND NOT EXISTS (SELECT FROM pg_statistic WHERE starelid = i.inhrelid) AND EXISTS (SELECT FROM chat_history_new WHERE tableoid = i.inhrelid)"),
                            "every partition holding rows was analyzed, the one the kill left indexed but not analyzed too");
                }
                Thread.sleep(100);
            }
            Engines.RecordingLog log = new Engines.RecordingLog();
            ConvertTest.engine(db, options, log).apply(Goal.CONVERT);
            assertFalse(log.text().contains(": copy the rows"), "the last kill came after the copy, which is not done again:\n" + log.text());
            writer.finishAfter(100);
        }
        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        assertEquals(ConvertTest.fingerprint(db, "chat_ref"), ConvertTest.fingerprint(db, "chat_history"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname IN ('chat_history_new', 'chat_history_changes',"
                + " 'chat_history_conversion')"), "nothing of the conversion is left behind");

        long max = db.queryLong("SELECT max(id) FROM chat_history");
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'x', '2026-11-21')");
        assertTrue(db.queryLong("SELECT max(id) FROM chat_history") > max);
    }

    @Test
    void aDifferenceFoundByVerificationStopsWithNothingSwapped() {
        TestDb db = ConvertTest.seeded(3000);
        ConvertOptions options = ConvertOptions.DEFAULTS.withBatchSize(1000);
        assertThrows(Killed.class, () -> ConvertTest.engine(db, options, new KillingLog("] \"public\".\"chat_history\": verify", 1))
                .apply(Goal.CONVERT));
        db.exec("ALTER TABLE chat_history_new DISABLE TRIGGER ALL", "UPDATE chat_history_new SET content = 'tampered' WHERE id = 1500",
                "DELETE FROM chat_history_new WHERE id = 20");
        Engines.RecordingLog log = new Engines.RecordingLog();
        Throwable e = assertThrows(Throwable.class, () -> ConvertTest.engine(db, options, log).apply(Goal.CONVERT));
        assertTrue(e.getMessage().matches("Verification failed, so nothing was swapped: the month starting 2025-12-01: (\\d+) row\\(s\\) in"
                + " \"public\".\"chat_history\" but \\d+ in \"public\".\"chat_history_new\"; the month starting 2026-05-01: .*"), e.getMessage());
        assertTrue(e.getMessage().contains("(same count, different content)") && e.getMessage().contains("DROP TABLE \"public\".\"chat_history_new\""),
                e.getMessage());
        assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        assertEquals(3000, db.queryLong("SELECT count(*) FROM chat_history"));
    }

    @Test
    void aRowWrittenOutsideThePartitionsStopsClearlyAndTheRerunFinishes() {
        TestDb db = ConvertTest.seeded(2000);
        ConvertOptions options = ConvertOptions.DEFAULTS.withBatchSize(500);
        PartitionException e = assertThrows(PartitionException.class, () -> ConvertTest.engine(db, options, new EngineLog() {
            private boolean written;

            @Override
            public void info(String message) {
            }

            @Override
            public void warn(String message) {
            }

            @Override
            public void debug(String message) {
                if (!written && message.startsWith("copy batch committed")) {
                    written = true;
                    db.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'typo', '2036-01-01')");
                }
            }
        }).apply(Goal.CONVERT));
        assertTrue(e.getMessage().contains("cannot be placed in \"public\".\"chat_history_new\"")
                && e.getMessage().contains("2036-01-01") && e.getMessage().contains("nothing was swapped"), e.getMessage());
        db.exec("DELETE FROM chat_history WHERE content = 'typo'");
        ConvertTest.engine(db, options, new Engines.RecordingLog()).apply(Goal.CONVERT);
        assertEquals(ConvertTest.fingerprint(db, "chat_history_old"), ConvertTest.fingerprint(db, "chat_history"));
        assertEquals(2000, db.queryLong("SELECT count(*) FROM chat_history"));
    }
}
