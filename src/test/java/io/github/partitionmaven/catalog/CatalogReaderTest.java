package io.github.partitionmaven.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.sql.Connection;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@DatabaseTest
class CatalogReaderTest {

    @Test
    void estimatedSizesFollowExactSizesOnceAnalyzedAndBoundsComeFromTheCatalog() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        List<String> sql = new ArrayList<>(Seed.partitionedTables(YearMonth.of(2026, 1), YearMonth.of(2026, 3)));
        sql.addAll(Seed.rows(10, 20_000, LocalDate.of(2026, 1, 1), LocalDate.of(2026, 4, 1)));
        sql.add("VACUUM ANALYZE");
        db.exec(sql.toArray(String[]::new));
        RunSettings s = PolicyReader.settings("UTC", "2026-03-15", null, null, Clock.systemUTC());
        List<TablePolicy> policies = PolicyReader.tables(List.of(Engines.month("chat_history")), s);
        try (Connection c = db.connect()) {
            TableState exact = CatalogReader.read(c, policies, ZoneId.of("UTC"), CatalogReader.Sizes.EXACT).tables().get(0);
            TableState estimated = CatalogReader.read(c, policies, ZoneId.of("UTC"), CatalogReader.Sizes.ESTIMATED).tables().get(0);
            double ratio = (double) estimated.totalBytes() / exact.totalBytes();
            assertTrue(ratio > 0.8 && ratio <= 1.0, "estimated " + estimated.totalBytes() + " vs exact " + exact.totalBytes());
            assertEquals(3, exact.partitions().size());
            assertEquals(KeyType.TIMESTAMP.micros(LocalDate.of(2026, 2, 1), ZoneId.of("UTC")), exact.partitions().get(1).lower());
            assertEquals(20_000, exact.partitions().stream().mapToLong(PartitionInfo::estimatedRows).sum(), 200);
        }
    }
}
