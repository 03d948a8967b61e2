import io.github.partitionmaven.testing.ItDatabases

def log = new File(basedir, 'build.log').text
def db = 'it_prune_archive'
def port = itPort as int
// now - 3 months = 2026-08-24: May, June and July are archived and dropped; August holds the cutoff and stays.
def archives = new File(basedir, 'target/archives')
long archived = 0
for (m in ['05', '06', '07']) {
    assert new File(archives, "public.chat_history_2026_${m}.csv.gz").isFile()
    def manifest = new File(archives, "public.chat_history_2026_${m}.manifest.json").text
    def rows = (manifest =~ /"rows": (\d+)/)[0][1] as long
    assert rows > 0
    archived += rows
}
assert archives.list().length == 6
assert log.contains('Everything is up to date: nothing to do.')
assert log.contains('verified ')
// The restore brought May back as a partition: the table again holds every seeded row but June's and July's.
def names = ItDatabases.queryStrings(port, db,
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'chat_history'::regclass ORDER BY 1")
assert names == ['chat_history_2026_05', 'chat_history_2026_08', 'chat_history_2026_09', 'chat_history_2026_10']
long may = ((new File(archives, 'public.chat_history_2026_05.manifest.json').text =~ /"rows": (\d+)/)[0][1]) as long
assert ItDatabases.queryLong(port, db, 'SELECT count(*) FROM chat_history_2026_05') == may
assert ItDatabases.queryLong(port, db, 'SELECT count(*) FROM chat_history') + archived - may == 3000
return true
