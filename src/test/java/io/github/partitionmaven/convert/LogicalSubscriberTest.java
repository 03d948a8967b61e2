package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.net.URI;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed's chat_history on a logical-replication subscriber, with a real publication and subscription between two databases
 * of one server (wal_level logical). Converted as it is, the subscription's pg_subscription_rel entry stayed with
 * chat_history_old and every change the publisher made after the swap was skipped without a word (seen on Debian's PostgreSQL
 * 15: 3 rows lost before the REFRESH); and its apply worker writes with triggers off, which the capture would miss. So it is
 * refused before any change, and the procedure the message gives converts it without losing a row.
 */
@DatabaseTest
class LogicalSubscriberTest {

    private static TestServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestServer.startEmbedded(0, TestServer.majorVersion(), false, Map.of("wal_level", "logical"));
    }

    @Test
    void aSubscribedTableIsRefusedNamingTheSubscriptionAndTheProcedureItGivesConvertsWithoutLosingARow() throws Exception {
        TestDb pub = seeded("sub_publisher");
        TestDb sub = server.createDatabase("sub_subscriber");
        sub.exec(Seed.plainTables().toArray(String[]::new));
        pub.exec("CREATE PUBLICATION chat FOR TABLE users, chat_history", "SELECT pg_create_logical_replication_slot('chat', 'pgoutput')");
        URI url = URI.create(pub.url().substring("jdbc:".length()));
        sub.exec("CREATE SUBSCRIPTION chat CONNECTION 'host=" + url.getHost() + " port=" + url.getPort() + " dbname=" + pub.name()
                + " user=" + server.user() + (server.password() == null ? "" : " password=" + server.password()) + "' PUBLICATION chat"
                + " WITH (create_slot = false, slot_name = 'chat')");
        await(sub, "SELECT count(*) FROM chat_history", pub.queryLong("SELECT count(*) FROM chat_history"));

        String before = sub.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> ConvertTest.engine(sub, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).apply(Goal.CONVERT));
        assertTrue(e.getMessage().contains("subscription chat replicates into it (its apply worker writes with triggers off"), e.getMessage());
        assertTrue(e.getMessage().endsWith(PartitionException.NOTHING_CHANGED), e.getMessage());
        assertEquals(before, sub.snapshot());

        // the procedure of the message, in a window where the publisher does not write chat_history
        pub.exec("ALTER PUBLICATION chat DROP TABLE chat_history");
        sub.exec("ALTER SUBSCRIPTION chat REFRESH PUBLICATION");
        ConvertTest.engine(sub, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).apply(Goal.CONVERT);
        // without it the publisher's DELETE carried the key alone: "no partition of relation "chat_history" found for row",
        // (created_at) = (null), and the apply worker stopped
        pub.exec("ALTER TABLE chat_history REPLICA IDENTITY FULL", "ALTER PUBLICATION chat ADD TABLE chat_history");
        sub.exec("ALTER SUBSCRIPTION chat REFRESH PUBLICATION WITH (copy_data = false)");
        assertEquals(List.of("chat_history r", "users r"), sub.queryStrings(
                "SELECT srrelid::regclass::text || ' ' || srsubstate::text FROM pg_subscription_rel ORDER BY 1"));

        pub.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'after the conversion', '2026-11-10')",
                "DELETE FROM chat_history WHERE id = 7");
        // 1 once the insert is there and the delete done
        await(sub, "SELECT count(*) FILTER (WHERE content = 'after the conversion') - count(*) FILTER (WHERE id = 7) FROM chat_history", 1);
        assertEquals(1, sub.queryLong("SELECT count(*) FROM chat_history WHERE content = 'after the conversion'"), "replicated into the new table");
        assertEquals("p", sub.queryStrings("SELECT relkind::text FROM pg_class WHERE oid = 'chat_history'::regclass").get(0));
        assertEquals(ConvertTest.fingerprint(pub, "chat_history"), ConvertTest.fingerprint(sub, "chat_history"));
        sub.exec("DROP SUBSCRIPTION chat");
    }

    private static TestDb seeded(String name) throws Exception {
        TestDb db = server.createDatabase(name);
        db.exec(Seed.plainTables().toArray(String[]::new));
        db.exec(Seed.rows(20, 2000, LocalDate.of(2025, 12, 3), LocalDate.of(2026, 11, 20)).toArray(String[]::new));
        return db;
    }

    private static void await(TestDb db, String query, long value) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (db.queryLong(query) != value) {
            assertTrue(System.nanoTime() < deadline, "the subscriber did not reach " + value + " in 60 s: " + query);
            Thread.sleep(100);
        }
    }
}
