import io.github.partitionmaven.testing.ItDatabases
import java.nio.file.Path
import java.time.LocalDate

// Partitions May to October 2026: none holds 2026-11-24.
ItDatabases.create(itPort as int, Path.of(itReadyFile), 'it_check_fail_on', ItDatabases.seedPartitioned(LocalDate.of(2026, 11, 24), 1000))
return true
