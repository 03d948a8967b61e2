package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.report.PlanReport;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** partition:plan on a plain table shows the whole conversion: steps, locks, rows per partition, estimates. */
@DatabaseTest
class ConvertPlanTest {

    @Test
    void planShowsEveryConversionStep() {
        TestDb db = ConvertTest.seeded(12_000);
        db.exec("CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
                "CREATE TRIGGER audit BEFORE UPDATE ON chat_history FOR EACH ROW EXECUTE FUNCTION touch()");
        String before = db.snapshot();
        PartitionPlan plan = Engines.engine(db, ConvertTest.NOW, "UTC", Engines.month("chat_history")).plan(Goal.POLICY_GOALS);
        assertEquals(before, db.snapshot(), "planning changes nothing");
        List<String> lines = new ArrayList<>();
        new PlanReport(plan, "test").print(lines::add, lines::add);
        String text = String.join("\n", lines);
        System.out.println(text);
        assertTrue(text.contains("[convert] create \"public\".\"chat_history_new\" partitioned by range on created_at with 15 partition(s)"), text);
        assertTrue(text.matches("(?s).*\"public\".\"chat_history_2026_03\" \\[2026-03-01, 2026-04-01\\) ~\\d{3,4} rows.*"), text);
        assertTrue(text.contains("lock:  SHARE ROW EXCLUSIVE on \"public\".\"chat_history\""), text);
        assertTrue(text.contains("becomes (id, created_at): a partitioned table's unique keys must include the partition column"), text);
        assertTrue(text.contains("rows:  12000, estimated"), text);
        // initdb enables data checksums by default from 18: there a hint bit can cost a full-page image, not on 14
        boolean logged = db.queryStrings("SELECT current_setting('data_checksums') = 'on' OR current_setting('wal_log_hints') = 'on'").get(0)
                .equals("t");
        assertEquals(logged, text.contains("SELECT pg_catalog.count(*) FROM ONLY <partition> WHERE ctid >= "),
                "copy batches read back their pages exactly when hint bits are logged: " + text);
        assertEquals(!logged, text.contains("with data_checksums and wal_log_hints off they never go to the WAL"), text);
        assertTrue(text.contains("swap: \"public\".\"chat_history\" becomes \"public\".\"chat_history_old\""), text);
        assertTrue(text.contains("lock:  ACCESS EXCLUSIVE on \"public\".\"chat_history\" (everything waits, reads included)"), text);
        // the foreign key to users: NOT VALID on the parent from 18; before, NOT VALID on each partition, validated beside the
        // verification and then taken over by the parent's, in a step of its own
        boolean before18 = Integer.parseInt(io.github.partitionmaven.testing.TestServer.majorVersion()) < 18;
        assertEquals(before18, text.contains("add foreign key \"chat_history_user_id_fkey\" to each partition of \"public\".\"chat_history_new\""
                + " (NOT VALID)") && text.contains("ALTER TABLE %s VALIDATE CONSTRAINT %I") && text.contains("add foreign key(s)"
                + " \"chat_history_user_id_fkey\" to \"public\".\"chat_history_new\", taking over those of its partitions"), text);
        assertEquals(!before18, text.contains("VALIDATE CONSTRAINT \"chat_history_user_id_fkey\""), text);
        assertEquals(before18 ? 12 : 11, plan.steps().size());
        assertTrue(text.contains("drop the foreign key(s) \"chat_history_user_id_fkey\" of \"public\".\"chat_history_old\" to \"public\".\"users\""), text);
        assertTrue(text.contains("give the partitions of \"public\".\"chat_history_new\" back to autovacuum"), text);
        assertTrue(text.contains("trigger(s) \"audit\" (recreated on the new table in the swap"), text);
        assertTrue(text.contains("CREATE TRIGGER audit BEFORE UPDATE ON \"public\".\"chat_history\" FOR EACH ROW EXECUTE FUNCTION public.touch()"), text);
    }

    @Test
    void aCopyPauseIsInThePlanAndItsEstimate() {
        TestDb db = ConvertTest.seeded(12_000);
        ConvertOptions paused = ConvertOptions.DEFAULTS.withBatchSize(1000).withCopyPause(java.time.Duration.ofSeconds(2));
        List<String> lines = new ArrayList<>();
        new PlanReport(ConvertTest.engine(db, paused, new Engines.RecordingLog()).plan(Set.of(Goal.CONVERT)), "test").print(lines::add, lines::add);
        String text = String.join("\n", lines);
        assertTrue(text.contains("each session waits 2.0 s after each batch (<copyPause>), leaving the disk to the application's commits"), text);
        // 12 batches over 2 sessions: 6 pauses of 2 s in each
        assertTrue(text.matches("(?s).*copy the rows of .*?estimated (1[2-9]|[2-9]\\d)\\.\\d s.*"), text);
    }
}
