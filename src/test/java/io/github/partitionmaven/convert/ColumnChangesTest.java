package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.plan.TablePlan;
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
                + " becomes bigint in its own step before the swap"), create.reason());
        for (String col : List.of("user_id", "role", "content")) {
            assertTrue(create.reason().contains("\"" + col + "\" becomes NOT NULL (<addNotNull>"), col + ": " + create.reason());
        }
        assertTrue(!create.reason().contains("\"note\" becomes NOT NULL"), "note holds NULLs: " + create.reason());
        assertTrue(create.statements().contains("ALTER TABLE \"public\".\"chat_history_new\" ALTER COLUMN \"id\" TYPE bigint, ALTER COLUMN"
                + " \"user_id\" SET NOT NULL, ALTER COLUMN \"role\" SET NOT NULL, ALTER COLUMN \"content\" SET NOT NULL"), create.statements().toString());

        List<Step> steps = plan.tables().get(0).steps();
        int swap = ConvertFailureTest.swapNumber(steps) - 1;
        Step widen = steps.get(swap - 1);
        assertEquals("widen sequence(s) \"public\".\"chat_history_id_seq\" to bigint", widen.action());
        assertEquals(List.of("ALTER SEQUENCE \"public\".\"chat_history_id_seq\" AS bigint"), widen.statements());
        assertTrue(widen.reason().contains("Harmless to \"public\".\"chat_history\", which they still feed: its \"id\" integer column(s)"
                + " stop at the type's largest value (2^31 - 1 = 2147483647 for integer) either way"), widen.reason());
        assertTrue(steps.get(swap).statements().stream().noneMatch(sql -> sql.contains(" AS bigint")),
                "nothing of the sequence's type under the swap's lock: " + steps.get(swap).statements());

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
        assertEquals("bigint", sequenceType(db), "feeding a bigint column now, the sequence stays bigint");
    }

    private static String sequenceType(TestDb db) {
        return db.queryStrings("SELECT seqtypid::regtype::text FROM pg_sequence WHERE seqrelid = 'chat_history_id_seq'::regclass").get(0);
    }

    private static PartitionEngine abandoning(TestDb db, EngineLog log) {
        return Engines.engine(db, ConvertTest.NOW, "UTC", log, List.of(ConvertPlanner.abandoning(OPTIONS)), SPEC);
    }

    private static final ConvertOptions OPTIONS = ConvertOptions.DEFAULTS.withBatchSize(500);

    @Test
    void aConversionStoppedAfterWideningTheSequenceIsAbandonedWithTheSequenceIntegerAgainUnlessItCountedPastInteger() throws Exception {
        TestDb db = ConvertTest.seeded(3000);
        String before = ConvertFailureTest.withoutRowCounts(db.snapshot());
        assertTrue(before.contains("chat_history_id_seq sequence integer 1..2147483647"), before);
        List<Step> steps = ConvertTest.engineFor(db, OPTIONS, EngineLog.STDOUT, SPEC).plan(Set.of(Goal.CONVERT)).tables().get(0).steps();
        // another session holds chat_history when the swap comes: the conversion stops after widening the sequence
        ConvertFailureTest.BlockingLog log = new ConvertFailureTest.BlockingLog(db, ConvertFailureTest.swapNumber(steps), "chat_history");
        try {
            assertThrows(PartitionException.class, () -> ConvertTest.engineFor(db, OPTIONS, log, SPEC).apply(Goal.CONVERT));
        } finally {
            log.release();
        }
        assertEquals("bigint", sequenceType(db), "widened in its own step, before the swap");
        assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));

        String last = db.queryStrings("SELECT last_value || ',' || is_called FROM chat_history_id_seq").get(0);
        db.exec("SELECT setval('chat_history_id_seq', " + PAST_INT + ")");
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> db.exec("ALTER SEQUENCE chat_history_id_seq AS integer"));
        assertTrue(refused.getMessage().contains("cannot be greater than MAXVALUE"), "why abandon leaves it: " + refused.getMessage());
        TablePlan counted = abandoning(db, EngineLog.STDOUT).plan(Set.of(Goal.CONVERT)).tables().get(0);
        assertTrue(counted.steps().stream().noneMatch(s -> s.action().startsWith("sequence(s)")), counted.steps().toString());
        String warning = counted.findings().stream().map(Finding::message).filter(m -> m.startsWith("Sequence")).findFirst().orElse("");
        assertEquals("Sequence \"public\".\"chat_history_id_seq\" stays bigint, as <widenKeys> made it: its last value " + PAST_INT + " is past"
                + " integer's largest (2147483647), and ALTER SEQUENCE ... AS integer refuses a maximum below the value reached."
                + " \"public\".\"chat_history\".\"id\" (integer) cannot take such ids: inserts drawing from it fail with \"integer out of range\"."
                + " Either set it back (SELECT pg_catalog.setval('\"public\".\"chat_history_id_seq\"', (SELECT pg_catalog.max(\"id\") FROM"
                + " \"public\".\"chat_history\")); ALTER SEQUENCE \"public\".\"chat_history_id_seq\" AS integer) or widen the column"
                + " (ALTER TABLE \"public\".\"chat_history\" ALTER COLUMN \"id\" TYPE bigint).", warning);

        db.exec("SELECT setval('chat_history_id_seq', " + last.split(",")[0] + ", " + last.split(",")[1] + ")");
        Engines.RecordingLog abandonLog = new Engines.RecordingLog();
        abandoning(db, abandonLog).apply(Goal.CONVERT);
        assertTrue(abandonLog.text().contains("sequence(s) \"public\".\"chat_history_id_seq\" back to integer"), abandonLog.text());
        assertEquals(before, ConvertFailureTest.withoutRowCounts(db.snapshot()), "abandon left the catalog as it was, the sequence's type included");
        assertTrue(abandoning(db, EngineLog.STDOUT).plan(Set.of(Goal.CONVERT)).tables().get(0).steps().isEmpty());
    }

    @Test
    void aRollbackOfAWidenedConversionGivesTheSequenceItsIntegerTypeBackUnlessItCountedPastInteger() throws Exception {
        TestDb db = ConvertTest.seeded(3000);
        String before = ConvertFailureTest.withoutRowCounts(db.snapshot());
        ConvertTest.engineFor(db, OPTIONS, EngineLog.STDOUT, SPEC).apply(Goal.CONVERT);
        assertEquals("bigint", sequenceType(db));
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'after', '2026-11-23 12:00')");

        String last = db.queryStrings("SELECT last_value || ',' || is_called FROM chat_history_id_seq").get(0);
        db.exec("SELECT setval('chat_history_id_seq', " + PAST_INT + ")");
        TablePlan counted = ConvertTest.engineFor(db, OPTIONS, EngineLog.STDOUT, SPEC).plan(Set.of(Goal.ROLLBACK)).tables().get(0);
        assertTrue(counted.findings().stream().anyMatch(f -> f.message().startsWith("Sequence \"public\".\"chat_history_id_seq\" stays bigint,"
                + " as <widenKeys> made it: its last value " + PAST_INT)), counted.findings().toString());
        assertTrue(swapBack(counted.steps()).statements().stream().noneMatch(sql -> sql.contains(" AS integer")));
        db.exec("SELECT setval('chat_history_id_seq', " + last.split(",")[0] + ", " + last.split(",")[1] + ")");

        PartitionPlan rollback = ConvertTest.engineFor(db, OPTIONS, EngineLog.STDOUT, SPEC).plan(Set.of(Goal.ROLLBACK));
        Step swapBack = swapBack(rollback.tables().get(0).steps());
        assertTrue(swapBack.statements().contains("ALTER SEQUENCE \"public\".\"chat_history_id_seq\" AS integer"), swapBack.statements().toString());
        assertTrue(swapBack.reason().contains("\"public\".\"chat_history_id_seq\" back to integer, as before <widenKeys> widened it"),
                swapBack.reason());
        ConvertTest.engineFor(db, OPTIONS, EngineLog.STDOUT, SPEC).apply(Goal.ROLLBACK);
        assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        assertEquals("integer", sequenceType(db));
        assertEquals(before, ConvertFailureTest.withoutRowCounts(db.snapshot()), "the catalog as before the conversion, the sequence's type included");
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'rolled back', '2026-11-23 13:00')");
        assertEquals(3002, db.queryLong("SELECT count(*) FROM chat_history"));
    }

    @Test
    void aViewShowingAColumnWidenKeysWidenedIsRefusedByTheRollbackBeforeAnyChangeSequenceOrNot() throws Exception {
        TestDb db = ConvertTest.seeded(300);
        // an integer key column no sequence feeds: only the old table's column type tells the rollback it narrows it
        db.exec("ALTER TABLE chat_history ADD COLUMN ref integer", "UPDATE chat_history SET ref = id",
                "CREATE UNIQUE INDEX chat_history_ref ON chat_history (ref, created_at)");
        ConvertTest.engineFor(db, OPTIONS, EngineLog.STDOUT, SPEC).apply(Goal.CONVERT);
        db.exec("CREATE VIEW refs AS SELECT ref, created_at FROM chat_history");

        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> ConvertTest.engineFor(db, OPTIONS, EngineLog.STDOUT, SPEC).apply(Goal.ROLLBACK));
        assertTrue(e.getMessage().contains("Views read \"public\".\"chat_history\": \"public\".\"refs\" (view), and the rollback would change the"
                + " type of columns they may show (\"id\" bigint to integer, \"ref\" bigint to integer)"), e.getMessage());
        assertTrue(e.getMessage().contains("drop them, roll back, then create them again") && !e.getMessage().contains("Convert without"), e.getMessage());
        assertTrue(e.getMessage().endsWith(PartitionException.NOTHING_CHANGED), e.getMessage());
        assertEquals(before, db.snapshot());

        db.exec("DROP VIEW refs");
        ConvertTest.engineFor(db, OPTIONS, EngineLog.STDOUT, SPEC).apply(Goal.ROLLBACK);
        assertEquals(List.of("r integer"), db.queryStrings("SELECT c.relkind::text || ' ' || format_type(a.atttypid, a.atttypmod) FROM pg_class c"
                + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'ref' WHERE c.oid = 'chat_history'::regclass"));
    }

    private static Step swapBack(List<Step> steps) {
        return steps.stream().filter(s -> s.action().startsWith("swap back")).findFirst().orElseThrow();
    }
}
