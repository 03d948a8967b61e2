package io.github.partitionmaven.convert;

import static io.github.partitionmaven.testing.Engines.month;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.premake.PremakePlanner;
import io.github.partitionmaven.testing.ChatWriter;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

@DatabaseTest
class ConvertTest {

    static final String NOW = "2026-11-24T10:00:00";

    static PartitionEngine engine(TestDb db, ConvertOptions options, EngineLog log) {
        List<Planner> planners = List.of(new ConvertPlanner(options), new RollbackPlanner(options), new PremakePlanner());
        return Engines.engine(db, NOW, "UTC", log, planners, month("chat_history"));
    }

    static PartitionEngine engineFor(TestDb db, ConvertOptions options, EngineLog log, io.github.partitionmaven.policy.TableSpec spec) {
        return Engines.engine(db, NOW, "UTC", log, List.of(new ConvertPlanner(options), new RollbackPlanner(options), new PremakePlanner()), spec);
    }

    static TestDb seeded(int rows) {
        return seeded(rows, Seed.plainTables());
    }

    /** With {@code tables} instead of the seed's literal DDL (e.g. {@link Seed#friendlyPlainTables()}). */
    static TestDb seeded(int rows, List<String> tables) {
        TestDb db = TestDb.fresh(ConvertTest.class);
        db.exec(tables.toArray(String[]::new));
        db.exec(Seed.rows(50, rows, LocalDate.of(2025, 12, 3), LocalDate.of(2026, 11, 20)).toArray(String[]::new));
        db.exec("COMMENT ON TABLE chat_history IS 'every message'", "COMMENT ON COLUMN chat_history.content IS 'the text'",
                "ALTER TABLE chat_history ADD CONSTRAINT role_known CHECK (role IN ('user', 'assistant', 'system'))",
                "DO $$ BEGIN CREATE ROLE reader_role; EXCEPTION WHEN duplicate_object THEN NULL; END $$", "GRANT SELECT ON chat_history TO reader_role", "ANALYZE chat_history");
        return db;
    }

    /**
     * Converts chat_history by {@code spec} while a {@link ChatWriter} keeping its mirror chat_ref writes 100 changes a second;
     * checks it wrote more than 5 during the conversion (one of 3,000 rows takes 0.2-0.4 s on a 2-core machine) and 5 after, without
     * an error.
     */
    static void convertUnderMirroredWriter(TestDb db, ConvertOptions options, io.github.partitionmaven.policy.TableSpec spec) throws Exception {
        Engines.RecordingLog log = new Engines.RecordingLog();
        try (ChatWriter writer = new ChatWriter(db, true, 100, LocalDateTime.of(2026, 11, 1, 0, 0), LocalDateTime.of(2026, 11, 24, 0, 0))) {
            long before = writer.ops();
            try {
                engineFor(db, options, log, spec).apply(Goal.CONVERT);
            } finally {
                System.out.println(log.text());
            }
            assertTrue(writer.ops() > before + 5, "the writer wrote during the conversion: " + (writer.ops() - before));
            writer.finishAfter(writer.ops() + 5);
        }
    }

    static String fingerprint(TestDb db, String table) {
        return db.queryStrings("SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || coalesce(sum(hashtextextended(r::text, 0)), 0) FROM "
                + table + " r").get(0);
    }

