package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.execute.ConnectionSettings;
import io.github.partitionmaven.execute.Connections;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seed's chat_history kept in a tablespace of its own (big tables often live on a disk of their own), its keys and one
 * index in another. Before, the conversion created the new table and every index in the database's default tablespace,
 * which pg_get_indexdef leaves out: a 500 GB table would have been copied onto the default disk.
 */
@DatabaseTest
class TablespaceTest {

    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void theTableAndEachIndexStayInTheirTablespacesAndPremadePartitionsJoinThem(ConvertOptions.Strategy strategy) throws Exception {
        TestDb db = ConvertTest.seeded(3000);
        String tables = db.createTablespace("tables");
        String indexes = db.createTablespace("indexes");
        db.exec("ALTER TABLE chat_history SET TABLESPACE " + tables, "ALTER INDEX chat_history_pkey SET TABLESPACE " + indexes,
                "ALTER INDEX idx_chat_history_user_created SET TABLESPACE " + indexes,
                "CREATE INDEX chat_history_user_messages ON chat_history (user_id) TABLESPACE " + indexes + " WHERE role = 'user'");
        String before = ConvertTest.fingerprint(db, "chat_history");

        ConvertTest.engine(db, ConvertOptions.DEFAULTS.withStrategy(strategy), new Engines.RecordingLog()).apply(Goal.CONVERT);
        assertEquals(before, ConvertTest.fingerprint(db, "chat_history"));
        List<String> placed = List.of("chat_history " + tables, "chat_history_pkey " + indexes, "chat_history_user_messages " + indexes,
                "idx_chat_history_created -", "idx_chat_history_user_created " + indexes);
        assertEquals(List.of(), db.queryStrings("SELECT c.relname || ' ' || c.relkind::text FROM pg_class c"
                + " WHERE (c.oid = 'chat_history'::regclass OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'chat_history'::regclass))"
                + " AND c.reltablespace = 0"));
        assertEquals(placed, placement(db));

        // premake's partitions take the parent's tablespace, and their indexes their parent index's
        db.exec("DROP TABLE chat_history_2027_02");
        ConvertTest.engine(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).apply(Goal.PREMAKE);
        assertTrue(db.partitions("chat_history").stream().anyMatch(p -> p.startsWith("chat_history_2027_02 ")));
        assertEquals(placed, placement(db));
    }

    @Test
    void aRoleThatMayNotCreateInTheTablesTablespaceIsToldTheGrantBeforeAnyChange() throws Exception {
        TestDb db = ConvertTest.seeded(500);
        String tables = db.createTablespace("denied");
        String role = db.name() + "_owner";
        db.exec("ALTER TABLE chat_history SET TABLESPACE " + tables, "CREATE ROLE " + role + " LOGIN PASSWORD 's3cret-pw'",
                "ALTER TABLE chat_history OWNER TO " + role, "ALTER TABLE users OWNER TO " + role, "GRANT CREATE ON SCHEMA public TO " + role);
        String before = db.snapshot();
        RunSettings settings = PolicyReader.settings("UTC", ConvertTest.NOW, "300ms", 3, Clock.systemUTC());
        PartitionEngine asOwner = new PartitionEngine(new ConnectionSettings(db.url(), role, "s3cret-pw", Map.of()), settings,
                PolicyReader.tables(List.of(Engines.month("chat_history")), settings), new Engines.RecordingLog());

        PartitionException e = assertThrows(PartitionException.class, () -> asOwner.apply(Goal.CONVERT));
        assertTrue(e.getMessage().contains("run GRANT CREATE ON TABLESPACE \"" + tables + "\" TO \"" + role + "\" (as their owner or a"
                + " superuser), then convert."), e.getMessage());
        assertTrue(e.getMessage().endsWith(PartitionException.NOTHING_CHANGED), e.getMessage());
        assertTrue(!e.getMessage().contains("s3cret-pw"), e.getMessage());
        assertEquals(before, db.snapshot());

        db.exec("GRANT CREATE ON TABLESPACE " + tables + " TO " + role);
        asOwner.apply(Goal.CONVERT);
        assertEquals(List.of(tables), db.queryStrings("SELECT s.spcname FROM pg_class c JOIN pg_tablespace s ON s.oid = c.reltablespace"
                + " WHERE c.oid = 'chat_history'::regclass"));
    }

    @Test
    void aDatabaseDefaultTablespaceAndIsolationDoNotReachThePluginsSessions() throws Exception {
        TestDb db = ConvertTest.seeded(500);
        String elsewhere = db.createTablespace("elsewhere");
        db.exec("ALTER DATABASE " + db.name() + " SET default_tablespace = " + elsewhere,
                "ALTER DATABASE " + db.name() + " SET default_transaction_isolation = 'serializable'");
        RunSettings settings = PolicyReader.settings("UTC", ConvertTest.NOW, "300ms", 3, Clock.systemUTC());
        try (Connection c = Connections.open(db.settings(), settings); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('transaction_isolation') || ' ' || current_setting('default_tablespace')")) {
            rs.next();
            assertEquals("read committed ", rs.getString(1));
        }
        String before = ConvertTest.fingerprint(db, "chat_history");
        ConvertTest.engine(db, ConvertOptions.DEFAULTS, new Engines.RecordingLog()).apply(Goal.CONVERT);
        assertEquals(before, ConvertTest.fingerprint(db, "chat_history"));
        assertEquals(List.of("chat_history -", "chat_history_pkey -", "idx_chat_history_created -", "idx_chat_history_user_created -"),
                placement(db), "where the old table and its indexes were: the database's default");
    }

    /** The tablespace of chat_history and its partitions, and of each index of it with its partitions' ("-": the default). */
    private static List<String> placement(TestDb db) {
        return db.queryStrings("""
                SELECT p.relname || ' ' || string_agg(DISTINCT coalesce(s.spcname, '-'), ',')
                  FROM pg_class p
                  JOIN LATERAL (SELECT p.oid AS oid UNION ALL SELECT i.inhrelid FROM pg_inherits i WHERE i.inhparent = p.oid) m ON true
                  JOIN pg_class c ON c.oid = m.oid LEFT JOIN pg_tablespace s ON s.oid = c.reltablespace
                 WHERE p.oid = 'chat_history'::regclass OR p.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'chat_history'::regclass)
                 GROUP BY p.relname ORDER BY 1""");
    }
}
