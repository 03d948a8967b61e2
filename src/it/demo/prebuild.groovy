import io.github.partitionmaven.testing.ItDatabases
import java.nio.file.Path
import java.time.LocalDate

// Seed-shaped chat_history and cost_tracking, partitioned by month for the last six months, 50,000 rows each.
ItDatabases.create(itPort as int, Path.of(itReadyFile), 'it_demo', ItDatabases.seedPartitioned(LocalDate.now(), 50000))
return true
