package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.time.YearMonth;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Every refusal names the problem and the fix, and leaves the database exactly as it was. */
@DatabaseTest
class ConvertRefusalTest {

    private static String refused(TestDb db, ConvertOptions options) {
        return refused(db, () -> ConvertTest.engine(db, options, new Engines.RecordingLog()));
    }

    private static String refused(TestDb db, Supplier<PartitionEngine> engine) {
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class, () -> engine.get().apply(Goal.CONVERT));
        assertEquals(before, db.snapshot(), "nothing changed");
        assertTrue(e.getMessage().endsWith(PartitionException.NOTHING_CHANGED), e.getMessage());
        return e.getMessage();
    }

    @Test
    void inboundForeignKeysAreNamed() {
        TestDb db = ConvertTest.seeded(100);
        db.exec("CREATE TABLE reactions (id serial PRIMARY KEY, message_id bigint CONSTRAINT reactions_message_fk REFERENCES chat_history(id))");
        String m = refused(db, ConvertOptions.DEFAULTS);
        assertTrue(m.contains("\"reactions_message_fk\" on public.reactions") && m.contains("Drop them first"), m);
    }

    @Test
    void materializedViewsAreNamedAndViewsFollow() {
        TestDb db = ConvertTest.seeded(100);
        db.exec("CREATE VIEW recent AS SELECT * FROM chat_history WHERE created_at > now() - interval '1 day'",
                "CREATE MATERIALIZED VIEW per_user AS SELECT user_id, count(*) FROM chat_history GROUP BY 1");
        String m = refused(db, ConvertOptions.DEFAULTS);
        assertTrue(m.contains("\"public\".\"per_user\" (materialized view)") && !m.contains("\"recent\"") && m.contains("drop them, convert"), m);
    }

    @Test
    void viewsWhoseColumnsWidenKeysWouldRetypeAreRefused() {
        TestDb db = ConvertTest.seeded(100);
        db.exec("CREATE VIEW recent AS SELECT id, created_at FROM chat_history");
        String m = refused(db, () -> ConvertTest.engineFor(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog(), ColumnChangesTest.SPEC));
        assertTrue(m.contains("\"public\".\"recent\" (view), and the conversion would change the type of columns they may show (\"id\" integer to bigint by <widenKeys>)") && m.contains("Convert without <widenKeys>"), m);
    }

    @Test
    void policiesFunctionsAndColumnsBoundToTheTableByItsIdentityAreNamedWithTheirFix() {
        TestDb db = ConvertTest.seeded(100);
        // each followed chat_history to chat_history_old at the swap (seen on Debian's PostgreSQL 15)
        db.exec("CREATE TABLE notes (id serial PRIMARY KEY, user_id int, body text)", "ALTER TABLE notes ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY only_chatters ON notes USING (EXISTS (SELECT 1 FROM chat_history c WHERE c.user_id = notes.user_id))",
                "CREATE FUNCTION message_count(u int) RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM chat_history WHERE user_id = u; END",
                "CREATE TABLE msg_archive (m chat_history)",
                // resolved by name at each call: not bound, not refused
                "CREATE FUNCTION message_total() RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN (SELECT count(*) FROM chat_history); END $$",
                "CREATE POLICY own_rows ON chat_history USING (EXISTS (SELECT 1 FROM chat_history h WHERE h.id = chat_history.id))");
        String m = refused(db, ConvertOptions.DEFAULTS);
        assertTrue(m.startsWith("PostgreSQL binds these to \"public\".\"chat_history\" by its identity, not its name: at the swap they"
                + " would follow it to \"public\".\"chat_history_old\""), m);
        assertTrue(m.contains("column m of public.msg_archive has its row type: change that column's type"), m);
        // the plugin's role may define these again at the swap (CarryOverTest), so they are not refused
        assertTrue(!m.contains("only_chatters") && !m.contains("message_count"), m);
        assertTrue(!m.contains("message_total") && !m.contains("own_rows"), m);
    }

    @Test
    void nullKeysAreCounted() {
        TestDb db = ConvertTest.seeded(100);
        db.exec("ALTER TABLE chat_history ALTER COLUMN created_at DROP NOT NULL",
                "UPDATE chat_history SET created_at = NULL WHERE id <= 7");
        String m = refused(db, ConvertOptions.DEFAULTS);
        assertTrue(m.startsWith("7 row(s) of \"public\".\"chat_history\" have a NULL \"created_at\""), m);
    }

    @Test
    void rowsFarInTheFutureAreReported() {
        TestDb db = ConvertTest.seeded(100);
        db.exec("UPDATE chat_history SET created_at = '2099-01-01' WHERE id IN (3, 4)");
        String m = refused(db, ConvertOptions.DEFAULTS);
        assertTrue(m.startsWith("2 row(s) of \"public\".\"chat_history\" have \"created_at\" at or after 2027-03-01"), m);
        assertTrue(m.contains("2099-01-01 00:00:00") && m.contains("raise <premake>"), m);
    }

    @Test
    void unsupportedKeyType() {
        TestDb db = ConvertTest.seeded(100);
        db.exec("ALTER TABLE chat_history ADD COLUMN created_text text");
        String m = assertThrows(PartitionException.class, () -> Engines.engine(db, ConvertTest.NOW, "UTC",
                Engines.spec("chat_history", "created_text", "month", 3)).apply(Goal.CONVERT)).getMessage();
        assertTrue(m.contains("has type text; time partitioning needs a date, timestamp or timestamptz column"), m);
    }

    @Test
    void alreadyPartitionedPointsToPremake() {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2026, 10), YearMonth.of(2026, 11)).toArray(String[]::new));
        String m = refused(db, ConvertOptions.DEFAULTS);
        assertTrue(m.contains("already partitioned") && m.contains("mvn partition:premake"), m);
    }

    @Test
    void noPrimaryKeyIsRefusedForCopyAndPointsToAttach() {
        TestDb db = ConvertTest.seeded(100);
        db.exec("ALTER TABLE chat_history DROP CONSTRAINT chat_history_pkey");
        String m = refused(db, ConvertOptions.DEFAULTS);
        assertTrue(m.contains("has no primary key") && m.contains("<strategy>attach</strategy>"), m);
    }

    @Test
    void compositeOrUnsupportedPrimaryKey() {
        TestDb db = ConvertTest.seeded(100);
        db.exec("ALTER TABLE chat_history DROP CONSTRAINT chat_history_pkey", "ALTER TABLE chat_history ADD PRIMARY KEY (id, user_id)");
        String m = refused(db, ConvertOptions.DEFAULTS);
        assertTrue(m.contains("strategy copy batches by a single column"), m);
    }

    @Test
    void uniqueIndexWithoutTheKeyColumn() {
        TestDb db = ConvertTest.seeded(100);
        db.exec("CREATE UNIQUE INDEX chat_content_unique ON chat_history (content)");
        String m = refused(db, ConvertOptions.DEFAULTS);
        assertTrue(m.contains("Unique index \"chat_content_unique\"") && m.contains("cannot enforce it"), m);
    }

    @Test
    void uniqueIndexHoldingTheTimeColumnOnlyAsIncludedIsRefused() {
        TestDb db = ConvertTest.seeded(100);
        // INCLUDE columns are not part of the key: PostgreSQL refuses this index on a partitioned table
        db.exec("CREATE UNIQUE INDEX chat_content_unique ON chat_history (content) INCLUDE (created_at)");
        String m = refused(db, ConvertOptions.DEFAULTS);
        assertTrue(m.contains("Unique index \"chat_content_unique\"") && m.contains("cannot enforce it"), m);
    }

    @Test
    void badOptions() {
        PartitionException e = assertThrows(PartitionException.class, () -> ConvertOptions.of("zero-copy", false, null, null, null));
        assertTrue(e.getMessage().contains("Unknown <strategy> 'zero-copy'"), e.getMessage());
        assertTrue(assertThrows(PartitionException.class, () -> ConvertOptions.of("copy", false, null, 5, null)).getMessage()
                .contains("<batchSize>5</batchSize> is out of range"));
        assertEquals(List.of(ConvertOptions.Strategy.ATTACH), List.of(ConvertOptions.of(" Attach ", false, null, null, null).strategy()));
        assertTrue(assertThrows(PartitionException.class, () -> ConvertOptions.of("copy", false, null, null, null, "11min")).getMessage()
                .contains("<copyPause>660000ms</copyPause> is out of range: use 0ms to 10min"));
        assertTrue(assertThrows(PartitionException.class, () -> ConvertOptions.of("copy", false, null, null, null, "a while")).getMessage()
                .contains("Cannot read <copyPause>a while</copyPause>"));
        assertEquals(java.time.Duration.ofMillis(250), ConvertOptions.of("copy", false, null, null, null, "250ms").copyPause());
    }
}
