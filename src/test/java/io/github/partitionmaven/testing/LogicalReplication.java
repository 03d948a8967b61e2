package io.github.partitionmaven.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Map;

/**
 * A publisher and a subscriber as two databases of one server started with {@code wal_level = logical}: the seed's tables on
 * both, its rows on the publisher, a real slot and subscription between them.
 */
public final class LogicalReplication {

    private LogicalReplication() {
    }

    /** A server of the PostgreSQL version under test, started with {@code wal_level = logical}, for publishers and subscribers. */
    public static TestServer server() throws IOException, SQLException {
        return TestServer.startEmbedded(0, TestServer.majorVersion(), false, Map.of("wal_level", "logical"));
    }

    /** A database holding the seed's tables partitioned by month from {@code from} to {@code to}, empty. */
    public static TestDb partitioned(TestServer server, String name, YearMonth from, YearMonth to) throws SQLException {
        TestDb db = server.createDatabase(name);
        db.exec(Seed.partitionedTables(from, to).toArray(String[]::new));
        return db;
    }

    /** A database holding the seed's tables and 2,000 of its rows over a year. */
    public static TestDb publisher(TestServer server, String name) throws Exception {
        TestDb db = subscriber(server, name);
        db.exec(Seed.rows(20, 2000, LocalDate.of(2025, 12, 3), LocalDate.of(2026, 11, 20)).toArray(String[]::new));
        return db;
    }

    /** A database holding the seed's tables, empty. */
    public static TestDb subscriber(TestServer server, String name) throws Exception {
        TestDb db = server.createDatabase(name);
        db.exec(Seed.plainTables().toArray(String[]::new));
        return db;
    }

    /** A slot on {@code pub} and a subscription on {@code sub}, both named after the publication. */
    public static void subscribe(TestServer server, TestDb pub, TestDb sub, String publication) {
        pub.exec("SELECT pg_create_logical_replication_slot('" + publication + "', 'pgoutput')");
        URI url = URI.create(pub.url().substring("jdbc:".length()));
        sub.exec("CREATE SUBSCRIPTION " + publication + " CONNECTION 'host=" + url.getHost() + " port=" + url.getPort() + " dbname="
                + pub.name() + " user=" + server.user() + (server.password() == null ? "" : " password=" + server.password()) + "'"
                + " PUBLICATION " + publication + " WITH (create_slot = false, slot_name = '" + publication + "')");
    }

    /**
     * Until every table of the subscriber's subscriptions has finished its initial copy (state ready): each table is copied by
     * its own worker, so chat_history's count can be reached while users is still being copied (seen in CI: 0 rows, then 20).
     */
    public static void awaitReady(TestDb db) throws InterruptedException {
        await(db, "SELECT count(*) FROM pg_catalog.pg_subscription_rel WHERE srsubstate <> 'r'", 0);
    }

    /** Until {@code query} gives {@code value} on the subscriber, at most 60 s. */
    public static void await(TestDb db, String query, long value) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (db.queryLong(query) != value) {
            assertTrue(System.nanoTime() < deadline, "the subscriber did not reach " + value + " in 60 s: " + query);
            Thread.sleep(100);
        }
    }
}
