package io.github.partitionmaven.engine;

import java.nio.file.Files;
import org.junit.jupiter.api.Assumptions;
import io.github.partitionmaven.testing.EmbeddedBinaries;
import io.github.partitionmaven.core.PartitionException;
import static io.github.partitionmaven.testing.Engines.engine;
import static io.github.partitionmaven.testing.Engines.month;
import static io.github.partitionmaven.testing.Engines.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every refusal names the problem and the fix, and the database is exactly as it was. */
@DatabaseTest
class RefusalTest {

    private static TestDb db;

    @BeforeAll
    static void schema() {
        db = TestDb.fresh(RefusalTest.class);
        db.exec("CREATE TABLE good (created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE \"Events\" (ts timestamptz NOT NULL) PARTITION BY RANGE (ts)",
                "CREATE TABLE plain (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, note text)",
                "CREATE TABLE by_list (region text NOT NULL, created_at timestamptz NOT NULL) PARTITION BY LIST (region)",
                "CREATE TABLE by_hash (id bigint NOT NULL, created_at timestamptz NOT NULL) PARTITION BY HASH (id)",
                "CREATE TABLE by_other (created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL) PARTITION BY RANGE (updated_at)",
                "CREATE TABLE multi (a date NOT NULL, created_at date NOT NULL) PARTITION BY RANGE (created_at, a)",
                "CREATE TABLE texty (created_at text NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE collide (created_at date NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE collide_2026_12 (created_at date NOT NULL)",
                "CREATE VIEW a_view AS SELECT 1 AS created_at");
    }

    private static String refused(PartitionException.Kind kind, TableSpec... specs) {
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> engine(db, "2026-11-24", "UTC", specs).apply(Goal.PREMAKE));
        assertEquals(kind, e.kind(), e.getMessage());
        assertTrue(e.getMessage().endsWith("Nothing was changed."), e.getMessage());
        assertEquals(before, db.snapshot(), "the catalog and the rows are unchanged");
        return e.getMessage();
    }

    @Test
    void badConfigurationIsRefusedBeforeTheDatabaseIsTouched() {
        List<TableSpec> bad = List.of(
                new TableSpec("good", "created_at", "monthy", null, null, null, null, null),
                new TableSpec("good", "created_at", "month", 0, null, null, null, null),
                new TableSpec("good", "created_at", "month", 100_000, null, null, null, null),
                new TableSpec("good", "created_at", "month", null, null, "sometimes", null, null),
                new TableSpec("good", "created_at", "month", null, "{table}_{yyyy}", null, null, null),
                new TableSpec("good", "created_at", "month", null, "{table}_" + "x".repeat(60) + "_{yyyy_MM}", null, null, null),
                new TableSpec("good", null, "month", null, null, null, null, null));
        for (TableSpec spec : bad) {
            assertTrue(refused(PartitionException.Kind.CONFIGURATION, spec).contains("<"), spec.toString());
        }
        assertTrue(refused(PartitionException.Kind.CONFIGURATION, month("good"), month("good")).contains("configured twice"));
    }

    @Test
    void unknownTableSuggestsTheCaseSensitiveMatch() {
        String m = refused(PartitionException.Kind.CONFIGURATION, month("good"), spec("events", "ts", "month", 3));
        assertTrue(m.contains("Table \"events\" does not exist on the search_path") && m.contains("Did you mean public.\"Events\"?"), m);
        assertTrue(refused(PartitionException.Kind.CONFIGURATION, spec("nope.good", "created_at", "month", 3)).contains("in schema \"nope\""));
    }

    @Test
    void unknownColumnListsTheColumns() {
        String m = refused(PartitionException.Kind.CONFIGURATION, spec("plain", "createdAt", "month", 3));
        assertTrue(m.contains("Column \"createdAt\" does not exist in \"public\".\"plain\". Its columns are: id, created_at, note."), m);
    }

    @Test
    void keyColumnMustBeADateOrTime() {
        assertTrue(refused(PartitionException.Kind.CONFIGURATION, spec("texty", "created_at", "month", 3)).contains("has type text"));
    }

    @Test
    void plainTablePointsToConvert() {
        assertTrue(refused(PartitionException.Kind.DATABASE_STATE, month("plain")).contains("mvn partition:convert"));
    }

    @Test
    void listHashOtherColumnAndMultiColumnPartitioningAreRefused() {
        assertTrue(refused(PartitionException.Kind.DATABASE_STATE, month("by_list")).contains("partitioned BY LIST (region)"));
        assertTrue(refused(PartitionException.Kind.DATABASE_STATE, month("by_hash")).contains("partitioned BY HASH (id)"));
        assertTrue(refused(PartitionException.Kind.CONFIGURATION, month("by_other")).contains("<column>updated_at</column>"));
        assertTrue(refused(PartitionException.Kind.CONFIGURATION, month("multi")).contains("multi-column"));
        assertTrue(refused(PartitionException.Kind.CONFIGURATION, month("a_view")).contains("is not a table"));
    }

    @Test
    void aPartitionNameTakenByAnotherTableIsRefusedBeforeAnyChange() {
        String m = refused(PartitionException.Kind.DATABASE_STATE, month("good"), month("collide"));
        assertTrue(m.contains("\"public\".\"collide_2026_12\"") && m.contains("<namePattern>"), m);
    }

    @Test
    void serversOlderThan14AreRefused() throws Exception {
        Assumptions.assumeTrue(Files.exists(EmbeddedBinaries.archive("13")),
                "serversOlderThan14AreRefused skipped: zonky publishes no PostgreSQL 13 binaries for this platform (pom: pg13.skip)");
        TestServer old = TestServer.startEmbedded(0, "13");
        TestDb db13 = old.createDatabase("old_server");
        db13.exec("CREATE TABLE good (created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)");
        String before = db13.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> engine(db13, "2026-11-24", "UTC", spec("good", "created_at", "month", 3)).apply(Goal.PREMAKE));
        assertTrue(e.getMessage().contains("The server runs PostgreSQL 13.") && e.getMessage().contains("needs PostgreSQL 14 or newer"),
                e.getMessage());
        assertEquals(before, db13.snapshot());
        assertTrue(engine(db, "2026-11-24", "UTC", month("good")).plan(Set.of(Goal.PREMAKE)).steps().size() > 0, "14+ is fine");
    }
}
