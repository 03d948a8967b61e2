package io.github.partitionmaven.mojo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
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

@MojoTest
@DatabaseTest
class CheckMojoTest {

    private static final String POM = "src/test/resources/unit/plan/pom.xml";

    @TempDir
    Path out;

    private TestDb configure(CheckMojo mojo) throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2026, 10), YearMonth.of(2026, 12)).toArray(String[]::new));
        MojoFixture.connect(mojo, db, out);
        MojoExtension.setVariableValueToObject(mojo, "prometheusFile", out.resolve("metrics/partition.prom").toFile());
        return db;
    }

    private String status() throws Exception {
        String prom = Files.readString(out.resolve("metrics/partition.prom"));
        return prom.lines().filter(l -> l.startsWith("pg_partition_check_status{")).findFirst().orElseThrow();
    }

    @Test
    @InjectMojo(goal = "check", pom = POM)
    void byDefaultShortCoverageFailsTheBuildAfterWritingTheReports(CheckMojo mojo) throws Exception {
        TestDb db = configure(mojo);
        String before = db.snapshot();

        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("partition:check failed on coverage (failOn):"), e.getMessage());
        assertTrue(e.getMessage().contains("mvn partition:premake"), e.getMessage());
        assertTrue(Files.readString(out.resolve("check.json")).contains("\"status\": \"failing\""));
        assertEquals("pg_partition_check_status{table=\"public.chat_history\"} 2", status(), "the metrics show the failure too");
        assertEquals(before, db.snapshot());
    }

    @Test
    @InjectMojo(goal = "check", pom = POM)
    void failOnNoneOnlyReportsAndAnExplicitListGatesOnItsChecksOnly(CheckMojo mojo) throws Exception {
        TestDb db = configure(mojo);
        String before = db.snapshot();

        MojoExtension.setVariableValueToObject(mojo, "failOn", List.of("none"));
        mojo.execute();
        assertTrue(Files.readString(out.resolve("check.json")).contains("\"status\": \"warning\""));
        assertEquals("pg_partition_check_status{table=\"public.chat_history\"} 1", status(), "coverage under 2 months only warns");

        MojoExtension.setVariableValueToObject(mojo, "failOn", List.of("defaultRows,detachPending"));
        mojo.execute();
        assertEquals("pg_partition_check_status{table=\"public.chat_history\"} 1", status(), "coverage is not in the list");

        MojoExtension.setVariableValueToObject(mojo, "failOn", List.of("defaultRows,coverage"));
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("partition:check failed on coverage (failOn):"), e.getMessage());
        assertEquals(before, db.snapshot());
    }

    @Test
    @InjectMojo(goal = "check", pom = POM)
    void unknownCheckInFailOnNamesTheChoices(CheckMojo mojo) throws Exception {
        configure(mojo);
        MojoExtension.setVariableValueToObject(mojo, "failOn", List.of("coverge"));
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("Unknown check 'coverge'") && e.getMessage().contains("coverage")
                && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
    }
}
