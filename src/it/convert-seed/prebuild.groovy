import io.github.partitionmaven.testing.ItDatabases
import java.nio.file.Path
import java.time.LocalDate

ItDatabases.create(itPort as int, Path.of(itReadyFile), 'it_convert_seed', ItDatabases.seedPlain(LocalDate.of(2026, 11, 24), 5000)
        + ['ANALYZE chat_history', 'ANALYZE cost_tracking',
           'CREATE TABLE expected AS SELECT count(*) AS n, sum(hashtextextended(c::text, 0)) AS h FROM chat_history c'])
return true
