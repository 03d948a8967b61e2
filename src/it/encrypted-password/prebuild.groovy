import io.github.partitionmaven.testing.ItDatabases
import java.nio.file.Path
import java.time.LocalDate

ItDatabases.create(itPort as int, Path.of(itReadyFile), 'it_encrypted', ItDatabases.seedPartitioned(LocalDate.now(), 100))
return true
