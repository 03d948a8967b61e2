import io.github.partitionmaven.testing.DemoWriter
import io.github.partitionmaven.testing.ItDatabases
import groovy.json.JsonSlurper

def log = new File(basedir, 'build.log').text
int port = itPort as int
def db = 'it_demo'
def stats = DemoWriter.stop(basedir.toPath().resolve('target/writer.stop'), basedir.toPath().resolve('target/writer.stats'))

// plan showed the conversion; convert reported progress with rate and time left; prune archived; check passed.
assert log.contains('[convert] create "public"."chat_history_new" partitioned by range on created_at')
assert log =~ /copied [\d,]+ of ~[\d,]+ rows/
assert log.count('counts and checksums match') == 2
assert log.contains('[premake] create partition "public"."chat_history_') || log.contains('Everything is up to date')
assert log =~ /archive/
// check passes the default gate; it warns that the tables convert kept for rollback still hold rows past prune's retention
assert log =~ /2 table\(s\) checked in \d+ ms: 0 failure\(s\), \d+ warning\(s\)\./
assert log.contains('WARN oldTable: "public"."chat_history_old" (') && log.contains('older than the retention of 6 months')
assert !log.contains('BUILD FAILURE')

// The writer's changes were mirrored to chat_ref in the same statements: what chat_history holds now plus what prune
// archived must be exactly what chat_ref holds.
def archives = new File(basedir, 'target/archives')
def manifests = []
archives.eachFileRecurse { if (it.name.endsWith('.manifest.json')) manifests << new JsonSlurper().parse(it) }
def rowsOf = { m -> (m.rows ?: m.rowCount ?: 0) as long }
long archivedChat = manifests.findAll { (it.table ?: it.parent ?: '').toString().contains('chat_history') }.sum(0L) { rowsOf(it) }
long chatNow = ItDatabases.queryLong(port, db, 'SELECT count(*) FROM chat_history')
long chatRef = ItDatabases.queryLong(port, db, 'SELECT count(*) FROM chat_ref')
long chatBefore = ItDatabases.queryLong(port, db, 'SELECT chat FROM demo_before')
long costBefore = ItDatabases.queryLong(port, db, 'SELECT cost FROM demo_before')
long costNow = ItDatabases.queryLong(port, db, 'SELECT count(*) FROM cost_tracking')
long archivedCost = manifests.findAll { (it.table ?: it.parent ?: '').toString().contains('cost_tracking') }.sum(0L) { rowsOf(it) }
// Prune kept the partitions from the month six months back on (retention 6 months): those rows must be identical.
long cutoffMatches = ItDatabases.queryLong(port, db, """SELECT count(*) FROM
        (SELECT count(*) AS n, sum(hashtextextended(c::text, 0)) AS h FROM chat_history c) a,
        (SELECT count(*) AS n, sum(hashtextextended(r::text, 0)) AS h FROM chat_ref r
          WHERE r.created_at >= date_trunc('month', localtimestamp - interval '6 months')) b
        WHERE a.n = b.n AND a.h = b.h""")
def partitions = { t -> ItDatabases.queryLong(port, db, "SELECT count(*) FROM pg_inherits WHERE inhparent = '${t}'::regclass") }
def started = new File(basedir, 'target/demo.started').text as long
def files = []
archives.eachFileRecurse { if (it.isFile()) files << it }

println """
================================ demo summary ================================
The seed's two plain tables were converted online while an application kept writing, then kept healthy:
  chat_history   rows before ${chatBefore}; writer changes since: ${stats.ops} (${stats.errors} errors)
                 now ${chatNow} in ${partitions('chat_history')} partitions + ${archivedChat} archived = ${chatNow + archivedChat}
                 mirror of every change (chat_ref): ${chatRef} rows; live rows and checksum equal: ${cutoffMatches == 1 ? 'yes' : 'NO'}
  cost_tracking  rows before ${costBefore}; now ${costNow} in ${partitions('cost_tracking')} partitions + ${archivedCost} archived
  archives       ${files.size()} file(s) in ${archives} (${manifests.size()} verified partition archive(s) with manifests)
  writer         ${stats.ops} inserts/updates/deletes over ${stats.seconds} s; longest stall ${stats.longestStallMillis} ms
  check          passed the default gate (coverage, defaultRows, detachPending, conversion); it warns (oldTable) that
                 chat_history_old and cost_tracking_old are kept for partition:rollback, the first with rows past the retention
  wall time      ${(System.currentTimeMillis() - started) / 1000} s from the filled tables to this line
==============================================================================
"""
assert stats.errors == '0' : "the writer saw errors: ${stats.firstError}"
assert chatNow + archivedChat == chatRef : "rows lost or duplicated: ${chatNow} + ${archivedChat} != ${chatRef}"
assert costNow + archivedCost == costBefore
assert cutoffMatches == 1
assert manifests.size() > 0
return true
