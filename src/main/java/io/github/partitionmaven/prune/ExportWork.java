package io.github.partitionmaven.prune;

import io.github.partitionmaven.catalog.StorageParameters;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.Jdbc;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.core.Durations;
import io.github.partitionmaven.core.Sql;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.postgresql.PGConnection;

/**
 * Exports a detached partition to its archive: COPY ... TO STDOUT as CSV with a header, compressed
 * and hashed on a second thread, into a file under a temporary name (forced to disk and renamed) or
 * an S3 multipart upload (completed only when every part is in); then the manifest. A manifest
 * already there for this table and range means an earlier run finished the export: it is reused
 * (the drop step verifies it), never overwritten. The SHARE lock keeps writers out, so the rows COPY
 * sent are the table's rows; the drop step counts them again, under ACCESS EXCLUSIVE, against the
 * manifest.
 */
record ExportWork(TableName table, DetachMarker marker, List<String> columns, ArchiveFiles files, PruneOptions options,
                  String lower, String upper, long estimatedRows, long tableBytes) implements StepWork {

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    String lockSql() {
        return "LOCK TABLE " + table.sql() + " IN SHARE MODE";
    }

    String copySql() {
        return "COPY (SELECT " + Sql.identList(columns) + " FROM " + table.sql() + ") TO STDOUT WITH (FORMAT csv, HEADER)";
    }

    /** The statements the plan shows for this work. */
    List<String> describe() {
        String how = options.compression() == PruneOptions.Compression.GZIP ? "gzip level " + options.compressionLevel() : "uncompressed";
        String into = options.s3() == null
                ? " temporary file, fsync, rename to " + files.dataLocation()
                : " multipart upload (aborted on any failure) to " + files.dataLocation() + " (" + String.join(", ", options.storeOptions())
                        + ", parts of " + Durations.bytes(options.s3().partSizeFor(tableBytes)) + ")";
        return List.of(lockSql(),
                copySql() + "  -- " + how + ", SHA-256 and CSV record count (must equal the rows COPY sent) on the way, into a" + into,
                "write manifest " + files.manifestLocation() + "  (an existing manifest for this table and range is reused, not overwritten)");
    }

    @Override
    public void run(Connection c, EngineLog log) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute(lockSql());
        }
        try (ArchiveStore store = files.open()) {
            export(c, store, log);
        }
    }

    private void export(Connection c, ArchiveStore store, EngineLog log) throws Exception {
        String data = files.dataLocation();
        List<ArchiveManifest.Column> types = columnTypes(c);
        ArchiveManifest.Properties properties = properties(c);
        ArchiveStore.Sink sink;
        try {
            if (store.exists(files.manifest())) {
                reuse(store, c.getCatalog(), log);
                return;
            }
            if (store.exists(files.data())) {
                log.warn(data + " exists without a manifest: it is what an interrupted export left; exporting again over it.");
            }
            store.discardUnfinished(files.data(), log);
            sink = store.create(files.data(), tableBytes, log);
        } catch (IOException e) {
            throw failed(data, e);
        }
        // from here on every way out commits or aborts the sink: no temporary file, no open multipart upload stays behind
        ArchiveWriter writer = new ArchiveWriter(sink.stream(), options.compression(), options.compressionLevel());
        try {
            long started = System.nanoTime();
            long[] nextReport = {started + PROGRESS_EVERY.toNanos()};
            writer.onChunk(() -> {
                long now = System.nanoTime();
                if (now >= nextReport[0]) {
                    nextReport[0] = now + PROGRESS_EVERY.toNanos();
                    log.info("      " + progress(writer.recordsSoFar(), writer.bytesWritten(), now - started));
                }
            });
            long copied;
            try {
                copied = c.unwrap(PGConnection.class).getCopyAPI().copyOut(copySql(), writer);
            } catch (java.sql.SQLException cancelled) {
                if (writer.writeFailure() == null) {
                    throw cancelled;
                }
                // the file could not be written, so the driver cancelled the COPY: report the I/O error, not the cancel
                IOException cause = writer.writeFailure();
                cause.addSuppressed(cancelled);
                throw cause;
            }
            ArchiveWriter.Result result = writer.finish();
            if (!result.balanced() || result.records() - 1 != copied) {
                throw new IOException("the file holds " + (result.records() - 1) + " CSV records but COPY sent " + copied + " rows");
            }
            sink.commit();
            ArchiveManifest manifest = new ArchiveManifest(files.data(), c.getCatalog(), table, marker.parent(), marker.bound(),
                    lower, upper, types, copied, result.sha256(), result.bytes(), options.compression().name().toLowerCase(Locale.ROOT),
                    options.pluginVersion(), Instant.now().toString(), sink.storeChecksum(), properties);
            store.writeText(files.manifest(), manifest.toJson());
            long took = System.nanoTime() - started;
            log.info("      archived " + copied + " rows of " + table + " to " + data + " (" + Durations.bytes(result.bytes())
                    + ", " + Durations.format(Duration.ofNanos(took)) + ", " + rate(result.bytes() + 0.0, took) + "/s compressed)");
        } catch (IOException e) {
            writer.abort();
            sink.abort();
            throw failed(data, e);
        } finally {
            writer.abort();
            sink.abort();
        }
    }

    private PartitionException failed(String data, IOException e) {
        return PartitionException.environment("Could not write the archive of " + table + " to " + data + ": "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                + (e.getSuppressed().length > 0 ? " (the driver then cancelled the COPY"
                + (e.getSuppressed()[0] instanceof java.sql.SQLException sql ? ", SQL state " + sql.getSQLState() : "") + ")" : "")
                + ". Nothing was dropped: " + table + " stays detached and marked, and the next prune run exports it again"
                + (options.s3() == null ? " (free space or fix permissions first)." : " (fix the cause first)."), e);
    }

    private void reuse(ArchiveStore store, String database, EngineLog log) throws IOException {
        ArchiveManifest m = ArchiveManifest.read(store, files.manifest());
        Optional<String> problem = m.mismatch(database, table, marker.parent(), marker.bound());
        if (problem.isEmpty() && !store.exists(files.data())) {
            problem = Optional.of("its data file " + files.dataLocation() + " is missing");
        }
        if (problem.isPresent()) {
            throw PartitionException.environment("The archive manifest " + files.manifestLocation() + " already exists but " + problem.get()
                    + ". Nothing was dropped. Move the manifest (and its file) away and run prune again.", null);
        }
        log.info("      " + files.dataLocation() + " already holds " + m.rows() + " rows of " + table + " (exported " + m.createdAt()
                + "): reused; it is verified before the drop");
    }

    /** The partition's persistence, storage parameters and replica identity, which restore gives it back. */
    private ArchiveManifest.Properties properties(Connection c) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT c.relpersistence = 'u', c.reloptions, (SELECT t.reloptions FROM pg_class t"
                + " WHERE t.oid = c.reltoastrelid), c.relreplident::text FROM pg_class c WHERE c.oid = pg_catalog.to_regclass(?::pg_catalog.text)")) {
            ps.setString(1, table.sql());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return ArchiveManifest.Properties.NONE;
                }
                return new ArchiveManifest.Properties(rs.getBoolean(1), StorageParameters.of(Jdbc.strings(rs.getArray(2)),
                        Jdbc.strings(rs.getArray(3))), rs.getString(4).charAt(0));
            }
        }
    }

    private List<ArchiveManifest.Column> columnTypes(Connection c) throws Exception {
        Map<String, String> types = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT attname::text, pg_catalog.format_type(atttypid, atttypmod) FROM pg_attribute"
                + " WHERE attrelid = pg_catalog.to_regclass(?::pg_catalog.text) AND attnum > 0 AND NOT attisdropped")) {
            ps.setString(1, table.sql());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    types.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return columns.stream().map(name -> new ArchiveManifest.Column(name, types.get(name))).toList();
    }

    private String progress(long records, long bytes, long nanos) {
        long rows = Math.max(0, records - 1);
        double perSecond = rows / Math.max(1e-9, nanos / 1e9);
        String of = estimatedRows > 0 ? " of ~" + estimatedRows + " (" + Math.min(100, rows * 100 / estimatedRows) + "%)" : "";
        String left = estimatedRows > rows && perSecond > 0
                ? ", ~" + Durations.format(Duration.ofSeconds((long) ((estimatedRows - rows) / perSecond))) + " left" : "";
        return "archiving " + table + ": " + rows + " rows" + of + ", " + String.format(Locale.ROOT, "%.0f", perSecond) + " rows/s, "
                + Durations.bytes(bytes) + " written" + left;
    }

    private static String rate(double amount, long nanos) {
        return Durations.bytes((long) (amount / Math.max(1e-9, nanos / 1e9)));
    }

}
