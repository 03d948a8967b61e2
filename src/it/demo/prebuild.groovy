import io.github.partitionmaven.testing.DemoWriter
import io.github.partitionmaven.testing.ItDatabases
import io.github.partitionmaven.testing.Seed
import java.nio.file.Path
import java.time.LocalDate

// The seed's "current structure", verbatim (users, chat_history, cost_tracking: SERIAL keys, nullable columns),
// 500,000 chat_history and 100,000 cost_tracking rows (a cost row per few messages) spread over the last 12 months.
long t0 = System.nanoTime()
int port = itPort as int
def from = LocalDate.now().withDayOfMonth(1).minusMonths(12)
def chat = Seed.rows(100, 500000, from, LocalDate.now())
def cost = Seed.rows(100, 100000, from, LocalDate.now())
new File(basedir, 'target/archives').mkdirs()
ItDatabases.create(port, Path.of(itReadyFile), 'it_demo', Seed.plainTables() + [chat[0], chat[1], cost[2]]
        + ['ANALYZE users', 'ANALYZE chat_history', 'ANALYZE cost_tracking',
           'CREATE TABLE demo_before AS SELECT (SELECT count(*) FROM chat_history) AS chat, (SELECT count(*) FROM cost_tracking) AS cost'])
DemoWriter.start(port, 'it_demo', basedir.toPath().resolve('target/writer.stop'), basedir.toPath().resolve('target/writer.stats'))
println "[demo] seed tables created and filled in ${(System.nanoTime() - t0) / 1_000_000_000} s: " +
        ItDatabases.queryLong(port, 'it_demo', 'SELECT chat FROM demo_before') + ' chat_history rows, ' +
        ItDatabases.queryLong(port, 'it_demo', 'SELECT cost FROM demo_before') + ' cost_tracking rows; the writer is running.'
new File(basedir, 'target/demo.started').text = Long.toString(System.currentTimeMillis())
return true
