package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The conversion gathers, before the swap, each partition's statistics (after its index builds) and those of the partitioned
 * table as a whole (autovacuum never does), each once, on every version: ANALYZE ONLY on 18; before, ANALYZE (SKIP_LOCKED)
 * while another session holds the partitions, as ANALYZE of a partitioned table on 14-17 analyzes every partition again.
 */
@DatabaseTest
class ParentStatisticsTest {

    private static final ConvertOptions COPY = ConvertOptions.DEFAULTS.withBatchSize(400);

    @Test
    void everyPartitionAndTheParentGetTheirStatisticsBeforeTheSwapAndNoPartitionIsAnalyzedTwice() {
        TestDb db = ConvertTest.seeded(3000);
        List<Step> steps = ConvertTest.engine(db, COPY, new Engines.RecordingLog()).plan(Set.of(Goal.CONVERT)).steps();
        Step build = steps.stream().filter(s -> s.action().startsWith("build the ")).findFirst().orElseThrow();
        assertTrue(build.statements().contains("-- after the commit, in a transaction of its own: SET LOCAL default_statistics_target = 10;"
                + " ANALYZE \"public\".\"chat_history_2026_11\" (\"id\", \"user_id\", \"role\", \"content\", \"created_at\")"), build.statements().toString());
        Step verify = steps.stream().filter(s -> s.action().startsWith("verify ")).findFirst().orElseThrow();
        String analyze = Integer.parseInt(TestServer.majorVersion()) >= 18 ? "-- meanwhile, on a second session: ANALYZE ONLY \"public\".\"chat_history_new\""
                : "-- meanwhile, on a second session: ANALYZE (SKIP_LOCKED) \"public\".\"chat_history_new\" -- while a third session holds its"
                + " partitions: BEGIN; DO $hold$";
        assertTrue(verify.statements().stream().anyMatch(q -> q.startsWith(analyze)), verify.statements().toString());

        // stopped just before the partitions go back to autovacuum, which could analyze them from then on
        assertThrows(ResumeTest.Killed.class, () -> ConvertTest.engine(db, COPY,
                new ResumeTest.KillingLog("] \"public\".\"chat_history\": give the partitions", 1)).apply(Goal.CONVERT));
        assertEquals(List.of("chat_history_new true"), db.queryStrings("SELECT DISTINCT starelid::regclass || ' ' || stainherit FROM pg_statistic"
                + " WHERE starelid = 'chat_history_new'::regclass"), "the parent's statistics, over all its rows");
        assertEquals(db.queryLong("SELECT count(DISTINCT tableoid) FROM chat_history_new"), db.queryLong("SELECT count(DISTINCT starelid)"
                + " FROM pg_statistic WHERE NOT stainherit AND starelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'chat_history_new'::regclass)"),
                "every partition holding rows has its own statistics");
        if (Integer.parseInt(TestServer.majorVersion()) >= 15) { // 14's statistics collector may not have counted the copy's rows yet
            assertEquals(List.of(), db.queryStrings("SELECT relname FROM pg_stat_user_tables WHERE n_mod_since_analyze = 0 AND n_live_tup > 0 AND relid IN"
                    + " (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'chat_history_new'::regclass)"),
                    "the quick sample leaves the count of changed rows, so autovacuum analyzes each partition in full after the handback");
        }
        // counted by the statistics collector on 14, which may lag; at once from 15 on
        assertEquals(List.of(), db.queryStrings("SELECT relname || ' ' || analyze_count FROM pg_stat_user_tables WHERE analyze_count > 1 AND relid IN"
                + " (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'chat_history_new'::regclass)"), "no partition analyzed twice");
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_locks WHERE relation IN (SELECT inhrelid FROM pg_inherits"
                + " WHERE inhparent = 'chat_history_new'::regclass) AND mode = 'ShareUpdateExclusiveLock'"), "no partition still held");

        ConvertTest.engine(db, COPY, new Engines.RecordingLog()).apply(Goal.CONVERT);
        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE oid = 'chat_history'::regclass").get(0));
    }

    @Test
    void aRunKilledBeforeTheLastPartitionsSampleTakesItWhenResumedThoughEveryIndexIsBuilt() throws Exception {
        TestDb db = ConvertTest.seeded(3000);
        ConvertOptions oneSession = COPY.withCopySessions(1); // partitions one after another: the last ANALYZE is the last partition's
        long samples = ConvertTest.engine(db, oneSession, new Engines.RecordingLog()).plan(Set.of(Goal.CONVERT)).steps().stream()
                .filter(s -> s.action().startsWith("build the ")).findFirst().orElseThrow()
                .statements().stream().filter(q -> q.contains("; ANALYZE ")).count();
        ResumeTest.KillingLog kill = new ResumeTest.KillingLog("ANALYZE \"public\".\"chat_history_", (int) samples);
        ResumeTest.assertKilled(() -> ConvertTest.engine(db, oneSession, kill).apply(Goal.CONVERT), kill);
        assertEquals(List.of("true"), db.queryStrings("SELECT DISTINCT indisvalid::text FROM pg_index WHERE indrelid = 'chat_history_new'::regclass"),
                "the kill came after the last partition's index builds");
        List<String> left = unanalyzed(db, 1);

        List<Step> steps = ConvertTest.engine(db, oneSession, new Engines.RecordingLog()).plan(Set.of(Goal.CONVERT)).steps();
        assertTrue(steps.stream().noneMatch(s -> s.action().startsWith("build the ")), "no index is left to build");
        Step sample = steps.stream().filter(s -> s.action().startsWith("analyze the ")).findFirst().orElseThrow(() -> new AssertionError(steps));
        for (String partition : left) {
            assertTrue(sample.statements().stream().anyMatch(q -> q.contains("ANALYZE \"public\".\"" + partition + "\" (")), sample.statements().toString());
        }

        ConvertTest.engine(db, oneSession, new Engines.RecordingLog()).apply(Goal.CONVERT);
        assertEquals(List.of(), unanalyzed(db, 0), "every partition was analyzed before the handback");
    }

    /**
     * The partitions of the conversion's table (the new one, or after the swap the converted one) never analyzed, once they
     * are {@code expected} many: PostgreSQL 14's statistics collector reports an ANALYZE up to half a second late.
     */
    private static List<String> unanalyzed(TestDb db, int expected) throws InterruptedException {
        String table = db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'chat_history_new'") > 0 ? "chat_history_new" : "chat_history";
        List<String> left = List.of();
        for (int i = 0; i < 20; i++) {
            left = db.queryStrings("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '" + table
                    + "'::regclass AND pg_stat_get_last_analyze_time(c.oid) IS NULL");
            if (left.size() == expected) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(expected, left.size(), left.toString());
        return left;
    }
}
