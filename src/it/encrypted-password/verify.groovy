import io.github.partitionmaven.testing.ItDatabases

def log = new File(basedir, 'build.log').text
assert log.contains('BUILD SUCCESS')
assert !log.contains('s3cret-Pa55word')
assert ItDatabases.queryLong(itPort as int, 'it_encrypted', "SELECT count(*) FROM pg_inherits WHERE inhparent = 'chat_history'::regclass") == 10
return true
