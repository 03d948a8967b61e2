import io.github.partitionmaven.testing.ItDatabases
import java.nio.file.Path
import java.time.LocalDate

ItDatabases.create(itPort as int, Path.of(itReadyFile), 'it_premake_twice', ItDatabases.seedPartitioned(LocalDate.of(2026, 11, 24), 1000))
return true
