package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.Jdbc;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.core.TableName;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

/**
 * Drops an archived table only after reading its archive back: the file's SHA-256 and CSV record
 * count must equal the manifest, and the table's row count too, all while the table is locked.
 */
record DropArchivedWork(TableName table, ArchiveFiles files) implements StepWork {

    String lockSql() {
        return "LOCK TABLE " + table.sql() + " IN ACCESS EXCLUSIVE MODE";
    }

    String dropSql() {
        return "DROP TABLE " + table.sql();
    }

    List<String> describe() {
        return List.of(lockSql(),
                "read back " + files.data() + ": decompress, count CSV records, SHA-256  -- must equal " + files.manifest(),
                "SELECT count(*) FROM " + table.sql() + "  -- must equal the manifest's row count",
                dropSql());
    }

    @Override
    public void run(Connection c, EngineLog log) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute(lockSql());
            if (!Files.exists(files.manifest())) {
                throw PartitionException.environment("The archive manifest " + files.manifest() + " of " + table + " is missing, so the"
                        + " archive cannot be verified. Nothing was dropped; run prune again to export it.", null);
            }
            ArchiveManifest manifest = ArchiveManifest.read(files.manifest());
            long rows = Jdbc.queryLong(s.getConnection(), "SELECT count(*) FROM " + table.sql());
            ArchiveCheck.verify(manifest, files.data(), rows, table, log);
            log.info("      verified " + files.data() + ": " + rows + " rows, SHA-256 " + manifest.sha256());
            s.execute(dropSql());
        }
    }
}
