package io.github.partitionmaven.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The application of the demo (src/it/demo): a background thread, started by the prebuild script and living on in the
 * invoker's JVM across the demo's separate Maven runs, that inserts (rows of now), updates and deletes chat_history
 * rows by id, each change mirrored to the plain table {@code chat_ref} in the same statement. It stops when the stop
 * file appears and then writes its figures (operations, errors, longest stall) to the stats file.
 */
public final class DemoWriter {

    private DemoWriter() {
    }

    public static void start(int port, String database, Path stopFile, Path statsFile) throws Exception {
        Files.deleteIfExists(stopFile);
        Files.deleteIfExists(statsFile);
        ItDatabases.exec(port, database, "CREATE TABLE chat_ref AS SELECT * FROM chat_history", "ALTER TABLE chat_ref ADD PRIMARY KEY (id)");
        long maxId = ItDatabases.queryLong(port, database, "SELECT max(id) FROM chat_history");
        Thread t = new Thread(() -> run(port, database, maxId, stopFile, statsFile), "demo-writer");
        t.setDaemon(true);
        t.start();
    }

    private static void run(int port, String database, long maxId, Path stopFile, Path statsFile) {
        String insert = "WITH x AS (INSERT INTO chat_history (user_id, role, content, created_at) VALUES (?, 'user', ?, now()) RETURNING *)"
                + " INSERT INTO chat_ref SELECT * FROM x";
        String update = "WITH x AS (UPDATE chat_history SET content = ?, role = 'assistant' WHERE id = ? RETURNING *)"
                + " UPDATE chat_ref r SET content = x.content, role = x.role FROM x WHERE r.id = x.id";
        String delete = "WITH x AS (DELETE FROM chat_history WHERE id = ? RETURNING id) DELETE FROM chat_ref r USING x WHERE r.id = x.id";
        long ops = 0;
        long errors = 0;
        long maxNanos = 0;
        String firstError = "";
        long started = System.nanoTime();
        try (Connection c = ItDatabases.connect(port, database)) {
            try (Statement s = c.createStatement()) {
                s.execute("SET application_name = 'demo-writer'");
            }
            int n = 0;
            while (n++ % 50 != 0 || !Files.exists(stopFile)) {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                int kind = r.nextInt(10);
                long t0 = System.nanoTime();
                try (PreparedStatement ps = c.prepareStatement(kind < 6 ? insert : kind < 9 ? update : delete)) {
                    if (kind < 6) {
                        ps.setInt(1, 1 + r.nextInt(100));
                        ps.setString(2, "hello " + r.nextLong());
                    } else if (kind < 9) {
                        ps.setString(1, "edited " + r.nextLong());
                        ps.setLong(2, 1 + r.nextLong(maxId));
                    } else {
                        ps.setLong(1, 1 + r.nextLong(maxId));
                    }
                    ps.executeUpdate();
                    ops++;
                } catch (SQLException e) {
                    errors++;
                    firstError = firstError.isEmpty() ? e.getMessage() : firstError;
                }
                maxNanos = Math.max(maxNanos, System.nanoTime() - t0);
                // About 200 changes a second: a busy chat backend, not a load test.
                Thread.sleep(5);
            }
        } catch (SQLException | InterruptedException e) {
            errors++;
            firstError = firstError.isEmpty() ? e.getMessage() : firstError;
        }
        String stats = "ops=" + ops + "\nerrors=" + errors + "\nlongestStallMillis=" + String.format(java.util.Locale.ROOT, "%.1f", maxNanos / 1e6)
                + "\nseconds=" + (System.nanoTime() - started) / 1_000_000_000L + "\nfirstError=" + firstError.replace('\n', ' ') + "\n";
        // Written beside and then renamed: stop() polls for the file, and a file being written exists before its
        // content does (the CI run of d8d03a2 read it empty: "the writer saw errors: null").
        try {
            Path partial = statsFile.resolveSibling(statsFile.getFileName() + ".partial");
            Files.writeString(partial, stats);
            Files.move(partial, statsFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Asks the writer to stop and returns its figures once written. */
    public static java.util.Properties stop(Path stopFile, Path statsFile) throws Exception {
        Files.writeString(stopFile, "stop");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(statsFile) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newInputStream(statsFile)) {
            p.load(in);
        }
        return p;
    }
}
