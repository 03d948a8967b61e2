package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.engine.Planners;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Arrays;
import java.util.List;

/** Engines and tables for the prune tests. */
final class PruneFixture {

    private PruneFixture() {
    }

    static TableSpec retained(String table, String retention, String mode) {
        return new TableSpec(table, "created_at", "month", null, null, retention, mode, null);
    }

    static PartitionEngine engine(TestDb db, String now, String zone, Path archiveDirectory, EngineLog log, TableSpec... tables) {
        return engineWith(db, now, zone, new PruneOptions(archiveDirectory, PruneOptions.Compression.GZIP,
                PruneOptions.DEFAULT_COMPRESSION_LEVEL, "test"), log, tables);
    }

    static PartitionEngine engineWith(TestDb db, String now, String zone, PruneOptions options, EngineLog log, TableSpec... tables) {
        RunSettings settings = PolicyReader.settings(zone, now, "300ms", 3, Clock.systemUTC());
        return new PartitionEngine(db.settings(), settings, PolicyReader.tables(Arrays.asList(tables), settings),
                Planners.standard(options), log);
    }

    static PartitionEngine engine(TestDb db, String now, Path archiveDirectory, TableSpec... tables) {
        return engine(db, now, "UTC", archiveDirectory, new Engines.RecordingLog(), tables);
    }

    /** The seed's tables partitioned by month from October 2025 to September 2026, with {@code rows} rows each up to August 2026. */
    static void seed(TestDb db, long rows) {
        db.exec(Seed.partitionedTables(YearMonth.of(2025, 10), YearMonth.of(2026, 9)).toArray(String[]::new));
        db.exec(Seed.rows(20, rows, LocalDate.of(2025, 10, 1), LocalDate.of(2026, 8, 1)).toArray(String[]::new));
        db.exec("ANALYZE");
    }

    static List<String> names(TestDb db, String parent) {
        return db.partitions(parent).stream().map(s -> s.substring(0, s.indexOf(' '))).toList();
    }

    /** An order-independent checksum over every column of every row of a query. */
    static String checksum(TestDb db, String relation) {
        return db.queryStrings("SELECT count(*) || ':' || coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint)::text, '0')"
                + " FROM " + relation + " t").get(0);
    }
}
