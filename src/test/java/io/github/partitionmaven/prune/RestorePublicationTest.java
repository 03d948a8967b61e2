package io.github.partitionmaven.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.LogicalReplication;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * partition:restore on a publisher, the seed's partitioned tables on it and on a subscriber, two databases of one server
 * (wal_level logical) with a real publication and subscription between them. The subscriber kept the months the publisher
 * archived: PostgreSQL does not replicate a DROP.
 */
@DatabaseTest
class RestorePublicationTest {

    private static TestServer server;

    @TempDir
    Path archives;

    @BeforeAll
    static void startServer() throws Exception {
        server = LogicalReplication.server();
    }

    private static TestDb seeded(String name) throws Exception {
        return LogicalReplication.partitioned(server, name, YearMonth.of(2025, 10), YearMonth.of(2026, 9));
    }

    private PartitionEngine engine(TestDb db) {
        return PruneFixture.engine(db, "2026-07-01", "UTC", archives, new Engines.RecordingLog(),
                PruneFixture.retained("chat_history", "7 months", "archive"));
    }

    private Path manifest(String partition) {
        return archives.resolve("public." + partition + ".manifest.json");
    }

    private static List<String> publishedTables(TestDb db) {
        return db.queryStrings("SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = 'every' ORDER BY 1");
    }

    @Test
    void aRestoreWhoseRowsAPublicationForAllTablesWouldSendIsRefusedBeforeAnyChangeAndItsFixKeepsTheSubscriberReceiving() throws Exception {
        TestDb pub = seeded("restore_publisher");
        TestDb sub = seeded("restore_subscriber");
        pub.exec(Seed.rows(20, 2000, LocalDate.of(2025, 10, 1), LocalDate.of(2026, 8, 1)).toArray(String[]::new));
        pub.exec("CREATE PUBLICATION every FOR ALL TABLES");
        LogicalReplication.subscribe(server, pub, sub, "every");
        LogicalReplication.awaitReady(sub);
        LogicalReplication.await(sub, "SELECT count(*) FROM chat_history", 2000);
        engine(pub).apply(Goal.PRUNE);
        assertEquals("chat_history_2025_12", PruneFixture.names(pub, "chat_history").get(0), "October and November archived");

        String before = pub.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> engine(pub).apply(ArchiveRestore.planner(manifest("chat_history_2025_10"), Optional.empty())));
        assertTrue(e.getMessage().startsWith("partition:restore would create \"public\".\"chat_history_2025_10\" and load the archive's "), e.getMessage());
        assertTrue(e.getMessage().contains(" before it attaches it to \"public\".\"chat_history\", but publication \"every\" publishes it FOR ALL"
                + " TABLES: the rows would go to its subscribers as inserts into a table of that name"), e.getMessage());
        assertTrue(e.getMessage().endsWith(PartitionException.NOTHING_CHANGED), e.getMessage());
        PartitionException target = assertThrows(PartitionException.class,
                () -> engine(pub).apply(ArchiveRestore.planner(manifest("chat_history_2025_10"), Optional.of(TableName.parse("october")))));
        assertTrue(target.getMessage().startsWith("partition:restore would create \"public\".\"october\" and load"), target.getMessage());
        if (Integer.parseInt(TestServer.majorVersion()) >= 15) {
            pub.exec("CREATE SCHEMA old", "CREATE PUBLICATION in_old FOR TABLES IN SCHEMA old");
            PartitionException schema = assertThrows(PartitionException.class,
                    () -> engine(pub).apply(ArchiveRestore.planner(manifest("chat_history_2025_10"), Optional.of(TableName.parse("old.october")))));
            assertTrue(schema.getMessage().contains("but publication \"every\" publishes it FOR ALL TABLES and publication \"in_old\" publishes it"
                    + " FOR TABLES IN SCHEMA \"old\": the rows would go to their subscribers"), schema.getMessage());
            assertTrue(schema.getMessage().contains("For \"in_old\": Have it name its tables instead"), schema.getMessage());
            pub.exec("DROP PUBLICATION in_old", "DROP SCHEMA old");
        }
        assertEquals(before, pub.snapshot());

        // the message's fix, run as given: the same tables published the same way, named (chat_history by its partitions, as before)
        List<String> published = publishedTables(pub);
        assertTrue(published.contains("public.chat_history_2026_09") && !published.contains("public.chat_history"), published.toString());
        pub.exec(e.getMessage().substring(e.getMessage().indexOf("DO $pub$"), e.getMessage().indexOf("END $pub$") + "END $pub$".length()));
        assertEquals(published, publishedTables(pub));
        assertEquals(List.of("false false"), pub.queryStrings("SELECT puballtables || ' ' || pubviaroot FROM pg_publication WHERE pubname = 'every'"));

        String reason = engine(pub).apply(ArchiveRestore.planner(manifest("chat_history_2025_10"), Optional.empty())).get(0).reason();
        assertTrue(reason.contains("Publication \"every\" publishes the partitions of \"public\".\"chat_history\" under their own names"
                + " (publish_via_partition_root is off): a subscriber receives no change to the restored partition \"public\".\"chat_history_2025_10\""), reason);
        long october = sub.queryLong("SELECT count(*) FROM chat_history_2025_10");
        pub.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'after October', '2026-08-10')");
        LogicalReplication.await(sub, "SELECT count(*) FROM chat_history WHERE content = 'after October'", 1);
        assertEquals(october, sub.queryLong("SELECT count(*) FROM chat_history_2025_10"), "the restore's rows were not sent");

        // through the parent, a restored partition is no one's business but the publisher's: no warning
        pub.exec("ALTER PUBLICATION every SET (publish_via_partition_root = true)");
        sub.exec("ALTER SUBSCRIPTION every REFRESH PUBLICATION WITH (copy_data = false)");
        LogicalReplication.awaitReady(sub);
        String rooted = engine(pub).apply(ArchiveRestore.planner(manifest("chat_history_2025_11"), Optional.empty())).get(0).reason();
        assertFalse(rooted.contains("Publication"), rooted);
        pub.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'after November', '2026-08-10')");
        LogicalReplication.await(sub, "SELECT count(*) FROM chat_history WHERE content = 'after November'", 1);
        assertEquals(pub.queryLong("SELECT count(*) FROM chat_history"), sub.queryLong("SELECT count(*) FROM chat_history"));
        sub.exec("DROP SUBSCRIPTION every");
    }
}
