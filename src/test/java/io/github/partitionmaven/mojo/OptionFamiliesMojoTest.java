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
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoTest;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One POM configures the plugin for every goal with batchSize=5 (out of range for convert) and
 * archiveCompressionLevel=0 (out of range for prune): only the goals that read an option refuse it.
 */
@MojoTest
@DatabaseTest
class OptionFamiliesMojoTest {

    private static final String POM = "src/test/resources/unit/options/pom.xml";

    @TempDir
    Path out;

    private TestDb configure(AbstractPartitionMojo mojo) throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2026, 10), YearMonth.of(2026, 12)).toArray(String[]::new));
        MojoFixture.connect(mojo, db, out);
        return db;
    }

    @Test
    @InjectMojo(goal = "check", pom = POM)
    void checkIgnoresTheConvertAndArchiveOptionsItDoesNotRead(CheckMojo mojo) throws Exception {
        TestDb db = configure(mojo);
        org.apache.maven.api.plugin.testing.MojoExtension.setVariableValueToObject(mojo, "prometheusFile",
                out.resolve("partition.prom").toFile());
        String before = db.snapshot();
        mojo.execute();
        assertTrue(Files.exists(out.resolve("check.json")));
        assertEquals(before, db.snapshot());
    }

    @Test
    @InjectMojo(goal = "premake", pom = POM)
    void premakeIgnoresTheArchiveAndConvertOptionsItDoesNotRead(PremakeMojo mojo) throws Exception {
        TestDb db = configure(mojo);
        mojo.execute();
        assertEquals(4, db.partitions("chat_history").size(), "premake ran: October to January");
    }

    @Test
    @InjectMojo(goal = "prune", pom = POM)
    void pruneRefusesTheArchiveLevelItReads(PruneMojo mojo) throws Exception {
        TestDb db = configure(mojo);
        String before = db.snapshot();
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("<archiveCompressionLevel>0</archiveCompressionLevel> is out of range"), e.getMessage());
        assertEquals(before, db.snapshot());
    }

    @Test
    @InjectMojo(goal = "plan", pom = POM)
    void planTakesEveryGoalsOptionsAndRefusesTheBatchSize(PlanMojo mojo) throws Exception {
        configure(mojo);
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("<batchSize>5</batchSize> is out of range"), e.getMessage());
    }
}
