import io.github.partitionmaven.testing.ItDatabases

def log = new File(basedir, 'build.log').text
// The first run creates Nov 2026 to Feb 2027 for both tables; the second has nothing to do.
assert log.count('": create partition "public".') == 8
assert log.contains('Everything is up to date: nothing to do.')
def names = ItDatabases.queryStrings(itPort as int, 'it_premake_twice',
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'chat_history'::regclass ORDER BY 1")
assert names == ['chat_history_2026_05', 'chat_history_2026_06', 'chat_history_2026_07', 'chat_history_2026_08', 'chat_history_2026_09',
                 'chat_history_2026_10', 'chat_history_2026_11', 'chat_history_2026_12', 'chat_history_2027_01', 'chat_history_2027_02']
return true
