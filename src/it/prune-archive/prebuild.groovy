import io.github.partitionmaven.testing.ItDatabases
import java.nio.file.Path
import java.time.LocalDate

new File(basedir, 'target/archives').mkdirs()
// Monthly partitions May to October 2026 with 3000 rows per table.
ItDatabases.create(itPort as int, Path.of(itReadyFile), 'it_prune_archive', ItDatabases.seedPartitioned(LocalDate.of(2026, 11, 24), 3000))
return true
