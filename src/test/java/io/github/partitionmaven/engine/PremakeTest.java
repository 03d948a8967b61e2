package io.github.partitionmaven.engine;

import static io.github.partitionmaven.testing.Engines.engine;
import static io.github.partitionmaven.testing.Engines.month;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.time.YearMonth;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

@DatabaseTest
class PremakeTest {

    @Test
    void createsCurrentAndPremakeMonthsThenDoesNothing() {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2026, 9), YearMonth.of(2026, 10)).toArray(String[]::new));

        PartitionPlan plan = engine(db, "2026-11-24", "UTC", month("chat_history"), month("cost_tracking")).plan(Set.of(Goal.PREMAKE));
        assertEquals(8, plan.steps().size(), "Nov, Dec, Jan, Feb for each table");

        engine(db, "2026-11-24", "UTC", month("chat_history"), month("cost_tracking")).apply(Goal.PREMAKE);

        assertEquals(List.of(
                "chat_history_2026_09 FOR VALUES FROM ('2026-09-01 00:00:00') TO ('2026-10-01 00:00:00')",
                "chat_history_2026_10 FOR VALUES FROM ('2026-10-01 00:00:00') TO ('2026-11-01 00:00:00')",
                "chat_history_2026_11 FOR VALUES FROM ('2026-11-01 00:00:00') TO ('2026-12-01 00:00:00')",
                "chat_history_2026_12 FOR VALUES FROM ('2026-12-01 00:00:00') TO ('2027-01-01 00:00:00')",
                "chat_history_2027_01 FOR VALUES FROM ('2027-01-01 00:00:00') TO ('2027-02-01 00:00:00')",
                "chat_history_2027_02 FOR VALUES FROM ('2027-02-01 00:00:00') TO ('2027-03-01 00:00:00')"),
                db.partitions("chat_history"));
        assertEquals(6, db.partitions("cost_tracking").size());
        db.exec("INSERT INTO users (email) VALUES ('a@b')",
                "INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'hi', '2027-02-28 23:59:59')");

        PartitionPlan again = engine(db, "2026-11-24", "UTC", month("chat_history"), month("cost_tracking")).apply(Goal.PREMAKE);
        assertTrue(again.isEmpty(), "second run does nothing");
    }
}
