package io.github.partitionmaven.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.report.PlanReport;
import io.github.partitionmaven.testing.ChatWriter;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seed's tables exactly as the seed defines them (SERIAL, every column nullable, its indexes, the
 * foreign key to users) through convert, premake, prune and rollback while the application writes.
 */
@DatabaseTest
class SeedLifecycleTest {

    private static final String NOW = "2026-11-24T10:00:00";

    private static PartitionEngine engine(TestDb db, String now, ConvertOptions options, Engines.RecordingLog log, TableSpec... tables) {
        RunSettings settings = PolicyReader.settings("UTC", now, "300ms", 3, Clock.systemUTC());
        return new PartitionEngine(db.settings(), settings, PolicyReader.tables(List.of(tables), settings),
                Planners.standard(options, PruneOptions.defaults()), log);
    }

    private static String rows(TestDb db, String table) {
        return db.queryStrings("SELECT count(*) || ':' || coalesce(sum(hashtextextended(t::text, 0)), 0) FROM " + table + " t").get(0);
    }

    @ParameterizedTest
    @EnumSource(value = ConvertOptions.Strategy.class)
    void theSeedsLiteralTablesConvertUnderAWriterThenPremakePruneAndRollBack(ConvertOptions.Strategy strategy) throws Exception {
        TestDb db = TestDb.fresh(SeedLifecycleTest.class);
        db.exec(Seed.plainTables().toArray(String[]::new));
        db.exec(Seed.rows(50, 20_000, LocalDate.of(2025, 12, 3), LocalDate.of(2026, 11, 20)).toArray(String[]::new));
        db.exec("ANALYZE");
        assertEquals("YES", db.queryStrings("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'chat_history'"
                + " AND column_name = 'created_at'").get(0), "the seed's created_at allows NULL");
        TableSpec chat = Engines.month("chat_history");
        TableSpec cost = new TableSpec("cost_tracking", "created_at", "month", null, null, "6 months", "drop", null);
        ConvertOptions options = ConvertOptions.DEFAULTS.withStrategy(strategy).withBatchSize(2_000);
        Engines.RecordingLog log = new Engines.RecordingLog();

        String plan = new PlanReport(engine(db, NOW, options, log, chat, cost).plan(Set.of(Goal.CONVERT)), "test").json().replace("\\\"", "\"");
        assertTrue(plan.contains("\"created_at\" allows NULL on \"public\".\"chat_history\" but holds none, so it becomes NOT NULL"), plan);
        assertTrue(plan.contains("\"created_at\" allows NULL on \"public\".\"cost_tracking\" but holds none, so it becomes NOT NULL"), plan);

        ChatWriter writer = new ChatWriter(db, strategy == ConvertOptions.Strategy.COPY, 200, LocalDateTime.of(2026, 11, 1, 0, 0),
                LocalDateTime.of(2026, 11, 24, 0, 0));
        try {
            engine(db, NOW, options, log, chat, cost).apply(Goal.CONVERT);
        } finally {
            System.out.println(log.text());
        }
        writer.finishAfter(10);
        for (String t : List.of("chat_history", "cost_tracking")) {
            assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = '" + t + "'").get(0), t);
            assertEquals("NO", db.queryStrings("SELECT is_nullable FROM information_schema.columns WHERE table_name = '" + t
                    + "' AND column_name = 'created_at'").get(0), t + ".created_at, as announced");
            assertEquals(List.of("PRIMARY KEY (id, created_at)"), db.queryStrings("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                    + " WHERE conrelid = '" + t + "'::regclass AND contype = 'p'"));
            assertEquals(List.of("FOREIGN KEY (user_id) REFERENCES users(id)"), db.queryStrings("SELECT pg_get_constraintdef(oid)"
                    + " FROM pg_constraint WHERE conrelid = '" + t + "'::regclass AND contype = 'f'"));
        }
        if (strategy == ConvertOptions.Strategy.COPY) {
            assertEquals(rows(db, "chat_ref"), rows(db, "chat_history"), "every write of the application is in the new table");
        }
        assertEquals(List.of("user_id", "role", "content"), db.queryStrings("SELECT column_name FROM information_schema.columns"
                + " WHERE table_name = 'chat_history' AND is_nullable = 'YES' ORDER BY column_name COLLATE \"C\" DESC"), "the other columns stay nullable");
        db.exec("INSERT INTO chat_history (user_id, role, content) VALUES (NULL, NULL, NULL)");

        engine(db, "2027-01-10T10:00:00", options, log, chat, cost).apply(Goal.PREMAKE);
        assertTrue(db.partitions("chat_history").stream().anyMatch(p -> p.startsWith("chat_history_2027_04 ")), db.partitions("chat_history").toString());

        boolean copy = strategy == ConvertOptions.Strategy.COPY;
        // attach keeps every old row in one partition [MINVALUE, 2026-12-01), which retention ages out only as a whole
        String costBefore = rows(db, copy ? "(SELECT * FROM cost_tracking WHERE created_at >= '2026-07-01')" : "cost_tracking");
        engine(db, "2027-01-10T10:00:00", options, log, chat, cost).apply(Goal.PRUNE);
        assertEquals(costBefore, rows(db, "cost_tracking"), "prune dropped only the months past retention");
        if (copy) {
            assertTrue(db.partitions("cost_tracking").get(0).startsWith("cost_tracking_2026_07 "), db.partitions("cost_tracking").toString());
        }

        String chatBefore = rows(db, "chat_history");
        engine(db, "2027-01-10T10:00:00", options, log, chat).apply(Goal.ROLLBACK);
        assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        assertEquals(chatBefore, rows(db, "chat_history"), "rollback keeps every row, the ones written after the conversion too");
        db.exec("INSERT INTO chat_history (user_id, role, content) VALUES (1, 'user', 'after rollback')");
    }
}
