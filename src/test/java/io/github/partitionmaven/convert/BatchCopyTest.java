package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The key ranges a copy hands out, fresh and after a killed run left some batches done out of order. */
@DatabaseTest
class BatchCopyTest {

    static final TableName SOURCE = new TableName("public", "src");
    static final TableName PROGRESS = new TableName("public", "src_conversion");
    static final Transfer TRANSFER = new Transfer(SOURCE, new TableName("public", "dst"), "id", "bigint", List.of("id", "v"),
            new TableName("public", "src_changes"), new TableName("public", "src_capture"));

    private static TestDb withRows() {
        TestDb db = TestDb.fresh(BatchCopyTest.class);
        db.exec("CREATE TABLE src (id bigint PRIMARY KEY, v text)", "INSERT INTO src SELECT g, 'v' || g FROM generate_series(1, 95) g",
                "CREATE TABLE dst (id bigint, v text)");
        db.exec(new ConvertNames(SOURCE, ConvertOptions.DEFAULTS).createProgress("copy", false).toArray(String[]::new));
        return db;
    }

    private static List<String> claims(TestDb db) throws Exception {
        return claims(db, 1);
    }

    private static List<String> claims(TestDb db, int sessions) throws Exception {
        try (Connection c = db.connect()) {
            BatchCopy.Ranges ranges = BatchCopy.Ranges.resume(c, TRANSFER, PROGRESS, 20, db.queryLong("SELECT count(*) FROM src"), sessions);
            List<String> out = new ArrayList<>();
            Optional<BatchCopy.Range> r;
            while ((r = ranges.claim(c, TRANSFER, 20)).isPresent()) {
                out.add(r.get().toString());
            }
            return out;
        }
    }

    @Test
    void aFreshCopyWalksTheKeyInBatchesUpToAnOpenEnd() throws Exception {
        assertEquals(List.of("(start, 20]", "(20, 40]", "(40, 60]", "(60, 80]", "(80, end]"), claims(withRows()));
    }

    @Test
    void severalSessionsAreHandedRangesFromAsManyRegionsOfTheKeyInTurn() throws Exception {
        TestDb db = withRows();
        assertEquals(List.of("(start, 20]", "(60, 80]", "(20, 40]", "(80, end]", "(40, 60]"), claims(db, 2));
        db.exec("UPDATE src_conversion SET copied_from = ARRAY[NULL, '60'], copied_to = ARRAY['20', '80'], copied_rows = 40");
        assertEquals(List.of("(20, 40]", "(40, 60]", "(80, end]"), claims(db, 2), "killed after the first two: the gap in batches, then the rest");
    }

    @Test
    void aSparseIntegerKeyIsCutWiderAndATooSparseOneByItsIndex() throws Exception {
        TestDb db = withRows();
        db.exec("TRUNCATE src", "INSERT INTO src SELECT g * 2, 'v' || g FROM generate_series(1, 95) g");
        assertEquals(List.of("(start, 41]", "(41, 81]", "(81, 121]", "(121, 161]", "(161, end]"), claims(db), "every other id used");
        db.exec("TRUNCATE src", "INSERT INTO src SELECT g * 1000, 'v' || g FROM generate_series(1, 95) g");
        assertEquals(List.of("(start, 20000]", "(20000, 40000]", "(40000, 60000]", "(60000, 80000]", "(80000, end]"), claims(db),
                "one id in a thousand: 20 keys a batch, found in the index");
    }

    @Test
    void aResumedCopyFirstFillsTheGapsThenContinuesAfterTheLastRecordedRange() throws Exception {
        TestDb db = withRows();
        // a killed run with two sessions: (start, 20] and (40, 60] were committed, (20, 40] was not
        db.exec("UPDATE src_conversion SET copied_from = ARRAY[NULL, '40'], copied_to = ARRAY['20', '60'], copied_rows = 40");
        assertEquals(List.of("(20, 40]", "(60, 80]", "(80, end]"), claims(db));
        db.exec("UPDATE src_conversion SET copied_from = ARRAY['60', '40'], copied_to = ARRAY[NULL, '60'], copied_rows = 55");
        assertEquals(List.of("(start, 20]", "(20, 40]"), claims(db), "unordered records, the first batches missing, the end done");
    }

