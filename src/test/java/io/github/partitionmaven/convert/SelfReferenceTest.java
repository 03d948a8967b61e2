package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.report.PlanReport;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.MirroredWriter;
import io.github.partitionmaven.testing.TestDb;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A foreign key of a table referencing the table itself: recreated on the new table against its own extended key when it
 * references (id, created_at), refused before any change otherwise (with a fix that, once run, lets the conversion through),
 * and restored by rollback. A writer replies to rows written during the conversion, re-parents old rows onto new ones and
 * deletes with ON DELETE CASCADE all along.
 */
@DatabaseTest
class SelfReferenceTest {

    private static final String RECENT = "(timestamp '2026-10-01' + random() * interval '50 days')";
    private static final String FK = "FOREIGN KEY (parent_id, parent_created_at) REFERENCES thread(id, created_at) ON DELETE CASCADE";

    /** 3000 posts over twelve months; three in four reply to one of the first 100 (threads one level deep). */
    private static TestDb threads(String parentKey) {
        TestDb db = TestDb.fresh(SelfReferenceTest.class);
        db.exec("CREATE TABLE thread (id serial PRIMARY KEY, created_at timestamp NOT NULL DEFAULT now(), parent_id integer,"
                        + " parent_created_at timestamp, body text NOT NULL, CONSTRAINT thread_id_created_at_key UNIQUE (id, created_at))",
                "INSERT INTO thread (created_at, body) SELECT timestamp '2025-12-01' + (i::float8 / 3000) * interval '354 days', 'post ' || i"
                        + " FROM generate_series(0, 2999) i",
                "UPDATE thread c SET parent_id = p.id, parent_created_at = p.created_at FROM thread p WHERE p.id = 1 + c.id % 100"
                        + " AND c.id > 100 AND c.id % 4 <> 0",
                "CREATE INDEX thread_parent ON thread (parent_id, parent_created_at)",
                "ALTER TABLE thread ADD CONSTRAINT thread_parent_fkey " + parentKey, "ANALYZE thread");
        return db;
    }

    private static PartitionEngine engine(TestDb db, ConvertOptions options, EngineLog log) {
        return Engines.engine(db, ConvertTest.NOW, "UTC", log, List.of(new ConvertPlanner(options), new RollbackPlanner(options)),
                Engines.month("thread"));
    }

    private static MirroredWriter writer(TestDb db) {
        db.exec("DROP TABLE IF EXISTS thread_ref", "CREATE TABLE thread_ref (LIKE thread)", "ALTER TABLE thread_ref ADD PRIMARY KEY (id),"
                + " ADD UNIQUE (id, created_at), ADD FOREIGN KEY (parent_id, parent_created_at) REFERENCES thread_ref (id, created_at) ON DELETE CASCADE",
                "INSERT INTO thread_ref SELECT * FROM thread");
        return new MirroredWriter(db, "thread", "id", "thread_ref", 40,
                List.of("INSERT INTO thread (created_at, body) VALUES (" + RECENT + ", 'new post')",
                        // a reply to one of the newest posts, most of them written during the conversion
                        "INSERT INTO thread (created_at, parent_id, parent_created_at, body) SELECT " + RECENT + ", p.id, p.created_at, 'reply'"
                                + " FROM (SELECT id, created_at FROM thread ORDER BY id DESC LIMIT 10) p ORDER BY random() LIMIT 1"),
                List.of("UPDATE thread SET body = md5(random()::text) WHERE id = (SELECT id FROM thread ORDER BY random() LIMIT 1)",
                        // an old post (copied in an early batch) now refers to the newest one (in the change log only)
                        "UPDATE thread SET (parent_id, parent_created_at) = (SELECT id, created_at FROM thread ORDER BY id DESC LIMIT 1)"
                                + " WHERE id = (SELECT id FROM thread WHERE id < 1000 ORDER BY random() LIMIT 1)"),
                List.of("DELETE FROM thread WHERE id = (SELECT id FROM thread ORDER BY random() LIMIT 1)"));
    }

    /** Runs {@code goal} while {@link #writer} writes; returns the writer, stopped after more than {@code minOps} changes and no error. */
    private static MirroredWriter underWriter(TestDb db, ConvertOptions options, Goal goal, long minOps) throws InterruptedException {
        MirroredWriter writer = writer(db).after(5);
        try {
            engine(db, options, EngineLog.STDOUT).apply(goal);
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        }
        writer.finishAfter(minOps);
        return writer;
    }

    private static String printed(TestDb db, ConvertOptions options) {
        List<String> lines = new ArrayList<>();
        new PlanReport(engine(db, options, EngineLog.STDOUT).plan(Set.of(Goal.CONVERT)), "test").print(lines::add, lines::add);
        return String.join("\n", lines);
    }

    private static List<String> selfReferences(TestDb db) {
        return db.queryStrings("SELECT conrelid::regclass || ' ' || confrelid::regclass || ' ' || convalidated || ' ' || pg_get_constraintdef(oid)"
                + " FROM pg_constraint WHERE contype = 'f' AND conparentid = 0 AND conname = 'thread_parent_fkey' ORDER BY 1");
    }

