import io.github.partitionmaven.testing.ItDatabases

def log = new File(basedir, 'build.log').text
def port = itPort as int
// partition:plan showed the whole conversion of both tables before anything ran
assert log.contains('[convert] create "public"."chat_history_new" partitioned by range on created_at with 16 partition(s)')
assert log.contains('[convert] swap: "public"."cost_tracking" becomes "public"."cost_tracking_old"')
// convert copied with progress, verified, swapped
assert log.contains('copied 5,000 of ~5,000 rows')
assert log.count('counts and checksums match') == 2
// the second run had nothing to convert
assert log.contains('is already partitioned (converted; the old table is kept as "public"."chat_history_old"): nothing to convert')
for (table in ['chat_history', 'cost_tracking']) {
    assert ItDatabases.queryStrings(port, 'it_convert_seed', "SELECT relkind::text FROM pg_class WHERE relname = '${table}'") == ['p']
    assert ItDatabases.queryLong(port, 'it_convert_seed',
            "SELECT count(*) FROM pg_inherits WHERE inhparent = '${table}'::regclass") == 16
}
assert ItDatabases.queryLong(port, 'it_convert_seed', '''SELECT count(*) FROM expected e,
        (SELECT count(*) AS n, sum(hashtextextended(c::text, 0)) AS h FROM chat_history c) now WHERE e.n = now.n AND e.h = now.h''') == 1
return true
