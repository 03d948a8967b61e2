package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.ChatWriter;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DatabaseTest
class RollbackTest {

    @Test
    void swapsBackWithEverythingWrittenSinceTheSwap() throws Exception {
        TestDb db = ConvertTest.seeded(5000);
        ConvertOptions options = ConvertOptions.DEFAULTS.withBatchSize(1000);
        ConvertTest.engine(db, options, new Engines.RecordingLog()).apply(Goal.CONVERT);
        try (ChatWriter writer = new ChatWriter(db, true, 0, LocalDateTime.of(2025, 12, 5, 0, 0), LocalDateTime.of(2026, 11, 20, 0, 0))) {
            Thread.sleep(300);
            Engines.RecordingLog log = new Engines.RecordingLog();
            try {
                ConvertTest.engine(db, options, log).apply(Goal.ROLLBACK);
            } finally {
                System.out.println(log.text());
            }
            writer.finishAfter(50);
        }
        assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        assertEquals(ConvertTest.fingerprint(db, "chat_ref"), ConvertTest.fingerprint(db, "chat_history"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname ~ '^chat_history_(old|new|changes|conversion|20)'"));
        assertEquals(List.of("chat_history_pkey", "idx_chat_history_created", "idx_chat_history_user_created"), db.queryStrings(
                "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'chat_history'::regclass ORDER BY 1"));
        long max = db.queryLong("SELECT max(id) FROM chat_history");
        db.exec("INSERT INTO chat_history (user_id, role, content) VALUES (1, 'user', 'after rollback')");
        assertTrue(db.queryLong("SELECT max(id) FROM chat_history") > max, "the sequence survived and continues");

        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> ConvertTest.engine(db, options, new Engines.RecordingLog()).apply(Goal.ROLLBACK));
        assertTrue(e.getMessage().contains("nothing to roll back"), e.getMessage());
        assertEquals(before, db.snapshot());
    }

    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void objectsBoundToThePartitionedTableByItsIdentityAreRefusedBeforeAnyChangeWithTheirFix(ConvertOptions.Strategy strategy) {
        TestDb db = ConvertTest.seeded(500);
        ConvertOptions options = ConvertOptions.DEFAULTS.withStrategy(strategy);
        ConvertTest.engine(db, options, new Engines.RecordingLog()).apply(Goal.CONVERT);
        // made after the conversion: each holds on to the partitioned table, whose DROP at the swap back would fail on it
        db.exec("CREATE TABLE msg_archive (m chat_history)",
                "CREATE FUNCTION first_message() RETURNS chat_history LANGUAGE sql AS $$ SELECT * FROM chat_history ORDER BY id LIMIT 1 $$");
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> ConvertTest.engine(db, options, new Engines.RecordingLog()).apply(Goal.ROLLBACK));
        assertTrue(e.getMessage().startsWith("PostgreSQL binds these to \"public\".\"chat_history\" by its identity, not its name, and the"
                + " rollback drops the partitioned") && e.getMessage().contains("column m of public.msg_archive has its row type")
                && e.getMessage().contains("function public.first_message() takes or returns its row type: drop it, roll back and create it again")
                && e.getMessage().endsWith(PartitionException.NOTHING_CHANGED), e.getMessage());
        assertEquals(before, db.snapshot());

        db.exec("DROP TABLE msg_archive", "DROP FUNCTION first_message()");
        ConvertTest.engine(db, options, new Engines.RecordingLog()).apply(Goal.ROLLBACK);
        assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
    }
}
