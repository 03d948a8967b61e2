package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Strategy attach on Temporal's executions_visibility (the zoo's verbatim schema: 44 btree indexes, most of them on
 * expressions and generated columns): the swap reuses every index the table already has, so nothing is built or
 * validated under ACCESS EXCLUSIVE, and the window does not grow with the number of indexes.
 */
@DatabaseTest
class AttachManyIndexesTest {

    static final String TABLE = "temporal.executions_visibility";
    private static final int ROWS = Integer.getInteger("partition.test.attach.rows", 20_000);

    static TestDb temporal(int rows) throws IOException {
        TestDb db = TestDb.fresh(AttachManyIndexesTest.class);
        try (InputStream in = AttachManyIndexesTest.class.getResourceAsStream("/zoo/temporal.sql")) {
            db.exec(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        db.exec("INSERT INTO " + TABLE + " (namespace_id, run_id, start_time, execution_time, workflow_id, workflow_type_name, status,"
                + " close_time, history_length, history_size_bytes, encoding, task_queue, search_attributes)"
                + " SELECT 'ns' || g % 7, md5(g::text), t, t, 'wf-' || g, 'type-' || g % 13, g % 7, CASE WHEN g % 5 > 0 THEN t + interval '1 hour' END,"
                + " g % 1000, g % 100000, 'json', 'queue-' || g % 3, jsonb_build_object('Keyword01', 'k' || g % 17, 'Int01', g, 'Bool01', g % 2 = 0,"
                + " 'Datetime01', to_char(t, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'Double01', g / 3.0, 'BatcherUser', 'u' || g % 11)"
                + " FROM generate_series(1, " + rows + ") g, LATERAL (SELECT timestamp '2025-12-03' + (g::float8 / " + rows
                + ") * interval '350 days' AS t) x", "ANALYZE " + TABLE);
        return db;
    }

    @Test
    void attachReusesEveryExistingIndexSoTheSwapBuildsNothing() throws IOException {
        TestDb db = temporal(ROWS);
        long indexes = db.queryLong("SELECT count(*) FROM pg_index WHERE indrelid = '" + TABLE + "'::regclass");
        List<String> files = db.queryStrings("SELECT relname || ' ' || relfilenode FROM pg_class WHERE oid IN (SELECT indexrelid FROM pg_index"
                + " WHERE indrelid = '" + TABLE + "'::regclass) AND relname <> 'executions_visibility_pkey' ORDER BY relname");
        String before = db.queryStrings("SELECT count(*) || ' ' || sum(hashtextextended(r::text, 0)) FROM " + TABLE + " r").get(0);
        Engines.RecordingLog log = new Engines.RecordingLog();
        ConvertOptions attach = ConvertOptions.DEFAULTS.withStrategy(ConvertOptions.Strategy.ATTACH);
        try {
            ConvertTest.engineFor(db, attach, log, Engines.spec(TABLE, "start_time", "month", null)).apply(Goal.CONVERT);
        } finally {
            System.out.println(log.text());
        }
        Matcher m = Pattern.compile("ACCESS EXCLUSIVE held (\\d+) ms").matcher(log.text());
        assertTrue(m.find(), log.text());
        System.out.println("attach of " + TABLE + " (" + indexes + " indexes, " + ROWS + " rows): ACCESS EXCLUSIVE held " + m.group(1) + " ms");
        assertEquals(before, db.queryStrings("SELECT count(*) || ' ' || sum(hashtextextended(r::text, 0)) FROM " + TABLE + " r").get(0));
        assertEquals(files, db.queryStrings("SELECT c.relname || ' ' || c.relfilenode FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid"
                + " WHERE i.indrelid = 'temporal.executions_visibility_old'::regclass AND c.relname <> 'executions_visibility_pkey_old'"
                + " ORDER BY 1").stream().map(s -> s.replaceFirst("_old ", " ")).toList(), "every index of the old table is the one it had, not rebuilt");
        assertEquals(indexes, db.queryLong("SELECT count(*) FROM pg_index i JOIN pg_inherits h ON h.inhrelid = i.indexrelid"
                + " WHERE i.indrelid = 'temporal.executions_visibility_old'::regclass"), "each became its parent index's partition");
        assertEquals(List.of(), db.queryStrings("SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid"), "every index valid");
    }
}