    @Test
    void copyingWithSeveralSessionsCopiesEveryRowOnce() throws Exception {
        TestDb db = withRows();
        Engines.RecordingLog log = new Engines.RecordingLog();
        try (Connection c = db.connect()) {
            new BatchCopy(TRANSFER, PROGRESS, 7, 3, 95, true, java.time.Duration.ZERO, Optional.empty()).run(c, db::connect, log);
        }
        assertEquals(95, db.queryLong("SELECT count(DISTINCT id) FROM dst"));
        assertEquals(95, db.queryLong("SELECT count(*) FROM dst"));
        assertEquals(14, db.queryLong("SELECT cardinality(copied_to) FROM src_conversion"));
        assertEquals(1, db.queryLong("SELECT count(*) FROM src_conversion WHERE copy_done AND copied_rows = 95"));
    }

    @Test
    void aCopyPauseMakesEachSessionWaitAfterEachOfItsBatches() throws Exception {
        TestDb db = withRows();
        long start = System.nanoTime();
        try (Connection c = db.connect()) {
            // 14 batches of 7 rows over 2 sessions: at least 7 pauses of 100 ms one after the other in one of them
            new BatchCopy(TRANSFER, PROGRESS, 7, 2, 95, false, java.time.Duration.ofMillis(100), Optional.empty()).run(c, db::connect, new Engines.RecordingLog());
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 700, "took " + millis + " ms");
        assertEquals(95, db.queryLong("SELECT count(*) FROM dst"));
        assertEquals(1, db.queryLong("SELECT count(*) FROM src_conversion WHERE copy_done AND copied_rows = 95"));
    }

    @Test
    void theCopySetsTheHintBitsOfTheRowsItCopied() throws Exception {
        TestDb db = withRows();
        db.exec("TRUNCATE src", "INSERT INTO src SELECT g, repeat('v', 80) || g FROM generate_series(1, 20000) g",
                "CREATE TABLE pdst (id bigint, v text) PARTITION BY RANGE (id)",
                "CREATE TABLE pdst_low PARTITION OF pdst FOR VALUES FROM (MINVALUE) TO (12000)",
                "CREATE TABLE pdst_high PARTITION OF pdst FOR VALUES FROM (12000) TO (MAXVALUE)", "CREATE EXTENSION IF NOT EXISTS pageinspect");
        Transfer partitioned = new Transfer(SOURCE, new TableName("public", "pdst"), "id", "bigint", List.of("id", "v"),
                TRANSFER.changeLog(), TRANSFER.captureFunction());
        try (Connection c = db.connect()) {
            new BatchCopy(partitioned, PROGRESS, 700, 2, 20000, true, java.time.Duration.ZERO, Optional.empty()).run(c, db::connect, new Engines.RecordingLog());
        }
        String tuples = "FROM pg_class c, generate_series(0, pg_relation_size(c.oid) / 8192 - 1) blk,"
                + " heap_page_items(get_raw_page(c.relname, blk::int)) h WHERE c.relname IN ('pdst_low', 'pdst_high') AND h.lp_flags = 1";
        assertEquals(20000, db.queryLong("SELECT count(*) " + tuples));
        long unhinted = db.queryLong("SELECT count(*) " + tuples + " AND (h.t_infomask & 256) = 0");
        // a few rows land in pages a sibling session added before this batch began (and its pass read too early): left to the index build
        assertTrue(unhinted < 4000, unhinted + " of 20000 rows copied without the hint bit that says their transaction committed");
    }
}
