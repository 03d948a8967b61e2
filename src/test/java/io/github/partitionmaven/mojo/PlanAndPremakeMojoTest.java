package io.github.partitionmaven.mojo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.YearMonth;
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoExtension;
import org.apache.maven.api.plugin.testing.MojoTest;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@MojoTest
@DatabaseTest
class PlanAndPremakeMojoTest {

    private static final String POM = "src/test/resources/unit/plan/pom.xml";

    @TempDir
    Path out;

    private TestDb configure(AbstractPartitionMojo mojo) throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2026, 10), YearMonth.of(2026, 10)).toArray(String[]::new));
        MojoFixture.connect(mojo, db, out);
        return db;
    }

    @Test
    @InjectMojo(goal = "plan", pom = POM)
    void planWritesRunnableSqlAndJsonAndChangesNothing(PlanMojo mojo) throws Exception {
        TestDb db = configure(mojo);
        String before = db.snapshot();
        mojo.execute();
        assertEquals(before, db.snapshot());
        String sql = Files.readString(out.resolve("plan.sql"));
        assertTrue(sql.contains("CREATE TABLE \"public\".\"chat_history_2026_11\" (LIKE \"public\".\"chat_history\" INCLUDING ALL EXCLUDING IDENTITY);"), sql);
        assertTrue(sql.contains("FOR VALUES FROM ('2026-11-01 00:00:00') TO ('2026-12-01 00:00:00');"), sql);
        String json = Files.readString(out.resolve("plan.json"));
        assertTrue(json.contains("\"upToDate\": false") && json.contains("\"mode\": \"SHARE UPDATE EXCLUSIVE\""), json);

        // The script runs as it is and leaves nothing more to do.
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
        assertEquals(4, db.partitions("chat_history").size());
        mojo.execute();
        assertTrue(Files.readString(out.resolve("plan.json")).contains("\"upToDate\": true"));
    }

    @Test
    @InjectMojo(goal = "plan", pom = POM)
    void failOnChangesFailsTheBuildWhileThePlanIsNotEmpty(PlanMojo mojo) throws Exception {
        TestDb db = configure(mojo);
        MojoExtension.setVariableValueToObject(mojo, "failOnChanges", true);
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("3 step(s) pending"), e.getMessage());
        db.exec("CREATE TABLE chat_history_2026_11 PARTITION OF chat_history FOR VALUES FROM ('2026-11-01') TO ('2026-12-01')",
                "CREATE TABLE chat_history_2026_12 PARTITION OF chat_history FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')",
                "CREATE TABLE chat_history_2027_01 PARTITION OF chat_history FOR VALUES FROM ('2027-01-01') TO ('2028-02-01')");
        mojo.execute();
    }

    @Test
    @InjectMojo(goal = "premake", pom = POM)
    void premakeRunsAndDryRunDoesNot(PremakeMojo mojo) throws Exception {
        TestDb db = configure(mojo);
        MojoExtension.setVariableValueToObject(mojo, "dryRun", true);
        String before = db.snapshot();
        mojo.execute();
        assertEquals(before, db.snapshot(), "dry run changes nothing");
        MojoExtension.setVariableValueToObject(mojo, "dryRun", false);
        mojo.execute();
        assertEquals(4, db.partitions("chat_history").size());
    }

    @Test
    @InjectMojo(goal = "premake", pom = POM)
    void skipDoesNotEvenConnect(PremakeMojo mojo) throws Exception {
        MojoExtension.setVariableValueToObject(mojo, "url", "jdbc:postgresql://127.0.0.1:1/nowhere");
        MojoExtension.setVariableValueToObject(mojo, "skip", true);
        mojo.execute();
    }

    @Test
    @InjectMojo(goal = "premake", pom = POM)
    void unknownServerIdNamesTheFix(PremakeMojo mojo) throws Exception {
        configure(mojo);
        MojoExtension.setVariableValueToObject(mojo, "serverId", "no-such-server");
        MojoExtension.setVariableValueToObject(mojo, "settings", new org.apache.maven.settings.Settings());
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("names no <server> in settings.xml") && e.getMessage().endsWith("Nothing was changed."));
        assertTrue(new File(POM).exists());
    }

    @Test
    void premakeWithThePlanFileAppliesTheReviewedPlanAndRefusesADriftedOne(
            @InjectMojo(goal = "plan", pom = POM) PlanMojo plan, @InjectMojo(goal = "premake", pom = POM) PremakeMojo premake) throws Exception {
        TestDb db = configure(plan);
        MojoFixture.connect(premake, db, out);
        plan.execute();
        assertTrue(Files.readString(out.resolve("plan.md")).startsWith("### Partition plan: 3 step(s)"));
        MojoExtension.setVariableValueToObject(premake, "planFile", out.resolve("plan.json").toFile());

        // Drift: someone created December by hand after the review.
        db.exec("CREATE TABLE chat_history_2026_12 PARTITION OF chat_history FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')");
        String before = db.snapshot();
        MojoFailureException e = assertThrows(MojoFailureException.class, premake::execute);
        assertTrue(e.getMessage().startsWith("The fresh premake plan differs from the reviewed plan"), e.getMessage());
        assertTrue(e.getMessage().contains("-   sql   CREATE TABLE \"public\".\"chat_history_2026_12\""), e.getMessage());
        assertEquals(before, db.snapshot(), "refused: nothing changed");

        plan.execute();
        premake.execute();
        assertEquals(4, db.partitions("chat_history").size(), "the re-reviewed plan applies: October, November, December, January");
    }
}
