import io.github.partitionmaven.testing.ItDatabases
import io.github.partitionmaven.testing.S3Server
import java.nio.file.Path
import java.util.zip.GZIPInputStream

def log = new File(basedir, 'build.log').text
def db = 'it_prune_archive_s3'
def port = itPort as int
def s3 = S3Server.clientFor(S3Server.awaitReady(Path.of(itS3ReadyFile)))
def prefix = 'prune-archive-s3/'
// The plan named bucket, key and options of each archive step.
assert log.contains("to s3://it-archive/${prefix}public.chat_history_2026_05.csv.gz")
assert log.contains('SSE-S3 (AES256)')
assert log.contains("<server> 'it-s3' in settings.xml")
// now - 3 months = 2026-08-24: May, June and July are archived and dropped; August holds the cutoff and stays.
def keys = s3.listObjectsV2 { it.bucket('it-archive').prefix(prefix) }.contents()*.key().sort()
assert keys == ['05', '06', '07'].collectMany { m -> ["${prefix}public.chat_history_2026_${m}.csv.gz", "${prefix}public.chat_history_2026_${m}.manifest.json"] }*.toString().sort()
assert s3.listMultipartUploads { it.bucket('it-archive').prefix(prefix) }.uploads().isEmpty()
long archived = 0
for (m in ['05', '06', '07']) {
    def manifest = s3.getObjectAsBytes { it.bucket('it-archive').key("${prefix}public.chat_history_2026_${m}.manifest.json".toString()) }.asUtf8String()
    def rows = (manifest =~ /"rows": (\d+)/)[0][1] as long
    def csv = new GZIPInputStream(s3.getObject { it.bucket('it-archive').key("${prefix}public.chat_history_2026_${m}.csv.gz".toString()) }).text
    // the header and one line per row (the seed's content has no newlines)
    assert csv.readLines().size() == rows + 1
    assert rows > 0
    archived += rows
}
assert log.contains('verified s3://it-archive/')
assert log.contains('Everything is up to date: nothing to do.')
assert !log.contains('it-s3-secret-never-logged')
// The restore brought May back from the bucket as a partition.
def names = ItDatabases.queryStrings(port, db,
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'chat_history'::regclass ORDER BY 1")
assert names == ['chat_history_2026_05', 'chat_history_2026_08', 'chat_history_2026_09', 'chat_history_2026_10']
def may = s3.getObjectAsBytes { it.bucket('it-archive').key("${prefix}public.chat_history_2026_05.manifest.json".toString()) }.asUtf8String()
assert ItDatabases.queryLong(port, db, 'SELECT count(*) FROM chat_history_2026_05') == ((may =~ /"rows": (\d+)/)[0][1] as long)
assert ItDatabases.queryLong(port, db, 'SELECT count(*) FROM chat_history') + archived - ((may =~ /"rows": (\d+)/)[0][1] as long) == 3000
return true
