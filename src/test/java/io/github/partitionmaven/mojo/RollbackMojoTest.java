package io.github.partitionmaven.mojo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** partition:convert with strategy attach, then partition:rollback as Maven runs them, with its row limit. */
@DatabaseTest
class RollbackMojoTest {

    @TempDir
    Path dir;

    @Test
    void attachThenRollbackWithinTheRowLimit() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.plainTables().toArray(String[]::new));
        db.exec(Seed.rows(10, 500, LocalDate.of(2026, 1, 1), LocalDate.of(2026, 11, 1)).toArray(String[]::new));
        ConvertMojo convert = configure(new ConvertMojo(), db);
        convert.strategy = "attach";
        convert.execute();
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) SELECT 1, 'user', 'new', timestamp '2026-12-02' + g * interval '1 hour'"
                + " FROM generate_series(1, 5) g");
        String converted = db.snapshot();

        RollbackMojo limited = configure(new RollbackMojo(), db);
        limited.rollbackMaxRows = 4L;
        MojoFailureException e = assertThrows(MojoFailureException.class, limited::execute);
        assertTrue(e.getMessage().contains("hold more than 4 rows") && e.getMessage().endsWith("Nothing was changed."), e.getMessage());
        assertEquals(converted, db.snapshot());

        configure(new RollbackMojo(), db).execute();
        assertEquals(List.of("r"), db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'"));
        assertEquals(505, db.queryLong("SELECT count(*) FROM chat_history"));
        MojoFailureException again = assertThrows(MojoFailureException.class, () -> configure(new RollbackMojo(), db).execute());
        assertTrue(again.getMessage().contains("nothing to roll back"), again.getMessage());
    }

    private <T extends AbstractTablesMojo> T configure(T mojo, TestDb db) throws IllegalAccessException {
        MojoFixture.connect(mojo, db, dir);
        mojo.timeZone = "UTC";
        mojo.now = "2026-11-24";
        TableConfig table = new TableConfig();
        table.setName("chat_history");
        table.setColumn("created_at");
        table.setInterval("month");
        mojo.tables = List.of(table);
        return mojo;
    }
}
