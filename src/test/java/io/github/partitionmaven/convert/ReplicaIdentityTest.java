package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.check.Check;
import io.github.partitionmaven.check.CheckReport;
import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.check.HealthFinding;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.premake.PremakePlanner;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The replica identity, on the seed's literal DDL (testing/Seed: id SERIAL PRIMARY KEY, created_at TIMESTAMP DEFAULT NOW()), is carried to the partitioned parent and every partition, and premake
 * gives each new partition that of the latest one: PostgreSQL passes none of it on (a partition is created DEFAULT), and
 * logical decoding reads the identity of the partition the row is in.
 */
@DatabaseTest
class ReplicaIdentityTest {

    private static final ConvertOptions COPY = ConvertOptions.DEFAULTS.withBatchSize(400);
    private static final ConvertOptions ATTACH = ConvertOptions.DEFAULTS.withStrategy(ConvertOptions.Strategy.ATTACH);

    /** The parent's identity and each partition's, as "name=mode" plus ":index(columns)" for USING INDEX. */
    private static List<String> identities(TestDb db) {
        return db.queryStrings("SELECT c.relname || '=' || c.relreplident::text || coalesce(':' || (SELECT pg_catalog.pg_get_indexdef(x.indexrelid)"
                + " FROM pg_index x WHERE x.indrelid = c.oid AND x.indisreplident), '') FROM pg_class c"
                + " WHERE c.oid = 'chat_history'::regclass OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'chat_history'::regclass)"
                + " ORDER BY c.oid = 'chat_history'::regclass DESC, 1");
    }

    /** Premake two months on, for the months the conversion did not make; returns its plan. */
    static PartitionPlan premakeLater(TestDb db) {
        PartitionPlan premake = Engines.engine(db, "2027-04-10", "UTC", new Engines.RecordingLog(), List.of(new PremakePlanner()),
                Engines.month("chat_history")).apply(Goal.PREMAKE);
        assertTrue(!premake.steps().isEmpty(), "premake made partitions");
        return premake;
    }

    @Test
    void usingAUniqueIndexIsCarriedToTheParentAndEveryPartitionAndPremakeKeepsIt() {
        TestDb db = ConvertTest.seeded(2000);
        // an identity index needs NOT NULL columns, and the index of a partitioned table the partition column
        db.exec("ALTER TABLE chat_history ALTER user_id SET NOT NULL, ALTER created_at SET NOT NULL",
                "CREATE UNIQUE INDEX chat_history_user_message ON chat_history (user_id, id, created_at)",
                "ALTER TABLE chat_history REPLICA IDENTITY USING INDEX chat_history_user_message");
        PartitionPlan plan = ConvertTest.engine(db, COPY, new Engines.RecordingLog()).plan(Set.of(Goal.CONVERT));
        assertTrue(plan.tables().stream().flatMap(t -> t.findings().stream()).noneMatch(f -> f.message().contains("REPLICA IDENTITY")),
                plan.tables().toString());
        String swap = String.join("\n", plan.steps().get(ConvertFailureTest.swapNumber(plan.steps()) - 1).statements());
        assertTrue(swap.contains("ALTER TABLE \"public\".\"chat_history\" REPLICA IDENTITY USING INDEX \"chat_history_user_message\""), swap);

        ConvertTest.engine(db, COPY, new Engines.RecordingLog()).apply(Goal.CONVERT);
        List<String> after = identities(db);
        assertTrue(after.get(0).matches("chat_history=i:CREATE UNIQUE INDEX chat_history_user_message ON ONLY public.chat_history"
                + " USING btree \\(user_id, id, created_at\\)"), "the parent, by the index extended with the partition column: " + after);
        assertTrue(after.size() >= 13 && after.subList(1, after.size()).stream().allMatch(p -> p.matches("chat_history_\\d{4}_\\d{2}=i:CREATE UNIQUE"
                + " INDEX \\S+ ON public.chat_history_\\d{4}_\\d{2} USING btree \\(user_id, id, created_at\\)")), "every partition: " + after);

        PartitionPlan premake = premakeLater(db);
        assertTrue(premake.steps().stream().allMatch(s -> s.reason().contains("REPLICA IDENTITY USING its index of \"public\".\"chat_history_user_message\"")),
                premake.steps().stream().map(Step::reason).toList().toString());
        List<String> later = identities(db);
        assertEquals(after.size() + premake.steps().size(), later.size(), later.toString());
        assertTrue(later.subList(1, later.size()).stream().allMatch(p -> p.contains("=i:") && p.endsWith("(user_id, id, created_at)")), later.toString());
    }

