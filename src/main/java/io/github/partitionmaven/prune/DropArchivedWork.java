package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.Jdbc;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.core.TableName;
import java.io.IOException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

/**
 * Drops an archived table only after reading its archive back (from disk, or from the bucket): its
 * size, SHA-256 and CSV record count must equal the manifest, and the table's row count too, all
 * while the table is locked.
 */
record DropArchivedWork(TableName table, ArchiveFiles files) implements StepWork {

    String lockSql() {
        return "LOCK TABLE " + table.sql() + " IN ACCESS EXCLUSIVE MODE";
    }

    String dropSql() {
        return "DROP TABLE " + table.sql();
    }

    List<String> describe() {
        String how = files.options().s3() == null ? "read back " : "read back (GetObject, not S3's composite part checksum) ";
        return List.of(lockSql(),
                how + files.dataLocation() + ": size, decompress, count CSV records, SHA-256  -- must equal " + files.manifestLocation(),
                "SELECT pg_catalog.count(*) FROM " + table.sql() + "  -- must equal the manifest's row count",
                dropSql());
    }

    @Override
    public void run(Connection c, EngineLog log) throws Exception {
        try (Statement s = c.createStatement(); ArchiveStore store = files.open()) {
            s.execute(lockSql());
            boolean present;
            try {
                present = store.exists(files.manifest());
            } catch (IOException e) {
                throw PartitionException.environment(e.getMessage() + " Nothing was dropped; " + table + " is kept. Run prune again.", e);
            }
            if (!present) {
                throw PartitionException.environment("The archive manifest " + files.manifestLocation() + " of " + table + " is missing, so"
                        + " the archive cannot be verified. Nothing was dropped; run prune again to export it.", null);
            }
            ArchiveManifest manifest = ArchiveManifest.read(store, files.manifest());
            long rows = Jdbc.queryLong(s.getConnection(), "SELECT pg_catalog.count(*) FROM " + table.sql());
            ArchiveCheck.verify(manifest, store, files.data(), rows, table, log);
            log.info("      verified " + files.dataLocation() + ": " + rows + " rows, SHA-256 " + manifest.sha256());
            s.execute(dropSql());
        }
    }
}
