package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.premake.PremakePlanner;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Legal names that break SQL built by concatenation: a dollar-quote tag, quotes, a space, non-ASCII letters, PostgreSQL's
 * 63 bytes. Convert (with change capture: a function body holding the names) and rollback must handle each.
 */
@DatabaseTest
class NastyNamesTest {

    private static final String LONG = "l".repeat(55) + "_ünï"; // 55 + 1 + 2 + 2 + 2 = 62 bytes... padded below to 63

    static String sixtyThreeBytes() {
        String s = LONG;
        while (s.getBytes(StandardCharsets.UTF_8).length < 63) {
            s = s + "x";
        }
        return s;
    }

    @Test
    void convertAndRollbackHandleNamesThatBreakQuoting() {
        for (String name : List.of("a$capture$b", "we\"ird 'quote", "with space", "ünïcödé_表", "x$$y", sixtyThreeBytes())) {
            TestDb db = TestDb.fresh(getClass());
            String t = Sql.qualified("public", name);
            String column = "created $at$";
            db.exec("CREATE TABLE " + t + " (id bigserial PRIMARY KEY, " + Sql.ident(column) + " timestamptz NOT NULL, v text)",
                    "INSERT INTO " + t + " (" + Sql.ident(column) + ", v) SELECT timestamptz '2026-09-01 00:00+00' + g * interval '57 minutes',"
                            + " 'v' || g FROM generate_series(1, 1500) g",
                    "ANALYZE " + t);
            String before = db.queryStrings("SELECT count(*) || ':' || sum(hashtextextended(r::text, 0)) FROM " + t + " r").get(0);
            // a 63-byte name leaves no room for the default partition names: name them by the month only
            String pattern = name.getBytes(StandardCharsets.UTF_8).length > 40 ? "p{yyyy_MM}" : null;
            TableSpec spec = new TableSpec(quoted(name), column, "month", null, pattern, null, null, null);
            ConvertOptions options = ConvertOptions.DEFAULTS.withBatchSize(400);
            List<Planner> planners = List.of(new ConvertPlanner(options), new RollbackPlanner(options), new PremakePlanner());
            PartitionEngine engine = Engines.engine(db, "2026-11-24", "UTC", new Engines.RecordingLog(), planners, spec);

            engine.apply(Goal.CONVERT);
            assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE oid = '" + t.replace("'", "''") + "'::regclass").get(0),
                    name + " is partitioned now");
            assertEquals(before, db.queryStrings("SELECT count(*) || ':' || sum(hashtextextended(r::text, 0)) FROM " + t + " r").get(0));
            db.exec("INSERT INTO " + t + " (" + Sql.ident(column) + ", v) VALUES ('2026-11-20', 'after')");

            engine.apply(Goal.ROLLBACK);
            assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE oid = '" + t.replace("'", "''") + "'::regclass").get(0),
                    name + " is a plain table again");
            assertTrue(db.queryLong("SELECT count(*) FROM " + t + " WHERE v = 'after'") == 1, name + ": the row written after the swap came back");
        }
    }

    /** The configuration form: double quotes around a name with a dot or a quote, as TableName reads it. */
    private static String quoted(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