    @Test
    void fullIsKeptByEveryPartitionPremakeMakesAfterTheConversion() {
        TestDb db = ConvertTest.seeded(2000);
        db.exec("ALTER TABLE chat_history REPLICA IDENTITY FULL");
        ConvertTest.engine(db, COPY, new Engines.RecordingLog()).apply(Goal.CONVERT);
        PartitionPlan premake = premakeLater(db);
        assertTrue(premake.steps().stream().allMatch(s -> s.statements().stream().anyMatch(q -> q.endsWith(" REPLICA IDENTITY FULL"))
                && s.reason().contains("REPLICA IDENTITY FULL like ")), premake.steps().stream().map(Step::reason).toList().toString());
        List<String> later = identities(db);
        assertTrue(later.size() >= 12 + premake.steps().size() && later.stream().allMatch(p -> p.endsWith("=f")), later.toString());
        CheckReport healthy = Engines.engine(db, "2027-04-10", "UTC", Engines.month("chat_history")).check(CheckThresholds.DEFAULTS);
        assertTrue(healthy.findings().stream().noneMatch(f -> f.check() == Check.REPLICA_IDENTITY), healthy.findings().toString());

        // a month made by hand (or by a tool that does not carry it) is DEFAULT: check names it and the fix
        db.exec("CREATE TABLE chat_history_2027_09 PARTITION OF chat_history FOR VALUES FROM ('2027-09-01') TO ('2027-10-01')");
        CheckReport report = Engines.engine(db, "2027-04-10", "UTC", Engines.month("chat_history")).check(CheckThresholds.DEFAULTS);
        List<HealthFinding> drift = report.findings().stream().filter(f -> f.check() == Check.REPLICA_IDENTITY).toList();
        assertEquals(1, drift.size(), report.findings().toString());
        assertTrue(drift.get(0).message().startsWith("1 partition(s) of \"public\".\"chat_history\" (\"public\".\"chat_history_2027_09\") differ from")
                && drift.get(0).message().contains("REPLICA IDENTITY FULL"), drift.get(0).message());
        assertEquals("make them alike, e.g. ALTER TABLE \"public\".\"chat_history_2027_09\" REPLICA IDENTITY FULL;", drift.get(0).remedy());

        // premake goes on from the latest partition with FULL, not from the DEFAULT one made by hand after it
        PartitionPlan more = Engines.engine(db, "2027-07-10", "UTC", new Engines.RecordingLog(), List.of(new PremakePlanner()),
                Engines.month("chat_history")).apply(Goal.PREMAKE);
        assertTrue(!more.steps().isEmpty() && more.steps().stream().allMatch(s -> s.reason().contains("REPLICA IDENTITY FULL like ")),
                more.steps().stream().map(Step::reason).toList().toString());
        assertEquals(List.of("chat_history_2027_09=d"), identities(db).stream().filter(p -> !p.endsWith("=f")).toList());
    }

    @Test
    void attachCarriesTheIdentityOfThePrimaryKeyAndTheOldTableKeepsItsOwn() {
        TestDb db = ConvertTest.seeded(2000);
        db.exec("ALTER TABLE chat_history REPLICA IDENTITY USING INDEX chat_history_pkey");
        ConvertTest.engine(db, ATTACH, new Engines.RecordingLog()).apply(Goal.CONVERT);
        List<String> after = identities(db);
        System.out.println("ReplicaIdentityTest, attach: " + after);
        assertTrue(after.get(0).startsWith("chat_history=i:CREATE UNIQUE INDEX chat_history_pkey ON ONLY public.chat_history"), after.toString());
        assertTrue(after.stream().allMatch(p -> p.contains("=i:CREATE UNIQUE INDEX")), after.toString());
        premakeLater(db);
        List<String> later = identities(db);
        assertTrue(later.size() > after.size() && later.stream().allMatch(p -> p.contains("=i:CREATE UNIQUE INDEX")), later.toString());
    }
}
