package io.github.partitionmaven.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.partitionmaven.check.Check;
import io.github.partitionmaven.check.CheckReport;
import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.execute.ConnectionSettings;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The edges an unlucky configuration or database reaches: each refused before any change, naming the problem and the fix. */
@DatabaseTest
class EdgeRefusalTest {

    private static PartitionException refused(TestDb db, Runnable run) {
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class, run::run);
        assertEquals(before, db.snapshot(), "nothing changed: " + e.getMessage());
        return e;
    }

    private static PartitionEngine engine(TestDb db, String now, boolean allowFarNow, TableSpec... specs) {
        RunSettings s = PolicyReader.settings("UTC", now, "300ms", 3, Clock.systemUTC(), allowFarNow);
        return new PartitionEngine(db.settings(), s, PolicyReader.tables(List.of(specs), s),
                Planners.standard(ConvertOptions.DEFAULTS, PruneOptions.defaults()), new Engines.RecordingLog());
    }

    @Test
    void aLockTimeoutTooLargeForALongIsAConfigurationErrorNotANumberFormatException() {
        PartitionException e = assertThrows(PartitionException.class,
                () -> PolicyReader.settings("UTC", null, "99999999999999999999", 3, Clock.systemUTC()));
        assertEquals(PartitionException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("<lockTimeout>99999999999999999999</lockTimeout> is far too large"), e.getMessage());
    }

    @Test
    void aNowFarFromTheServersClockIsRefusedUnlessAllowed() {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE TABLE ev (created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)");
        String today = java.time.LocalDate.now(Clock.systemUTC()).toString();
        for (String now : List.of("2063-12-01", "9999-12-31", "2001-01-01")) {
            PartitionException e = refused(db, () -> engine(db, now, false, Engines.month("ev")).apply(Goal.PREMAKE));
            assertTrue(e.getMessage().contains("the server's clock") && e.getMessage().contains("<allowFarNow>true</allowFarNow>")
                    && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
        }
        assertEquals(4, engine(db, today, false, Engines.month("ev")).plan(Set.of(Goal.PREMAKE)).steps().size(),
                "today plans as before");
        // allowed, far ahead and a table whose partitions stop years before: still a bound on partitions per run
        db.exec("CREATE TABLE ev_2010_01 PARTITION OF ev FOR VALUES FROM ('2010-01-01 00:00+00') TO ('2010-02-01 00:00+00')");
        assertTrue(engine(db, "2063-12-01", true, Engines.month("ev")).plan(Set.of(Goal.PREMAKE)).steps().size() > 400,
                "allowFarNow plans what it was asked to");
        PartitionException many = refused(db, () -> engine(db, today, false, Engines.month("ev")).apply(Goal.PREMAKE));
        assertTrue(many.getMessage().contains("more than ten years of months plus <premake>") || many.getMessage().contains("premake would create"),
                many.getMessage());
    }

    @Test
    void oneTableConfiguredUnderTwoSpellingsIsRefused() {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE TABLE ev (created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)");
        PartitionException e = refused(db, () -> engine(db, null, false, Engines.month("ev"), Engines.month("public.ev")).apply(Goal.PREMAKE));
        assertTrue(e.getMessage().contains("<table>\"ev\"</table> and <table>\"public\".\"ev\"</table> are the same table"), e.getMessage());
    }

    @Test
    void aTablePartitionedOnAnotherColumnIsAFindingForItAloneInCheckAndARefusalElsewhere() {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE TABLE ev (created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE by_id (id bigint NOT NULL, created_at timestamptz NOT NULL) PARTITION BY RANGE (id)",
                "CREATE TABLE by_id_1 PARTITION OF by_id FOR VALUES FROM (1) TO (1000)");
        CheckReport report = Engines.engine(db, null, "UTC", Engines.month("ev"), Engines.month("by_id")).check(CheckThresholds.DEFAULTS);
        assertTrue(report.tables().get(0).coverage().isPresent(), "ev is checked as usual");
        assertTrue(report.tables().get(1).findings().stream().anyMatch(f -> f.check() == Check.PARTITION_KEY
                && f.message().contains("partitioned BY RANGE (id), not by (created_at)")), report.tables().get(1).findings().toString());
        PartitionException e = refused(db, () -> engine(db, null, false, Engines.month("by_id")).apply(Goal.PREMAKE));
        assertTrue(e.getMessage().contains("Set <column> to its partition key column"), e.getMessage());
    }

    @Test
    void premakeRefusesASubPartitionedParent() {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE TABLE ev (region text NOT NULL, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE ev_2026_11 PARTITION OF ev FOR VALUES FROM ('2026-11-01 00:00+00') TO ('2026-12-01 00:00+00')"
                        + " PARTITION BY LIST (region)",
                "CREATE TABLE ev_2026_11_eu PARTITION OF ev_2026_11 FOR VALUES IN ('eu')");
        PartitionException e = refused(db, () -> engine(db, null, false, Engines.month("ev")).apply(Goal.PREMAKE));
        assertTrue(e.getMessage().contains("is sub-partitioned") && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
    }

    @Test
    void scramWithoutAPasswordSaysAPasswordIsRequired() {
        TestDb db = TestDb.fresh(getClass());
        assumeTrue(db.server().passwordUserReady(), "needs a server where the test bed can enforce passwords (embedded or container)");
        RunSettings s = PolicyReader.settings("UTC", null, null, null, Clock.systemUTC());
        PartitionEngine engine = new PartitionEngine(new ConnectionSettings(db.url(), TestServer.PASSWORD_USER, null, Map.of()), s,
                PolicyReader.tables(List.of(Engines.month("ev")), s), new Engines.RecordingLog());
        PartitionException e = assertThrows(PartitionException.class, () -> engine.plan(Set.of(Goal.PREMAKE)));
        assertEquals(PartitionException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("password required") && e.getMessage().contains("<serverId>")
                && e.getMessage().contains("<password>"), e.getMessage());
    }
}
