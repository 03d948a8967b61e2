package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.LogicalReplication;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed's chat_history on a logical-replication publisher, a real subscription in a second database of the same server
 * (wal_level logical) holding the seed's plain tables. Converted as it was, a publication with publish_via_partition_root off
 * (the default) then published every change under its partition's name, and the subscriber, which has no such table, received
 * none of them; the row filter was lost on the way (PostgreSQL 15 and later), so every row would have gone out. Under a FOR
 * ALL TABLES publication the copy itself failed: "cannot update table "chat_history_conversion" because it does not have a
 * replica identity and publishes updates". Each is refused before any change, and the fix the message gives keeps the
 * subscriber receiving exactly the rows it received before.
 */
@DatabaseTest
class PublisherTest {

    private static TestServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = LogicalReplication.server();
    }

    @Test
    void publishingUnderPartitionNamesIsRefusedAndOnceFixedTheSubscriberReceivesTheConvertedTableThroughItsRowFilter() throws Exception {
        boolean filters = Integer.parseInt(TestServer.majorVersion()) >= 15;
        TestDb pub = LogicalReplication.publisher(server, "via_root_publisher");
        TestDb sub = LogicalReplication.subscriber(server, "via_root_subscriber");
        // a row filter's columns must be in the replica identity for updates and deletes to be published
        pub.exec("ALTER TABLE chat_history REPLICA IDENTITY FULL",
                "CREATE PUBLICATION chat FOR TABLE users, chat_history" + (filters ? " WHERE (role = 'user')" : ""));
        LogicalReplication.subscribe(server, pub, sub, "chat");
        String published = filters ? "(SELECT * FROM chat_history WHERE role = 'user')" : "chat_history";
        LogicalReplication.await(sub, "SELECT count(*) FROM chat_history", pub.queryLong("SELECT count(*) FROM " + published + " r"));

        String before = pub.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> ConvertTest.engine(pub, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).apply(Goal.CONVERT));
        assertTrue(e.getMessage().contains("publication \"chat\" publishes it with publish_via_partition_root off, so after the swap each"
                + " change would go out under the name of its row's partition"), e.getMessage());
        assertTrue(e.getMessage().contains("Run ALTER PUBLICATION \"chat\" SET (publish_via_partition_root = true) first"), e.getMessage());
        assertTrue(e.getMessage().endsWith(PartitionException.NOTHING_CHANGED), e.getMessage());
        assertEquals(before, pub.snapshot());

        pub.exec("ALTER PUBLICATION chat SET (publish_via_partition_root = true)");
        Step swap = ConvertTest.engine(pub, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).plan(Set.of(Goal.CONVERT)).steps().stream()
                .filter(s -> s.statements().contains("ALTER PUBLICATION \"chat\" DROP TABLE \"public\".\"chat_history_old\"")).findFirst().orElseThrow();
        assertTrue(swap.statements().contains("ALTER PUBLICATION \"chat\" ADD TABLE \"public\".\"chat_history\"" + (filters
                ? " WHERE (((role)::text = 'user'::text))" : "")), swap.statements().toString());
        assertTrue(swap.reason().contains("membership of publication(s) \"chat\"" + (filters ? " (rows WHERE ((role)::text = 'user'::text))"
                : "") + " (the old table leaves them)"), swap.reason());
        ConvertTest.engine(pub, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).apply(Goal.CONVERT);
        assertEquals(List.of("public.chat_history" + (filters ? " ((role)::text = 'user'::text)" : ""), "public.users"), publishedTables(pub, "chat"));

        pub.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'after the conversion', '2026-11-10'),"
                        + " (1, 'assistant', 'not for the subscriber', '2026-11-10')",
                "UPDATE chat_history SET content = 'edited' WHERE id = (SELECT min(id) FROM chat_history WHERE role = 'user')",
                "DELETE FROM chat_history WHERE id = (SELECT max(id) FROM chat_history WHERE role = 'user' AND content <> 'after the conversion')");
        LogicalReplication.await(sub, "SELECT count(*) FROM chat_history WHERE content IN ('after the conversion', 'edited')", 2);
        awaitEqual(pub, sub, published);
        assertEquals(filters ? 0 : 1, sub.queryLong("SELECT count(*) FROM chat_history WHERE content = 'not for the subscriber'"));

        // rollback gives the publication the plain table back, with its row filter
        ConvertTest.engine(pub, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).apply(Goal.ROLLBACK);
        assertEquals(List.of("public.chat_history" + (filters ? " ((role)::text = 'user'::text)" : ""), "public.users"), publishedTables(pub, "chat"));
        pub.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (2, 'user', 'after the rollback', '2026-11-11')");
        LogicalReplication.await(sub, "SELECT count(*) FROM chat_history WHERE content = 'after the rollback'", 1);
        awaitEqual(pub, sub, published);
        sub.exec("DROP SUBSCRIPTION chat");
    }

    @Test
    void aTablePublishedForAllTablesIsRefusedAndTheGivenFixKeepsTheSubscriberReceiving() throws Exception {
        TestDb pub = LogicalReplication.publisher(server, "all_tables_publisher");
        TestDb sub = LogicalReplication.subscriber(server, "all_tables_subscriber");
        pub.exec("CREATE PUBLICATION every FOR ALL TABLES WITH (publish = 'insert, update, delete')");
        LogicalReplication.subscribe(server, pub, sub, "every");
        LogicalReplication.await(sub, "SELECT count(*) FROM chat_history", pub.queryLong("SELECT count(*) FROM chat_history"));

        String before = pub.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> ConvertTest.engine(pub, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).apply(Goal.CONVERT));
        assertTrue(e.getMessage().contains("publication \"every\" publishes it FOR ALL TABLES, so it would publish the conversion's own tables"
                + " (the partitions of \"public\".\"chat_history_new\", the change log, the progress table) too"), e.getMessage());
        assertEquals(before, pub.snapshot());
        if (Integer.parseInt(TestServer.majorVersion()) >= 15) {
            pub.exec("CREATE PUBLICATION in_schema FOR TABLES IN SCHEMA public");
            PartitionException schema = assertThrows(PartitionException.class,
                    () -> ConvertTest.engine(pub, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).apply(Goal.CONVERT));
            assertTrue(schema.getMessage().contains("publication \"in_schema\" publishes it FOR TABLES IN SCHEMA \"public\""), schema.getMessage());
            pub.exec("DROP PUBLICATION in_schema");
        }

        // the message's fix, run as given: the same tables and operations, named
        String message = e.getMessage();
        String fix = message.substring(message.indexOf("DO $pub$"), message.indexOf("END $pub$") + "END $pub$".length());
        List<String> tables = publishedTables(pub, "every");
        pub.exec(fix);
        assertEquals(tables, publishedTables(pub, "every"));
        assertEquals(List.of("false true true true true false"), pub.queryStrings("SELECT concat_ws(' ', puballtables::text, pubviaroot::text,"
                + " pubinsert::text, pubupdate::text, pubdelete::text, pubtruncate::text) FROM pg_publication WHERE pubname = 'every'"));
        pub.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'before the conversion', '2026-11-10')");
        LogicalReplication.await(sub, "SELECT count(*) FROM chat_history WHERE content = 'before the conversion'", 1);

        ConvertTest.engine(pub, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).apply(Goal.CONVERT);
        pub.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'after the conversion', '2026-11-10')",
                "DELETE FROM chat_history WHERE id = 7");
        LogicalReplication.await(sub, "SELECT count(*) FILTER (WHERE content = 'after the conversion') - count(*) FILTER (WHERE id = 7) FROM chat_history", 1);
        awaitEqual(pub, sub, "chat_history");
        sub.exec("DROP SUBSCRIPTION every");
    }

    @Test
    void aReplicationSlotNoOneReadsIsNamedWithTheWalTheCopyWouldHaveItKeep() throws Exception {
        TestDb db = LogicalReplication.publisher(server, "idle_slot");
        // a change-data-capture slot whose reader is down
        db.exec("SELECT pg_create_logical_replication_slot('cdc_reader_down', 'pgoutput')");
        try {
            List<String> findings = ConvertTest.engine(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).plan(Set.of(Goal.CONVERT))
                    .tables().stream().flatMap(t -> t.findings().stream()).map(f -> f.severity() + " " + f.message()).toList();
            assertTrue(findings.stream().anyMatch(f -> f.startsWith("INFO The copy writes a second \"public\".\"chat_history\": about ")
                    && f.contains(" more on disk in the database's default tablespace until \"public\".\"chat_history_old\" is dropped, and"
                    + " about as much WAL")), findings.toString());
            assertTrue(findings.stream().anyMatch(f -> f.startsWith("WARNING Replication slot(s) that no one reads keep every WAL segment"
                    + " written since they were last read: 'cdc_reader_down' (logical, ") && f.contains("with no limit (max_slot_wal_keep_size"
                    + " = -1), until pg_wal's disk is full and the server stops") && f.contains("pg_drop_replication_slot('cdc_reader_down')")),
                    findings.toString());
        } finally {
            db.exec("SELECT pg_drop_replication_slot('cdc_reader_down')");
        }
    }

    /** The tables a publication publishes, as subscribers see them, with the row filter on PostgreSQL 15 and later. */
    private static List<String> publishedTables(TestDb db, String publication) {
        return db.queryStrings("SELECT schemaname || '.' || tablename || coalesce(' ' || (to_jsonb(t) ->> 'rowfilter'), '')"
                + " FROM pg_publication_tables t WHERE pubname = '" + publication + "' ORDER BY 1");
    }

    /** Until the subscriber's chat_history holds what the publisher publishes of it, row for row. */
    private static void awaitEqual(TestDb pub, TestDb sub, String published) throws InterruptedException {
        String expected = ConvertTest.fingerprint(pub, published);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!ConvertTest.fingerprint(sub, "chat_history").equals(expected)) {
            assertTrue(System.nanoTime() < deadline, "the subscriber's rows did not reach the publisher's in 60 s");
            Thread.sleep(100);
        }
    }
}
