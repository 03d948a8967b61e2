package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.plan.LockMode;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The seed's {@code chat_history.user_id REFERENCES users(id)} after a conversion: {@code chat_history_old}, kept for rollback,
 * keeps none, so the application can delete a user whose messages it deleted since the swap (with the key left on the old table
 * that failed: {@code violates foreign key constraint "chat_history_user_id_fkey" on table "chat_history_old"}); rollback gives
 * it back, validated.
 */
@DatabaseTest
class OldForeignKeysTest {

    private static final String OLD_KEYS = "SELECT conname || ' ' || confrelid::regclass::text || ' ' || convalidated FROM pg_constraint"
            + " WHERE conrelid = 'chat_history_old'::regclass AND contype = 'f'";
    private static final String KEYS = "SELECT conname || ' ' || confrelid::regclass::text || ' ' || convalidated FROM pg_constraint"
            + " WHERE conrelid = 'chat_history'::regclass AND contype = 'f' AND conparentid = 0";

    @Test
    void afterTheSwapADeletedUserIsNoLongerHeldByTheOldTableAndRollbackGivesItsKeyBackValidated() throws Exception {
        TestDb db = ConvertTest.seeded(3000);
        List<Step> plan = ConvertTest.engine(db, ConvertOptions.DEFAULTS.withBatchSize(500), new Engines.RecordingLog())
                .plan(Set.of(Goal.CONVERT)).steps();
        Step release = plan.get(plan.size() - 1);
        assertEquals("drop the foreign key(s) \"chat_history_user_id_fkey\" of \"public\".\"chat_history_old\" to \"public\".\"users\"",
                release.action(), "the step right after the swap: " + plan.stream().map(Step::action).toList());
        assertTrue(plan.get(plan.size() - 2).action().startsWith("swap: "));
        assertEquals(List.of("ALTER TABLE \"public\".\"chat_history_old\" DROP CONSTRAINT \"chat_history_user_id_fkey\""), release.statements());
        assertTrue(release.locks().contains(new Lock(new TableName("public", "users"), LockMode.ACCESS_EXCLUSIVE)), "" + release.locks());

        ConvertTest.engine(db, ConvertOptions.DEFAULTS.withBatchSize(500), new Engines.RecordingLog()).apply(Goal.CONVERT);
        assertEquals(List.of(), db.queryStrings(OLD_KEYS));
        assertEquals(List.of("chat_history_user_id_fkey users true"), db.queryStrings(KEYS));
        long user = db.queryLong("SELECT min(user_id) FROM chat_history");
        long held = db.queryLong("SELECT count(*) FROM chat_history_old WHERE user_id = " + user);
        assertTrue(held > 0, "the old table holds the user's rows");
        // the application deletes a user and, first, the user's messages and costs
        db.exec("DELETE FROM chat_history WHERE user_id = " + user, "DELETE FROM cost_tracking WHERE user_id = " + user,
                "DELETE FROM users WHERE id = " + user);
        assertEquals(held, db.queryLong("SELECT count(*) FROM chat_history_old WHERE user_id = " + user), "nothing cascaded into it");
        assertEquals(List.of(), ConvertTest.engine(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).plan(Set.of(Goal.CONVERT)).steps(),
                "a converted table with nothing left to release");

        List<Step> rollback = ConvertTest.engine(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).plan(Set.of(Goal.ROLLBACK)).steps();
        Step swapBack = rollback.stream().filter(s -> s.action().startsWith("swap back")).findFirst().orElseThrow();
        assertTrue(swapBack.statements().contains("ALTER TABLE \"public\".\"chat_history_old\" ADD CONSTRAINT \"chat_history_user_id_fkey\""
                + " FOREIGN KEY (user_id) REFERENCES public.users(id) NOT VALID"), "" + swapBack.statements());
        assertTrue(swapBack.locks().contains(new Lock(new TableName("public", "users"), LockMode.ACCESS_EXCLUSIVE)),
                "DROP TABLE of the partitioned table holds users: " + swapBack.locks());
        assertEquals(List.of("ALTER TABLE \"public\".\"chat_history\" VALIDATE CONSTRAINT \"chat_history_user_id_fkey\""),
                rollback.get(rollback.size() - 1).statements());

        ConvertTest.engine(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).apply(Goal.ROLLBACK);
        assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE oid = 'chat_history'::regclass").get(0));
        assertEquals(List.of("chat_history_user_id_fkey users true"), db.queryStrings(KEYS));
        assertEquals(0, db.queryLong("SELECT count(*) FROM chat_history WHERE user_id = " + user), "the replay removed the user's rows");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> db.exec("INSERT INTO chat_history (user_id, role, content) VALUES (" + user + ", 'user', 'to a deleted user')"));
        assertTrue(e.getMessage().contains("chat_history_user_id_fkey"), e.getMessage());
    }

    @Test
    void aReleaseThatCannotGetItsLockLeavesTheFinishedConversionSaysSoAndTheNextRunCompletesIt() throws Exception {
        TestDb db = ConvertTest.seeded(2000);
        int steps = ConvertTest.engine(db, ConvertOptions.DEFAULTS.withBatchSize(500), new Engines.RecordingLog()).plan(Set.of(Goal.CONVERT))
                .steps().size();
        // as the last step begins, another session holds users: DROP CONSTRAINT needs ACCESS EXCLUSIVE on it
        ConvertFailureTest.BlockingLog log = new ConvertFailureTest.BlockingLog(db, steps, "users");
        PartitionException e;
        try {
            e = assertThrows(PartitionException.class, () -> ConvertTest.engine(db, ConvertOptions.DEFAULTS.withBatchSize(500), log)
                    .apply(Goal.CONVERT));
        } finally {
            log.release();
        }
        assertTrue(e.getMessage().contains("The conversion of \"public\".\"chat_history\" is complete and \"public\".\"chat_history_old\""
                + " is kept for rollback; only its foreign key(s) \"chat_history_user_id_fkey\" are not all dropped yet"), e.getMessage());
        assertTrue(e.getMessage().contains("run `mvn partition:convert` again to drop them"), e.getMessage());
        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE oid = 'chat_history'::regclass").get(0));
        assertEquals(List.of("chat_history_user_id_fkey users true"), db.queryStrings(OLD_KEYS));

        // partition:plan shows it (so failOnChanges catches it), and partition:convert does it
        io.github.partitionmaven.plan.PartitionPlan plan = ConvertTest.engine(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog())
                .plan(Goal.POLICY_GOALS);
        assertTrue(plan.tables().get(0).findings().stream().anyMatch(f -> f.message().contains("is already partitioned (converted; the old"
                + " table is kept as \"public\".\"chat_history_old\"): only its foreign keys to other tables are left to drop")),
                "" + plan.tables().get(0).findings());
        List<Step> whole = plan.steps();
        assertTrue(whole.stream().anyMatch(s -> s.goal() == Goal.CONVERT && s.statements().equals(List.of(
                "ALTER TABLE \"public\".\"chat_history_old\" DROP CONSTRAINT \"chat_history_user_id_fkey\""))), "" + whole);
        ConvertTest.engine(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).apply(Goal.CONVERT);
        assertEquals(List.of(), db.queryStrings(OLD_KEYS));
        assertTrue(ConvertTest.engine(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).plan(Goal.POLICY_GOALS).steps().stream()
                .noneMatch(s -> s.goal() == Goal.CONVERT));
    }
}