    @Test
    void copyBuildsThePartitionedTableAndSwapsThenDoesNothing() {
        TestDb db = seeded(3000);
        String before = fingerprint(db, "chat_history");
        Engines.RecordingLog log = new Engines.RecordingLog();
        PartitionPlan plan = engine(db, ConvertOptions.DEFAULTS.withBatchSize(500), log).plan(Set.of(Goal.CONVERT));
        assertTrue(plan.steps().size() >= 8, plan.steps().toString());
        assertTrue(plan.steps().stream().anyMatch(s -> s.reason().contains("the primary key (id) of \"public\".\"chat_history\" becomes"
                + " (id, created_at): a partitioned table's unique keys must include the partition column, so it keeps only (id, created_at)"
                + " unique: two rows may share (id) with different created_at, and INSERT ... ON CONFLICT (id) fails (no unique index"
                + " matches it) until it names (id, created_at)")), plan.steps().toString());

        try {
            engine(db, ConvertOptions.DEFAULTS.withBatchSize(500), log).apply(Goal.CONVERT);
        } finally {
            System.out.println(log.text());
        }

        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        assertEquals(before, fingerprint(db, "chat_history"));
        assertEquals(before, fingerprint(db, "chat_history_old"));
        List<String> parts = db.partitions("chat_history");
        assertEquals(15, parts.size(), parts.toString());
        assertTrue(parts.get(0).startsWith("chat_history_2025_12 FOR VALUES FROM ('2025-12-01 00:00:00')"), parts.get(0));
        assertTrue(parts.get(14).startsWith("chat_history_2027_02 "), parts.get(14));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = 'chat_history'::regclass AND c.reloptions IS NOT NULL"), "autovacuum is back on every partition");
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_index WHERE indrelid = 'chat_history'::regclass AND NOT indisvalid"),
                "every partition's indexes were built and attached");
        assertEquals(List.of("chat_history_2026_03_idx2", "chat_history_2026_03_idx3", "chat_history_2026_03_pkey"), db.queryStrings(
                "SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_inherits i ON i.inhrelid = x.indexrelid"
                        + " WHERE x.indrelid = 'chat_history_2026_03'::regclass ORDER BY 1"));
        assertEquals(5, db.queryLong("SELECT count(*) FROM pg_stats WHERE schemaname = 'public' AND tablename = 'chat_history' AND inherited"),
                "the parent, which autovacuum never analyzes, has statistics for every column");
        assertEquals("true", db.queryStrings("SELECT bool_and(convalidated)::text FROM pg_constraint WHERE conrelid = 'chat_history'::regclass"
                + " AND contype = 'f'").get(0), "the foreign key was validated");
        assertEquals(List.of("PRIMARY KEY (id, created_at)"), db.queryStrings(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'chat_history'::regclass AND contype = 'p'"));
        assertEquals(List.of("chat_history_pkey", "idx_chat_history_created", "idx_chat_history_user_created"), db.queryStrings(
                "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'chat_history'::regclass ORDER BY 1"));
        assertEquals(List.of("chat_history_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id)",
                        "role_known CHECK (((role)::text = ANY ((ARRAY['user'::character varying, 'assistant'::character varying, 'system'::character varying])::text[])))"),
                db.queryStrings("SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'chat_history'::regclass"
                        + " AND contype IN ('f', 'c') ORDER BY 1"));
        assertEquals("every message", db.queryStrings("SELECT obj_description('chat_history'::regclass, 'pg_class')").get(0));
        assertEquals("the text", db.queryStrings("SELECT col_description('chat_history'::regclass, 4)").get(0));
        assertTrue(db.queryStrings("SELECT has_table_privilege('reader_role', 'chat_history', 'SELECT')::text").get(0).equals("true"));
        long maxId = db.queryLong("SELECT max(id) FROM chat_history");
        db.exec("INSERT INTO chat_history (user_id, role, content) VALUES (1, 'user', 'after')");
        assertTrue(db.queryLong("SELECT max(id) FROM chat_history") > maxId, "the serial continues past the old max(id)");
        assertEquals("chat_history", db.queryStrings("SELECT c.relname FROM pg_depend d JOIN pg_class c ON c.oid = d.refobjid"
                + " WHERE d.objid = 'chat_history_id_seq'::regclass AND d.deptype = 'a'").get(0));
        assertTrue(log.text().contains("copied 3,000 of ~3,000 rows"), log.text());
        // what the plan said of the extended key
        String upsert = "INSERT INTO chat_history (id, user_id, role, content, created_at) SELECT id, user_id, role, 'again', created_at"
                + " FROM chat_history WHERE id = 5 ON CONFLICT ";
        IllegalStateException byId = assertThrows(IllegalStateException.class, () -> db.exec(upsert + "(id) DO NOTHING"));
        assertTrue(byId.getMessage().contains("there is no unique or exclusion constraint matching the ON CONFLICT specification"), byId.getMessage());
        db.exec(upsert + "(id, created_at) DO NOTHING");
        assertEquals(1, db.queryLong("SELECT count(*) FROM chat_history WHERE id = 5"));

        PartitionPlan again = engine(db, ConvertOptions.DEFAULTS, log).apply(Goal.CONVERT);
        assertTrue(again.isEmpty(), "a converted table is left alone");

        db.exec("DROP TABLE chat_history_old", "INSERT INTO chat_history (user_id, role, content) VALUES (1, 'user', 'old one dropped')");
        assertEquals(maxId + 2, db.queryLong("SELECT max(id) FROM chat_history"), "the sequence belongs to the new table");
    }
}
