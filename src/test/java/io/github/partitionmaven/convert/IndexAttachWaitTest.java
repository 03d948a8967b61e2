package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.ForwardingLog;
import io.github.partitionmaven.testing.TestDb;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Attaching a partition's index waits for whoever holds the parent's index (another build session of the conversion, until
 * its commit) instead of failing under lockTimeout and throwing the partition's builds away: only the conversion uses the
 * new table, so no application waits behind it.
 */
@DatabaseTest
class IndexAttachWaitTest {

    @Test
    void anAttachWaitsForTheParentIndexLongerThanLockTimeoutAndItsRetries() throws Exception {
        TestDb db = ConvertTest.seeded(3000);
        Engines.RecordingLog recorded = new Engines.RecordingLog();
        try (Connection holder = db.connect()) {
            holder.setAutoCommit(false);
            Thread[] release = new Thread[1];
            // the tests' lockTimeout is 300 ms with 3 attempts: without the longer wait the step gave up after about 2 s
            ForwardingLog log = new ForwardingLog(recorded) {
                @Override
                public void info(String message) {
                    if (release[0] == null && message.contains("] \"public\".\"chat_history\": build the ")) {
                        try (Statement s = holder.createStatement()) {
                            s.execute("COMMENT ON INDEX chat_history_pkey_new IS 'held'"); // SHARE UPDATE EXCLUSIVE, as an ATTACH takes
                        } catch (java.sql.SQLException e) {
                            throw new IllegalStateException(e);
                        }
                        release[0] = new Thread(() -> {
                            try {
                                Thread.sleep(3000);
                                holder.rollback();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
                        release[0].start();
                    }
                    super.info(message);
                }
            };
            long start = System.nanoTime();
            ConvertTest.engine(db, ConvertOptions.DEFAULTS.withBatchSize(400), log).apply(Goal.CONVERT);
            release[0].join();
            assertTrue(System.nanoTime() - start > 3_000_000_000L, "the conversion waited for the holder");
        }
        assertTrue(recorded.lines.stream().noneMatch(l -> l.startsWith("WARN ") && l.contains("retrying")), recorded.text());
        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE oid = 'chat_history'::regclass").get(0));
    }
}
