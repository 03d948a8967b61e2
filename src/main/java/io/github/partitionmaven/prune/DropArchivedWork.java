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
 * Drops an archived table only after verifying its archive ({@link ArchiveCheck}): a local file is read
 * back (size, SHA-256, CSV record count); an S3 object's size and S3's own SHA-256 checksum of its
 * parts come from one HeadObject. Either must equal the manifest, and the table's row count the
 * manifest's rows, all while the table is locked.
 */
record DropArchivedWork(TableName table, ArchiveFiles files) implements StepWork {

    String lockSql() {
        return "LOCK TABLE " + table.sql() + " IN ACCESS EXCLUSIVE MODE";
    }

    String dropSql() {
        return "DROP TABLE " + table.sql();
    }

    List<String> describe() {
        String check = files.options().s3() == null
                ? "read back " + files.dataLocation() + ": size, decompress, count CSV records, SHA-256"
                : "HeadObject " + files.dataLocation() + " (ChecksumMode ENABLED): size and S3's SHA-256 checksum of the parts it"
                        + " received (read back if the store reports none)";
        return List.of(lockSql(),
                check + "  -- must equal " + files.manifestLocation(),
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
            String how = ArchiveCheck.verify(manifest, store, files.data(), rows, table, log);
            log.info("      verified " + files.dataLocation() + ": " + rows + " rows, SHA-256 " + manifest.sha256() + " (" + how + ")");
            s.execute(dropSql());
        }
    }
}
