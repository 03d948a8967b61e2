package io.github.partitionmaven.mojo;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.io.File;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DatabaseTest
class CheckMojoTest {

    @TempDir
    Path dir;

    private CheckMojo mojo(TestDb db, String failOn) throws ReflectiveOperationException {
        CheckMojo mojo = new CheckMojo();
        mojo.url = db.url();
        mojo.user = db.settings().user();
        mojo.password = db.settings().password();
        mojo.timeZone = "UTC";
        mojo.now = "2026-11-24";
        mojo.lockTimeout = "500ms";
        mojo.maxAttempts = 3;
        mojo.outputDirectory = dir.toFile();
        TableConfig table = new TableConfig();
        table.setName("chat_history");
        table.setColumn("created_at");
        table.setInterval("month");
        mojo.tables = List.of(table);
        set(mojo, "failOn", failOn == null ? null : List.of(failOn));
        set(mojo, "maxPartitionSize", "10GB");
        set(mojo, "minCoverage", 2);
        set(mojo, "maxDefaultRows", 0L);
        set(mojo, "partitioningThreshold", 10_000_000L);
        set(mojo, "slowStatementThreshold", "500ms");
        set(mojo, "slowStatementsPerTable", 5);
        set(mojo, "prometheusFile", new File(dir.toFile(), "metrics/partition.prom"));
        return mojo;
    }

    private static void set(Object target, String field, Object value) throws ReflectiveOperationException {
        Field f = CheckMojo.class.getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
    }

    @Test
    void failOnFailsTheBuildAfterWritingTheReports() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2026, 10), YearMonth.of(2026, 12)).toArray(String[]::new));

        mojo(db, null).execute();
        assertTrue(Files.exists(dir.resolve("check.json")));
        assertTrue(Files.readString(dir.resolve("metrics/partition.prom")).contains("pg_partition_check_status{table=\"public.chat_history\"} 1"));

        MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo(db, "defaultRows,coverage").execute());
        assertTrue(e.getMessage().startsWith("partition:check failed on coverage (failOn):"), e.getMessage());
        assertTrue(e.getMessage().contains("mvn partition:premake"), e.getMessage());
        assertTrue(Files.readString(dir.resolve("metrics/partition.prom")).contains("pg_partition_check_status{table=\"public.chat_history\"} 2"),
                "the metrics show the failure too");

        MojoFailureException bad = assertThrows(MojoFailureException.class, () -> mojo(db, "coverge").execute());
        assertTrue(bad.getMessage().contains("Unknown check 'coverge'") && bad.getMessage().endsWith("Nothing was changed."), bad.getMessage());
    }
}
