import io.github.partitionmaven.testing.ItDatabases

def log = new File(basedir, 'build.log').text
assert log.contains("Unknown <interval> 'monthy'. Did you mean 'month'?")
assert log.contains('Nothing was changed.')
assert !log.contains('at io.github.partitionmaven')  // no stack trace wall
assert ItDatabases.queryLong(itPort as int, 'it_bad_config', "SELECT count(*) FROM pg_inherits WHERE inhparent = 'chat_history'::regclass") == 6
return true