    @Test
    void aSelfReferenceToTheExtendedKeyIsRecreatedOnTheNewTableAndRollbackRestoresTheOriginal() throws Exception {
        TestDb db = threads(FK);
        ConvertOptions options = ConvertOptions.DEFAULTS.withBatchSize(300);
        String plan = printed(db, options);
        assertTrue(plan.contains("add foreign key \"thread_parent_fkey\" to \"public\".\"thread_new\" referencing \"public\".\"thread_new\""
                + " itself (id, created_at)"), plan);
        assertTrue(plan.contains("REFERENCES \"public\".\"thread_new\"(id, created_at) ON DELETE CASCADE"), plan);
        underWriter(db, options, Goal.CONVERT, 20).assertTableEqualsMirror();
        assertEquals(List.of("thread thread true " + FK, "thread_old thread_old true " + FK.replace("thread(", "thread_old(")),
                selfReferences(db), "the new table references itself; the old one still references itself only");
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_constraint WHERE confrelid = 'thread_old'::regclass AND conrelid <> confrelid"),
                "nothing else references the old table");

        db.exec("INSERT INTO thread (created_at, body) VALUES ('2026-11-23 12:00', 'after the conversion')",
                "INSERT INTO thread (created_at, parent_id, parent_created_at, body) SELECT '2026-11-23 13:00', id, created_at, 'reply to it'"
                        + " FROM thread WHERE body = 'after the conversion'");
        assertEquals(1, db.queryLong("SELECT count(*) FROM thread c JOIN thread p ON (p.id, p.created_at) = (c.parent_id, c.parent_created_at)"
                + " WHERE p.body = 'after the conversion'"));
        IllegalStateException orphan = assertThrows(IllegalStateException.class, () -> db.exec("INSERT INTO thread (created_at, parent_id,"
                + " parent_created_at, body) VALUES ('2026-11-23 14:00', 999999, '2026-11-23', 'reply to nothing')"));
        assertTrue(orphan.getMessage().contains("violates foreign key constraint \"thread_parent_fkey\""), orphan.getMessage());
        db.exec("INSERT INTO thread_ref SELECT * FROM thread WHERE created_at >= '2026-11-23 12:00'");

        MirroredWriter during = underWriter(db, options, Goal.ROLLBACK, 5);
        assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE oid = 'thread'::regclass").get(0));
        during.assertTableEqualsMirror();
        assertEquals(List.of("thread thread true " + FK), selfReferences(db), "the restored table has its own self-reference back");
    }

    @Test
    void aSelfReferenceByIdAloneIsRefusedBeforeAnyChangeAndTheFixItNamesLetsTheConversionThrough() throws Exception {
        TestDb db = threads("FOREIGN KEY (parent_id) REFERENCES thread (id) ON DELETE CASCADE");
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class, () -> engine(db, ConvertOptions.DEFAULTS, EngineLog.STDOUT)
                .apply(Goal.CONVERT));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().startsWith("Foreign key \"thread_parent_fkey\" of \"public\".\"thread\" references \"public\".\"thread\""
                + " itself (FOREIGN KEY (parent_id) REFERENCES public.thread(id) ON DELETE CASCADE), by (id), which does not include"
                + " \"created_at\"."), e.getMessage());
        assertTrue(e.getMessage().contains("it would reference \"public\".\"thread_old\""), e.getMessage());
        assertTrue(e.getMessage().endsWith("Nothing was changed."), e.getMessage());
        assertEquals(before, db.snapshot());

        String fix = e.getMessage().substring(e.getMessage().indexOf("(the application must then fill it too): ") + 41,
                e.getMessage().indexOf("; then convert"));
        db.exec("ALTER TABLE thread DROP COLUMN parent_created_at");
        db.exec(fix.split("; "));
        engine(db, ConvertOptions.DEFAULTS, EngineLog.STDOUT).apply(Goal.CONVERT);
        assertEquals(List.of("thread thread true FOREIGN KEY (parent_id, parent_created_at) REFERENCES thread(id, created_at) ON DELETE CASCADE"),
                db.queryStrings("SELECT conrelid::regclass || ' ' || confrelid::regclass || ' ' || convalidated || ' ' || pg_get_constraintdef(oid)"
                        + " FROM pg_constraint WHERE contype = 'f' AND conparentid = 0 AND conrelid = 'thread'::regclass"));
    }

    @Test
    void aSelfReferenceIsRefusedForStrategyAttachNamingStrategyCopy() {
        TestDb db = threads(FK);
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class, () -> engine(db,
                ConvertOptions.DEFAULTS.withStrategy(ConvertOptions.Strategy.ATTACH), EngineLog.STDOUT).apply(Goal.CONVERT));
        assertTrue(e.getMessage().contains("Use <strategy>copy</strategy>"), e.getMessage());
        assertEquals(before, db.snapshot());
    }
}
