import io.github.partitionmaven.testing.ItDatabases
import io.github.partitionmaven.testing.S3Server
import java.nio.file.Path
import java.time.LocalDate

// The build's S3 server (bucket it-archive) is up once its ready file names the endpoint.
S3Server.awaitReady(Path.of(itS3ReadyFile))
// Monthly partitions May to October 2026 with 3000 rows per table.
ItDatabases.create(itPort as int, Path.of(itReadyFile), 'it_prune_archive_s3', ItDatabases.seedPartitioned(LocalDate.of(2026, 11, 24), 3000))
return true
