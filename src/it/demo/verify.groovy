import io.github.partitionmaven.testing.ItDatabases
import groovy.json.JsonSlurper

def log = new File(basedir, 'build.log').text
assert log.contains('[premake] create partition "public"."chat_history_')
assert log.contains('Everything is up to date: nothing to do.')
def plan = new JsonSlurper().parse(new File(basedir, 'target/partition/plan.json'))
assert plan.upToDate == true
// current month + 3 ahead were created for both tables, next to the six seeded months
int port = itPort as int
assert ItDatabases.queryLong(port, 'it_demo', "SELECT count(*) FROM pg_inherits WHERE inhparent = 'chat_history'::regclass") == 10
assert ItDatabases.queryLong(port, 'it_demo', "SELECT count(*) FROM pg_inherits WHERE inhparent = 'cost_tracking'::regclass") == 10
assert ItDatabases.queryLong(port, 'it_demo', "SELECT count(*) FROM chat_history") == 50000
return true
