package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.LogicalReplication;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.util.List;
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
        server = LogicalReplication.server();
    }

    @Test
    void aSubscribedTableIsRefusedNamingTheSubscriptionAndTheProcedureItGivesConvertsWithoutLosingARow() throws Exception {
        TestDb pub = LogicalReplication.publisher(server, "sub_publisher");
        TestDb sub = LogicalReplication.subscriber(server, "sub_subscriber");
        pub.exec("CREATE PUBLICATION chat FOR TABLE users, chat_history");
        LogicalReplication.subscribe(server, pub, sub, "chat");
        LogicalReplication.awaitReady(sub);
        assertEquals(pub.queryLong("SELECT count(*) FROM chat_history"), sub.queryLong("SELECT count(*) FROM chat_history"));

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
        LogicalReplication.await(sub, "SELECT count(*) FILTER (WHERE content = 'after the conversion') - count(*) FILTER (WHERE id = 7) FROM chat_history", 1);
        assertEquals(1, sub.queryLong("SELECT count(*) FROM chat_history WHERE content = 'after the conversion'"), "replicated into the new table");
        assertEquals("p", sub.queryStrings("SELECT relkind::text FROM pg_class WHERE oid = 'chat_history'::regclass").get(0));
        assertEquals(ConvertTest.fingerprint(pub, "chat_history"), ConvertTest.fingerprint(sub, "chat_history"));
        sub.exec("DROP SUBSCRIPTION chat");
    }
}
