package io.github.partitionmaven.mojo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** convert's {@code <throttle>} read from a POM: the plan of the seed's plain chat_history shows it on the copy and index steps. */
@MojoTest
@DatabaseTest
class ThrottleMojoTest {

    @TempDir
    Path out;

    @Test
    @InjectMojo(goal = "plan", pom = "src/test/resources/unit/throttle/pom.xml")
    void thePlanShowsWhenTheCopyPausesAndHowItIsPaced(PlanMojo mojo) throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.plainTables().toArray(String[]::new));
        MojoFixture.connect(mojo, db, out);
        String before = db.snapshot();
        mojo.execute();
        assertEquals(before, db.snapshot());
        String md = Files.readString(out.resolve("plan.md"));
        String copy = "between batches it pauses while a standby's replay lag is over 5.0 s (<maxReplicaLag>), or more than 256 WAL"
                + " segments wait for archive_command (<maxArchiveBacklog>), at most 10 min 0 s at a time (<timeout>); keeps the"
                + " server's WAL to 40.0 MB/s on average (<maxWalRate>)";
        assertTrue(md.contains(copy), md);
        assertTrue(md.contains(copy.replace("between batches", "between partitions")), "the index builds too");
        assertTrue(!md.contains("autovacuum works on"), "<pauseForAutovacuum>false</pauseForAutovacuum>");
        assertTrue(Files.readString(out.resolve("plan.sql")).contains("FROM pg_catalog.pg_stat_replication WHERE replay_lag > interval '5000 milliseconds'"));
    }
}
