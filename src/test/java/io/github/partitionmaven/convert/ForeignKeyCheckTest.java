package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.ForwardingLog;
import io.github.partitionmaven.testing.TestDb;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The seed's foreign key to users is checked while users stays writable, on every version: NOT VALID and validated
 * later on 18; before 18, which refuses a NOT VALID foreign key on a partitioned table, on each partition and then taken
 * over by the parent's. The conversion ends with one validated key on the parent and each partition's attached to it.
 */
@DatabaseTest
class ForeignKeyCheckTest {

    @Test
    void theCheckRunsBesideTheVerificationWhileUsersStaysWritableAndTheKeyEndsValidatedOnEveryPartition() throws Exception {
        TestDb db = ConvertTest.seeded(3000);
        io.github.partitionmaven.plan.Step verify = ConvertTest.engine(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog())
                .plan(java.util.Set.of(Goal.CONVERT)).steps().stream().filter(s -> s.action().startsWith("verify ")).findFirst().orElseThrow();
        assertTrue(verify.statements().stream().anyMatch(q -> q.startsWith("-- meanwhile, on a second session: ") && q.contains("VALIDATE CONSTRAINT")),
                "the rows are checked in the verification step: " + verify.statements());
        Connection writer = db.connect();
        writer.setAutoCommit(false);
        EngineLog log = new ForwardingLog(new Engines.RecordingLog()) {
            @Override
            public void info(String message) {
                try (Statement s = writer.createStatement()) {
                    if (message.contains("] \"public\".\"chat_history\": verify ")) {
                        // an application's write to users, open through the whole check (ROW EXCLUSIVE, which SHARE ROW EXCLUSIVE waits for)
                        s.execute("INSERT INTO users (email) VALUES ('during-the-check@example.com')");
                    } else if (message.startsWith("[")) {
                        writer.commit();
                    }
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
                super.info(message);
            }
        };
        try {
            ConvertTest.engine(db, ConvertOptions.DEFAULTS.withBatchSize(400), log).apply(Goal.CONVERT);
        } finally {
            writer.close();
        }
        assertEquals(1, db.queryLong("SELECT count(*) FROM users WHERE email = 'during-the-check@example.com'"));
        assertEquals(List.of("chat_history_user_id_fkey true"), db.queryStrings("SELECT conname || ' ' || convalidated FROM pg_constraint"
                + " WHERE conrelid = 'chat_history'::regclass AND contype = 'f'"));
        long partitions = db.queryLong("SELECT count(*) FROM pg_inherits WHERE inhparent = 'chat_history'::regclass");
        assertTrue(partitions >= 12, "partitions: " + partitions);
        assertEquals(partitions, db.queryLong("SELECT count(*) FROM pg_constraint c JOIN pg_inherits i ON i.inhrelid = c.conrelid"
                + " WHERE i.inhparent = 'chat_history'::regclass AND c.contype = 'f' AND c.convalidated AND c.conparentid = (SELECT oid"
                + " FROM pg_constraint WHERE conrelid = 'chat_history'::regclass AND contype = 'f')"), "every partition's key belongs to the parent's");
    }
}
