package io.github.partitionmaven.engine;

import static io.github.partitionmaven.testing.Engines.engine;
import static io.github.partitionmaven.testing.Engines.month;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.check.Check;
import io.github.partitionmaven.check.CheckReport;
import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.check.HealthFinding;
import io.github.partitionmaven.check.LeafPublication;
import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.LogicalReplication;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.time.YearMonth;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed's partitioned tables on a publisher and a subscriber, two databases of one server (wal_level logical) with a real
 * publication and subscription between them. With publish_via_partition_root off (PostgreSQL's default) the publication
 * publishes each partition under its own name: the subscriber stops at the first row written to a partition it lacks, and
 * skips, without a word, every row written to one it has but did not know at its last refresh. Premake says so in its plan,
 * check reports it, and both fixes they give work.
 */
@DatabaseTest
class LeafPublicationTest {

    private static final String PUBLISHES = "Publication \"chat\" publishes the partitions of \"public\".\"chat_history\" under their own names";

    private static TestServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = LogicalReplication.server();
    }

    private static TestDb seeded(String name) throws Exception {
        return LogicalReplication.partitioned(server, name, YearMonth.of(2026, 10), YearMonth.of(2026, 11));
    }

    private static List<String> warnings(PartitionPlan plan) {
        return plan.tables().stream().flatMap(t -> t.findings().stream()).filter(f -> f.severity() == Finding.Severity.WARNING)
                .map(Finding::message).toList();
    }

    private static List<HealthFinding> publicationFindings(CheckReport report) {
        return report.findings().stream().filter(LeafPublication.class::isInstance).toList();
    }

    @Test
    void premakeAndCheckSayThatASubscriberMissesANewPartitionUntilItRefreshesAndBothFixesTheyGiveWork() throws Exception {
        TestDb pub = seeded("leaf_publisher");
        TestDb sub = seeded("leaf_subscriber");
        pub.exec("INSERT INTO users (email) VALUES ('a@b')");
        pub.exec("CREATE PUBLICATION chat FOR TABLE users, chat_history");
        LogicalReplication.subscribe(server, pub, sub, "chat");
        LogicalReplication.awaitReady(sub);

        PartitionPlan plan = engine(pub, "2026-11-24", "UTC", month("chat_history")).plan(Set.of(Goal.PREMAKE));
        String warning = warnings(plan).stream().filter(w -> w.startsWith(PUBLISHES)).findFirst().orElseThrow(() ->
                new AssertionError("no publication warning in " + warnings(plan)));
        assertTrue(warning.contains("no change to the 3 partition(s) this run creates until it has the same partitions and has run"
                + " ALTER SUBSCRIPTION <subscription> REFRESH PUBLICATION"), warning);
        assertTrue(warning.contains("ALTER PUBLICATION \"chat\" SET (publish_via_partition_root = true)"), warning);

        CheckReport report = engine(pub, "2026-11-24", "UTC", month("chat_history")).check(CheckThresholds.DEFAULTS);
        assertEquals(1, publicationFindings(report).size(), report.findings().toString());
        assertEquals(Check.PUBLICATION, publicationFindings(report).get(0).check());
        assertTrue(report.warnings().containsAll(publicationFindings(report)), "a warning, not a gate by default: " + report.failures());

        // the partitions on the publisher only: the first change to one stops the subscriber, every table of it
        engine(pub, "2026-11-24", "UTC", month("chat_history")).apply(Goal.PREMAKE);
        pub.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'new month', '2027-01-10')",
                "INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'old month', '2026-11-10')");
        if (Integer.parseInt(TestServer.majorVersion()) >= 15) {
            LogicalReplication.await(sub, "SELECT least(apply_error_count, 1) FROM pg_stat_subscription_stats WHERE subname = 'chat'", 1);
            assertEquals(0, sub.queryLong("SELECT count(*) FROM chat_history WHERE content = 'old month'"), "stopped at the new month's row");
        }

        // the first fix, half done: the same partitions on both sides, no refresh yet
        engine(sub, "2026-11-24", "UTC", month("chat_history")).apply(Goal.PREMAKE);
        LogicalReplication.await(sub, "SELECT count(*) FROM chat_history WHERE content = 'old month'", 1);
        assertEquals(0, sub.queryLong("SELECT count(*) FROM chat_history WHERE content = 'new month'"),
                "written before the old month's row and skipped: the subscriber did not know chat_history_2027_01");
        sub.exec("ALTER SUBSCRIPTION chat REFRESH PUBLICATION");
        LogicalReplication.await(sub, "SELECT count(*) FROM chat_history WHERE content = 'new month'", 1);

        // the second fix: through the parent, a partition only has to exist on the subscriber
        pub.exec("ALTER PUBLICATION chat SET (publish_via_partition_root = true)");
        sub.exec("ALTER SUBSCRIPTION chat REFRESH PUBLICATION WITH (copy_data = false)");
        LogicalReplication.awaitReady(sub);
        PartitionPlan later = engine(pub, "2027-02-24", "UTC", month("chat_history")).plan(Set.of(Goal.PREMAKE));
        assertEquals(3, later.steps().size(), "February to April");
        assertTrue(warnings(later).stream().noneMatch(w -> w.startsWith(PUBLISHES)), warnings(later).toString());
        assertEquals(List.of(), publicationFindings(engine(pub, "2027-02-24", "UTC", month("chat_history")).check(CheckThresholds.DEFAULTS)));
        engine(pub, "2027-02-24", "UTC", month("chat_history")).apply(Goal.PREMAKE);
        engine(sub, "2027-02-24", "UTC", month("chat_history")).apply(Goal.PREMAKE);
        pub.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'through the parent', '2027-04-10')");
        LogicalReplication.await(sub, "SELECT count(*) FROM chat_history WHERE content = 'through the parent'", 1);
        sub.exec("DROP SUBSCRIPTION chat");
    }

    @Test
    void publicationsForAllTablesAndForTheSchemaAreFoundTooAndOnesThroughTheParentAreNot() throws Exception {
        TestDb db = seeded("leaf_kinds");
        db.exec("CREATE PUBLICATION \"every Table\" FOR ALL TABLES", "CREATE PUBLICATION rooted FOR TABLE chat_history"
                + " WITH (publish_via_partition_root = true)");
        if (Integer.parseInt(TestServer.majorVersion()) >= 15) {
            db.exec("CREATE PUBLICATION schema_wide FOR TABLES IN SCHEMA public");
        }
        List<HealthFinding> found = publicationFindings(engine(db, "2026-11-24", "UTC", month("chat_history")).check(CheckThresholds.DEFAULTS));
        assertEquals(1, found.size());
        String expected = Integer.parseInt(TestServer.majorVersion()) >= 15 ? "Publications \"every Table\", \"schema_wide\" publish" : "Publication \"every Table\" publishes";
        assertTrue(found.get(0).message().startsWith(expected + " the partitions of \"public\".\"chat_history\""), found.get(0).message());
        assertTrue(found.get(0).remedy().contains("ALTER PUBLICATION \"every Table\" SET (publish_via_partition_root = true)"),
                found.get(0).remedy());
    }
}
