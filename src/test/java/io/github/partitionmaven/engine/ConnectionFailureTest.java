package io.github.partitionmaven.engine;

import io.github.partitionmaven.core.PartitionException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.partitionmaven.execute.ConnectionSettings;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

@DatabaseTest
class ConnectionFailureTest {

    private static PartitionException fail(ConnectionSettings connection) {
        RunSettings s = PolicyReader.settings("UTC", "2026-11-24", null, null, Clock.systemUTC());
        PartitionEngine engine = new PartitionEngine(connection, s, PolicyReader.tables(List.of(Engines.month("t")), s), new Engines.RecordingLog());
        return assertThrows(PartitionException.class, () -> engine.plan(Set.of(Goal.PREMAKE)));
    }

    @Test
    void wrongPasswordIsAConfigurationErrorThatNeverShowsThePassword() {
        TestDb db = TestDb.fresh(getClass());
        assumeTrue(db.server().passwordUserReady(), "needs a server where the test bed can enforce passwords");
        String wrong = "wrong-Pa55word-123";
        PartitionException e = fail(new ConnectionSettings(db.url() + "?password=" + wrong, TestServer.PASSWORD_USER, wrong, Map.of()));
        assertEquals(PartitionException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("Cannot log in to") && e.getMessage().contains("Check <user> and <password>"), e.getMessage());
        assertFalse(e.getMessage().contains(wrong), e.getMessage());
        assertTrue(e.getMessage().endsWith("Nothing was changed."));
    }

    @Test
    void theRightPasswordConnects() {
        TestDb db = TestDb.fresh(getClass());
        assumeTrue(db.server().passwordUserReady());
        db.exec("CREATE TABLE t (created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)");
        RunSettings s = PolicyReader.settings("UTC", "2026-11-24", null, null, Clock.systemUTC());
        PartitionEngine engine = new PartitionEngine(new ConnectionSettings(db.url(), TestServer.PASSWORD_USER, TestServer.PASSWORD, Map.of()),
                s, PolicyReader.tables(List.of(Engines.month("t")), s), new Engines.RecordingLog());
        assertEquals(4, engine.plan(Set.of(Goal.PREMAKE)).steps().size());
    }

    @Test
    void unreachableServerIsAnEnvironmentError() {
        PartitionException e = fail(new ConnectionSettings("jdbc:postgresql://127.0.0.1:1/app", "app", "hunter2-secret", Map.of()));
        assertEquals(PartitionException.Kind.ENVIRONMENT, e.kind());
        assertTrue(e.getMessage().contains("Cannot connect to jdbc:postgresql://127.0.0.1:1/app") && e.getMessage().contains("reachable"),
                e.getMessage());
        assertFalse(e.getMessage().contains("hunter2-secret"));
    }

    @Test
    void notAPostgresUrl() {
        PartitionException e = fail(new ConnectionSettings("jdbc:mysql://localhost/app", null, null, Map.of()));
        assertTrue(e.getMessage().contains("must start with jdbc:postgresql:"), e.getMessage());
    }
}
