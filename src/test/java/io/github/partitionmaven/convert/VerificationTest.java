package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.report.PlanReport;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.ForwardingLog;
import io.github.partitionmaven.testing.TestDb;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The verification's checksum covers every column of every type: each type hashed by its own hash function, types without
 * one by their text, arrays of them by the whole row's text; a changed value in any column, or values swapped between
 * rows, stops the conversion.
 */
@DatabaseTest
class VerificationTest {

    private static final String TABLE = """
            CREATE TABLE mixed (id bigint PRIMARY KEY, at timestamptz NOT NULL, name varchar(40), note text, doc json, body jsonb,
                                mood mood, qty positive, price numeric(10, 2), span interval, raw bytea, ref uuid, tags text[],
                                place point, pair pair, flag boolean)""";

    private static TestDb mixed() {
        TestDb db = TestDb.fresh(VerificationTest.class);
        db.exec("CREATE TYPE mood AS ENUM ('calm', 'busy')", "CREATE DOMAIN positive AS integer CHECK (VALUE > 0)",
                "CREATE TYPE pair AS (a integer, b text)", TABLE,
                "INSERT INTO mixed SELECT g, timestamptz '2026-06-01 00:00+00' + g * interval '3 hours', 'n' || g, CASE WHEN g % 5 > 0 THEN 't' || g END,"
                        + " json_build_object('g', g), jsonb_build_object('g', g), (ARRAY['calm', 'busy'])[1 + g % 2]::mood, 1 + g % 9, g / 7.0,"
                        + " g * interval '1 minute', decode(md5(g::text), 'hex'), md5(g::text)::uuid, ARRAY['a' || g, 'b'], point(g, -g),"
                        + " ROW(g, 'p' || g)::pair, g % 3 = 0 FROM generate_series(1, 1500) g");
        return db;
    }

    private static PartitionEngine engine(TestDb db, EngineLog log) {
        return ConvertTest.engineFor(db, ConvertOptions.DEFAULTS.withBatchSize(400), log, Engines.spec("mixed", "at", "month", 1));
    }

    @Test
    void everyColumnIsHashedByItsTypeAndEqualTablesVerify() {
        TestDb db = mixed();
        List<String> lines = new ArrayList<>();
        new PlanReport(engine(db, new Engines.RecordingLog()).plan(EnumSet.of(Goal.CONVERT)), "test").print(lines::add, lines::add);
        String plan = String.join("\n", lines);
        assertTrue(plan.matches("(?s).*sum\\(pg_catalog\\.hashint8extended\\(r\\.\"id\", 1\\) # pg_catalog\\.timestamp(tz)?_hash_extended"
                + "\\(r\\.\"at\", 2\\) # coalesce\\(pg_catalog\\.hashtextextended\\(r\\.\"name\"::text, 3\\), 3\\).*"), "NOT NULL columns need no"
                + " coalesce: " + plan);
        assertTrue(plan.contains("coalesce(pg_catalog.hashtextextended(r.\"doc\"::text, 5), 5)"), "json has no hash function: " + plan);
        assertTrue(plan.contains("pg_catalog.hashenumextended(r.\"mood\", 7)") && plan.contains("pg_catalog.hashint4extended(r.\"qty\"::integer, 8)")
                && plan.contains("pg_catalog.hash_record_extended(r.\"pair\", 15)"), plan);

        Engines.RecordingLog log = new Engines.RecordingLog();
        engine(db, log).apply(Goal.CONVERT);
        // equal tables are compared as a whole: the sums per month run only to name where they differ
        assertTrue(log.text().contains("verified 1500 row(s) in \"public\".\"mixed\" and \"public\".\"mixed_new\" as a whole: counts and"
                + " checksums match"), log.text());
        assertTrue(plan.contains("NULL::date AS bucket") && plan.contains("-- the totals") && plan.contains("only when the totals differ"), plan);
        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'mixed'").get(0));
    }

