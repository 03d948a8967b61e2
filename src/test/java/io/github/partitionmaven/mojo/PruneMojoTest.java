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
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prune and restore goals as Maven runs them: configuration in, engine call, failures as Maven failures. */
@DatabaseTest
class PruneMojoTest {

    @TempDir
    Path dir;

    @Test
    void dryRunThenPruneThenRestore() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2025, 10), YearMonth.of(2026, 9)).toArray(String[]::new));
        db.exec(Seed.rows(10, 5_000, LocalDate.of(2025, 10, 1), LocalDate.of(2026, 8, 1)).toArray(String[]::new));
        long total = db.queryLong("SELECT count(*) FROM chat_history");
        String before = db.snapshot();

        configure(new PlanMojo(), db).execute();
        String planSql = Files.readString(dir.resolve("report").resolve("plan.sql"));
        assertTrue(planSql.contains("-- [prune] \"public\".\"chat_history\": detach partition \"public\".\"chat_history_2025_10\"")
                && planSql.contains("COPY (SELECT") && planSql.contains("DROP TABLE \"public\".\"chat_history_2025_12\""), planSql);
        assertEquals(before, db.snapshot());

        PruneMojo dry = configure(new PruneMojo(), db);
        dry.dryRun = true;
        dry.execute();
        assertEquals(before, db.snapshot());

        configure(new PruneMojo(), db).execute();
        assertEquals(9, db.partitions("chat_history").size());
        assertTrue(Files.exists(dir.resolve("public.chat_history_2025_10.manifest.json")));

        for (String month : List.of("2025_10", "2025_11", "2025_12")) {
            RestoreMojo restore = configure(new RestoreMojo(), db);
            setField(restore, "manifest", dir.resolve("public.chat_history_" + month + ".manifest.json").toString());
            restore.execute();
        }
        assertEquals(12, db.partitions("chat_history").size());
        assertEquals(total, db.queryLong("SELECT count(*) FROM chat_history"));
    }

    @Test
    void aMissingArchiveDirectoryFailsTheBuildWithTheFix() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2025, 10), YearMonth.of(2026, 9)).toArray(String[]::new));
        PruneMojo mojo = configure(new PruneMojo(), db);
        mojo.archiveDirectory = dir.resolve("nope").toString();

        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
    }

    @Test
    void anArchiveServerIdNamingNoServerFailsTheBuildWithTheFix() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2025, 10), YearMonth.of(2026, 9)).toArray(String[]::new));
        String before = db.snapshot();
        PruneMojo mojo = configure(new PruneMojo(), db);
        mojo.archiveDirectory = "s3://archive-test/prefix/";
        mojo.archiveServerId = "no-such-server";
        mojo.settings = new org.apache.maven.settings.Settings();

        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("<archiveServerId>no-such-server</archiveServerId> names no <server> in settings.xml")
                && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
        assertEquals(before, db.snapshot());
    }

    private <T extends AbstractPartitionMojo> T configure(T mojo, TestDb db) {
        mojo.url = db.url();
        mojo.user = db.settings().user();
        mojo.password = db.settings().password();
        mojo.timeZone = "UTC";
        if (mojo instanceof AbstractTablesMojo tables) {
            tables.now = "2026-07-01";
        }
        mojo.lockTimeout = "500ms";
        mojo.maxAttempts = 3;
        if (mojo instanceof PruneMojo prune) {
            prune.archiveDirectory = dir.toString();
            prune.archiveCompression = "gzip";
            prune.archiveCompressionLevel = 1;
        }
        if (mojo instanceof PlanMojo plan) {
            plan.archiveDirectory = dir.toString();
            plan.outputDirectory = new File(dir.toFile(), "report");
        }
        if (mojo instanceof AbstractTablesMojo withTables) {
            TableConfig table = new TableConfig();
            table.setName("chat_history");
            table.setColumn("created_at");
            table.setInterval("month");
            table.setRetention("6 months");
            table.setRetentionMode("archive");
            withTables.tables = List.of(table);
        }
        return mojo;
    }

    private static void setField(Object target, String name, Object value) throws ReflectiveOperationException {
        var f = target.getClass().getDeclaredField(name);
        f.setAccessible(true);
        f.set(target, value);
    }
}
