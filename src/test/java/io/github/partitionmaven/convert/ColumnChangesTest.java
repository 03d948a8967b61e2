package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The seed's column changes ({@code <widenKeys>}, {@code <addNotNull>}) on the seed's chat_history verbatim. */
@DatabaseTest
class ColumnChangesTest {

    static final TableSpec SPEC = Engines.month("chat_history").withConversion(true, true, null);
    static final long PAST_INT = 2_147_483_648L + 10;

    @Test
    void widenedKeysAndAddedNotNullsAreListedAppliedUnderAWriterAndRollbackRefusesIdsPastIntegerNamingTheFix() throws Exception {
        TestDb db = ConvertTest.seeded(3000);
        db.exec("ALTER TABLE chat_history ADD COLUMN note text", "UPDATE chat_history SET note = 'n' WHERE id % 7 = 0");
        ConvertOptions options = ConvertOptions.DEFAULTS.withBatchSize(500);
        PartitionPlan plan = ConvertTest.engineFor(db, options, new Engines.RecordingLog(), SPEC).plan(Set.of(Goal.CONVERT));
        Step create = plan.steps().get(0);
        assertTrue(create.reason().contains("\"id\" integer becomes bigint (<widenKeys>); its sequence \"public\".\"chat_history_id_seq\""
                + " becomes bigint at the swap"), create.reason());
        for (String col : List.of("user_id", "role", "content")) {
            assertTrue(create.reason().contains("\"" + col + "\" becomes NOT NULL (<addNotNull>"), col + ": " + create.reason());
        }
        assertTrue(!create.reason().contains("\"note\" becomes NOT NULL"), "note holds NULLs: " + create.reason());
        assertTrue(create.statements().contains("ALTER TABLE \"public\".\"chat_history_new\" ALTER COLUMN \"id\" TYPE bigint, ALTER COLUMN"
                + " \"user_id\" SET NOT NULL, ALTER COLUMN \"role\" SET NOT NULL, ALTER COLUMN \"content\" SET NOT NULL"), create.statements().toString());

        ConvertTest.convertUnderMirroredWriter(db, options, SPEC);
        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        assertEquals(List.of("content text t", "created_at timestamp without time zone t", "id bigint t", "note text f",
                        "role character varying(20) t", "user_id integer t"),
                db.queryStrings("SELECT attname || ' ' || format_type(atttypid, atttypmod) || ' ' || (CASE WHEN attnotnull THEN 't' ELSE 'f' END)"
                        + " FROM pg_attribute WHERE attrelid = 'chat_history'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attname"));
        assertEquals("bigint", db.queryStrings("SELECT seqtypid::regtype::text FROM pg_sequence WHERE seqrelid = 'chat_history_id_seq'::regclass").get(0));
        assertEquals(List.of("integer"), db.queryStrings("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                + " WHERE attrelid = 'chat_history_old'::regclass AND attname = 'id'"), "the old table keeps its types");
        assertEquals(0, db.queryLong("SELECT count(*) FROM ((SELECT id::bigint, user_id, role, content, created_at FROM chat_ref"
                + " EXCEPT ALL SELECT id, user_id, role, content, created_at FROM chat_history) UNION ALL (SELECT id, user_id, role, content,"
                + " created_at FROM chat_history EXCEPT ALL SELECT id::bigint, user_id, role, content, created_at FROM chat_ref)) d"),
                "the partitioned table holds exactly what the writer's mirror holds");

        db.exec("SELECT setval('chat_history_id_seq', " + PAST_INT + ")",
                "INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'past 2^31', '2026-11-23 12:00')");
        assertEquals(PAST_INT + 1, db.queryLong("SELECT max(id) FROM chat_history"), "ids continue past 2^31 - 1");

        PartitionException e = assertThrows(PartitionException.class,
                () -> ConvertTest.engineFor(db, options, new Engines.RecordingLog(), SPEC).apply(Goal.ROLLBACK));
        assertTrue(e.getMessage().contains("integer out of range") && e.getMessage().contains("ALTER TABLE \"public\".\"chat_history_old\""
                + " ALTER COLUMN \"id\" TYPE bigint") && e.getMessage().contains("nothing was swapped"), e.getMessage());
        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));

        db.exec("ALTER TABLE chat_history_old ALTER COLUMN id TYPE bigint");
        ConvertTest.engineFor(db, options, new Engines.RecordingLog(), SPEC).apply(Goal.ROLLBACK);
        assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        assertEquals(PAST_INT + 1, db.queryLong("SELECT max(id) FROM chat_history"), "the fix named by the refusal lets the rollback finish");
    }
}