    @Test
    void aChangeInAnyColumnOrBetweenRowsIsFound() {
        TestDb db = mixed();
        assertThrows(ResumeTest.Killed.class, () -> engine(db, new ResumeTest.KillingLog("] \"public\".\"mixed\": verify", 1)).apply(Goal.CONVERT));
        db.exec("CREATE TABLE kept AS SELECT * FROM mixed_new WHERE id BETWEEN 300 AND 302");
        List<String> tamperings = List.of(
                "UPDATE mixed_new SET body = '{\"g\": 0}' WHERE id = 300",
                "UPDATE mixed_new SET doc = '{\"g\":  300}' WHERE id = 300",
                "UPDATE mixed_new SET note = NULL WHERE id = 301",
                "UPDATE mixed_new SET mood = 'busy' WHERE id = 300",
                "UPDATE mixed_new SET price = price + 0.01 WHERE id = 300",
                "UPDATE mixed_new SET pair = ROW(300, 'q')::pair WHERE id = 300",
                "UPDATE mixed_new SET name = CASE id WHEN 300 THEN 'n302' ELSE 'n300' END WHERE id IN (300, 302)");
        for (String tampering : tamperings) {
            db.exec(tampering);
            Throwable e = assertThrows(Throwable.class, () -> engine(db, new Engines.RecordingLog()).apply(Goal.CONVERT), tampering);
            db.exec("DELETE FROM mixed_new WHERE id BETWEEN 300 AND 302", "INSERT INTO mixed_new SELECT * FROM kept");
            assertTrue(e.getMessage().startsWith("Verification failed, so nothing was swapped: the month starting 2026-07-01:")
                    && e.getMessage().contains("(same count, different content)"), tampering + ": " + e.getMessage());
        }
        Engines.RecordingLog log = new Engines.RecordingLog();
        engine(db, log).apply(Goal.CONVERT);
        assertTrue(log.text().contains("verified 1500 row(s) in "), log.text());
    }

    @Test
    void anArrayOfATypeWithoutHashFunctionFallsBackToTheRowText() {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE TABLE shapes (id integer PRIMARY KEY, at timestamp NOT NULL, corners point[])",
                "INSERT INTO shapes SELECT g, timestamp '2026-06-01' + g * interval '5 hours', ARRAY[point(g, 0), point(0, g)]"
                        + " FROM generate_series(1, 600) g");
        assertThrows(ResumeTest.Killed.class, () -> ConvertTest.engineFor(db, ConvertOptions.DEFAULTS,
                new ResumeTest.KillingLog("] \"public\".\"shapes\": verify", 1), Engines.spec("shapes", "at", "month", 1)).apply(Goal.CONVERT));
        db.exec("UPDATE shapes_new SET corners = ARRAY[point(1, 1)] WHERE id = 10");
        Throwable e = assertThrows(Throwable.class, () -> ConvertTest.engineFor(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog(),
                Engines.spec("shapes", "at", "month", 1)).apply(Goal.CONVERT));
        db.exec("UPDATE shapes_new SET corners = ARRAY[point(10, 0), point(0, 10)] WHERE id = 10");
        assertTrue(e.getMessage().contains("(same count, different content)"), e.getMessage());
        Engines.RecordingLog log = new Engines.RecordingLog();
        ConvertTest.engineFor(db, ConvertOptions.DEFAULTS, log, Engines.spec("shapes", "at", "month", 1)).apply(Goal.CONVERT);
        assertTrue(log.text().contains("verified 600 row(s) in "), log.text());
    }

    @Test
    void rowsCapturedButNotYetReplayedAreLeftOutAndEveryOtherRowStillCounts() {
        TestDb db = mixed();
        // just before the verification's snapshot: an update and a delete the trigger captures (left for the swap to replay),
        // and a row of the new table changed behind the conversion's back, which nothing captured
        List<String> writes = new ArrayList<>(List.of("UPDATE mixed SET note = 'changed' WHERE id = 500", "DELETE FROM mixed WHERE id = 501",
                "UPDATE mixed_new SET note = 'tampered' WHERE id = 502"));
        Throwable e = assertThrows(Throwable.class, () -> engine(db, beforeVerifying(db, writes, new Engines.RecordingLog())).apply(Goal.CONVERT));
        assertTrue(e.getMessage().startsWith("Verification failed, so nothing was swapped: the month starting 2026-08-01: ")
                && e.getMessage().contains("(same count, different content)"), e.getMessage());

        db.exec("UPDATE mixed_new SET note = 't502' WHERE id = 502");
        writes.set(2, "UPDATE mixed SET name = 'again' WHERE id = 500");
        Engines.RecordingLog log = new Engines.RecordingLog();
        engine(db, beforeVerifying(db, writes, log)).apply(Goal.CONVERT);
        assertTrue(log.text().contains("verified 1498 row(s) in "), log.text());
        assertEquals(List.of("again changed"), db.queryStrings("SELECT name || ' ' || note FROM mixed WHERE id = 500"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM mixed WHERE id = 501"));
        assertEquals(1499, db.queryLong("SELECT count(*) FROM mixed"));
    }

    /** A log that runs {@code writes}, each committed, when the verification step is announced, before its snapshot. */
    private static EngineLog beforeVerifying(TestDb db, List<String> writes, EngineLog log) {
        return new ForwardingLog(log) {
            @Override
            public void info(String message) {
                if (message.contains("] \"public\".\"mixed\": verify")) {
                    db.exec(writes.toArray(String[]::new));
                }
                super.info(message);
            }
        };
    }
}
