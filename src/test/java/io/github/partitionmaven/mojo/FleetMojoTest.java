package io.github.partitionmaven.mojo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.engine.FleetEngine;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoExtension;
import org.apache.maven.api.plugin.testing.MojoTest;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One policy over three databases on the test server, one of which lacks the table: the others are applied, the build fails naming it. */
@MojoTest
@DatabaseTest
class FleetMojoTest {

    private static final String POM = "src/test/resources/unit/plan/pom.xml";

    @TempDir
    Path out;

    private List<TestDb> fleet(AbstractPartitionMojo mojo) throws Exception {
        TestDb a = TestDb.fresh(getClass());
        TestDb b = TestDb.fresh(getClass());
        TestDb broken = TestDb.fresh(getClass());
        for (TestDb db : List.of(a, b)) {
            db.exec(Seed.partitionedTables(YearMonth.of(2026, 10), YearMonth.of(2026, 10)).toArray(String[]::new));
        }
        broken.exec("CREATE TABLE chat_histories (created_at timestamp NOT NULL) PARTITION BY RANGE (created_at)");
        MojoFixture.connect(mojo, a, out);
        MojoExtension.setVariableValueToObject(mojo, "url", null);
        MojoExtension.setVariableValueToObject(mojo, "parallel", 2);
        return List.of(a, b, broken);
    }

    private static String label(TestDb db) {
        return FleetEngine.labels(List.of(db.url())).get(0);
    }

    @Test
    @InjectMojo(goal = "premake", pom = POM)
    void premakeAppliesToEveryDatabaseAndFailsNamingTheOneThatFailed(PremakeMojo mojo) throws Exception {
        List<TestDb> dbs = fleet(mojo);
        MojoExtension.setVariableValueToObject(mojo, "urls", dbs.stream().map(TestDb::url).toList());
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("partition:premake on 3 database(s): 2 ok, 1 failed (" + label(dbs.get(2)) + ")"), e.getMessage());
        assertTrue(e.getMessage().contains(label(dbs.get(2)) + ": Table \"chat_history\" does not exist"), e.getMessage());
        assertFalse(e.getMessage().contains(label(dbs.get(0)) + ":"), "the databases that worked are not reported as failures");
        assertEquals(4, dbs.get(0).partitions("chat_history").size());
        assertEquals(4, dbs.get(1).partitions("chat_history").size());
    }

    @Test
    @InjectMojo(goal = "check", pom = POM)
    void checkWritesOnePrometheusFileWithADatabaseLabelAndAReportPerDatabase(CheckMojo mojo) throws Exception {
        List<TestDb> dbs = fleet(mojo);
        Path fleetFile = out.resolve("fleet.txt");
        Files.writeString(fleetFile, "# tenants\n" + dbs.get(0).url() + "\n\n" + dbs.get(1).url() + "  # second\n");
        MojoExtension.setVariableValueToObject(mojo, "fleet", fleetFile.toFile());
        File prom = out.resolve("partition.prom").toFile();
        MojoExtension.setVariableValueToObject(mojo, "prometheusFile", prom);
        mojo.execute();
        String text = Files.readString(prom.toPath());
        for (TestDb db : dbs.subList(0, 2)) {
            assertTrue(text.contains("pg_partition_count{database=\"" + label(db) + "\",table=\"public.chat_history\"} 1"), text);
            assertTrue(text.contains("pg_partition_check_timestamp_seconds{database=\"" + label(db) + "\"}"), text);
            assertTrue(Files.exists(out.resolve(label(db).replaceAll("[^A-Za-z0-9._-]", "_")).resolve("check.json")));
        }
        assertEquals(1, text.lines().filter(l -> l.equals("# TYPE pg_partition_count gauge")).count(), "each family once");

        Files.writeString(fleetFile, dbs.get(0).url() + "\nlocalhost:5432/app\n");
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("Line 2 of the fleet file") && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
    }
}
