package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.premake.PremakePlanner;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An UNLOGGED table stays unlogged through the conversion: a partitioned table has no storage (PostgreSQL 18 refuses
 * CREATE UNLOGGED on it, 14-17 do not pass it on), so every partition is made UNLOGGED, by convert and by premake after it.
 */
@DatabaseTest
class UnloggedTableTest {

    private static final ConvertOptions COPY = ConvertOptions.DEFAULTS.withBatchSize(400);
    private static final ConvertOptions ATTACH = ConvertOptions.DEFAULTS.withStrategy(ConvertOptions.Strategy.ATTACH);

    private static TestDb unloggedSeed() {
        TestDb db = ConvertTest.seeded(2000);
        db.exec("ALTER TABLE chat_history SET UNLOGGED");
        return db;
    }

    /** Persistence of each partition of the table, as "name=p|u". */
    private static List<String> persistence(TestDb db, String parent) {
        return db.queryStrings("SELECT c.relname || '=' || c.relpersistence::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = '" + parent + "'::regclass ORDER BY 1");
    }

    private static void allUnlogged(TestDb db, int atLeast) {
        List<String> partitions = persistence(db, "chat_history");
        assertTrue(partitions.size() >= atLeast, partitions.toString());
        assertEquals(List.of(), partitions.stream().filter(p -> !p.endsWith("=u")).toList(), "every partition is UNLOGGED: " + partitions);
    }

    @Test
    void copyKeepsAnUnloggedTableUnloggedAndThePlanSaysSo() {
        TestDb db = unloggedSeed();
        String before = ConvertTest.fingerprint(db, "chat_history");
        PartitionPlan plan = ConvertTest.engine(db, COPY, new Engines.RecordingLog()).plan(Set.of(Goal.CONVERT));
        Step create = plan.steps().get(0);
        assertTrue(create.action().contains("UNLOGGED partition(s)") && create.reason().contains("\"chat_history\" is UNLOGGED, and so is every"
                + " partition"), create.action() + " / " + create.reason());
        List<String> creates = create.statements().stream().filter(s -> s.contains(" PARTITION OF ")).toList();
        assertTrue(!creates.isEmpty() && creates.stream().allMatch(s -> s.startsWith("CREATE UNLOGGED TABLE ")), creates.toString());
        assertTrue(create.statements().get(0).startsWith("CREATE TABLE "), "the partitioned parent has no persistence: " + create.statements().get(0));

        ConvertTest.engine(db, COPY, new Engines.RecordingLog()).apply(Goal.CONVERT);
        allUnlogged(db, 12);
        assertEquals(before, ConvertTest.fingerprint(db, "chat_history"), "every row arrived");
        System.out.println("UnloggedTableTest (PostgreSQL " + TestServer.majorVersion() + "): after convert " + persistence(db, "chat_history"));

        // premake, two months later, takes the persistence from the latest partition
        PartitionPlan premake = Engines.engine(db, "2027-04-10", "UTC", new Engines.RecordingLog(), List.of(new PremakePlanner()),
                Engines.month("chat_history")).apply(Goal.PREMAKE);
        assertTrue(!premake.steps().isEmpty() && premake.steps().stream().allMatch(s -> s.action().startsWith("create UNLOGGED partition")
                && s.statements().get(0).startsWith("CREATE UNLOGGED TABLE ") && s.reason().contains("UNLOGGED like ")),
                premake.steps().stream().map(Step::action).toList().toString());
        allUnlogged(db, 12 + premake.steps().size());

        ConvertTest.engine(db, COPY, new Engines.RecordingLog()).apply(Goal.ROLLBACK);
        assertEquals(List.of("u"), db.queryStrings("SELECT relpersistence::text FROM pg_class WHERE oid = 'chat_history'::regclass"),
                "rolled back to the UNLOGGED original");
    }

    @Test
    void attachKeepsTheOldTableAndTheNewPartitionsUnlogged() {
        TestDb db = unloggedSeed();
        String before = ConvertTest.fingerprint(db, "chat_history");
        PartitionPlan plan = ConvertTest.engine(db, ATTACH, new Engines.RecordingLog()).apply(Goal.CONVERT);
        assertTrue(plan.steps().stream().anyMatch(s -> s.reason().contains("\"chat_history\" is UNLOGGED, and so is every partition")), plan.steps().toString());
        assertEquals(List.of("chat_history_2026_12=u", "chat_history_2027_01=u", "chat_history_2027_02=u", "chat_history_old=u"),
                persistence(db, "chat_history"));
        assertEquals(before, ConvertTest.fingerprint(db, "chat_history"));
    }

    @Test
    void anUnloggedTableReferencingAnotherUnloggedTableIsRefusedBeforeAnyChange() {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE UNLOGGED TABLE owners (id bigint PRIMARY KEY)", "INSERT INTO owners VALUES (1)",
                "CREATE UNLOGGED TABLE chat_history (id bigserial PRIMARY KEY, owner bigint REFERENCES owners, created_at timestamptz NOT NULL)",
                "INSERT INTO chat_history (owner, created_at) SELECT 1, timestamptz '2026-10-01 00:00+00' + g * interval '1 hour'"
                        + " FROM generate_series(1, 100) g");
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> ConvertTest.engine(db, COPY, new Engines.RecordingLog()).apply(Goal.CONVERT));
        assertEquals(before, db.snapshot(), "nothing changed: " + e.getMessage());
        assertTrue(e.getMessage().contains("reference the UNLOGGED table(s) public.owners") && e.getMessage().contains("SET LOGGED")
                && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
    }

    @Test
    void aLoggedTableStaysLogged() {
        TestDb db = ConvertTest.seeded(300);
        PartitionPlan plan = ConvertTest.engine(db, COPY, new Engines.RecordingLog()).plan(Set.of(Goal.CONVERT));
        assertTrue(plan.steps().get(0).statements().stream().noneMatch(s -> s.contains("UNLOGGED")), plan.steps().get(0).statements().toString());
        assertTrue(!plan.steps().get(0).reason().contains("UNLOGGED"), plan.steps().get(0).reason());
    }
}
