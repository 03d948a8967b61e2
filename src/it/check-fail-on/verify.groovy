def log = new File(basedir, 'build.log').text
// 1: failOn=none: warnings only.
assert log.contains('WARN coverage: no partition holds now (2026-11-24 00:00:00)')
assert log.contains('(failOn=none: report only, nothing fails the build)')
// 2: the default gate fails, naming the check and the fix, without a stack trace wall.
assert log.contains('FAIL coverage: no partition holds now')
assert log.contains('partition:check failed on coverage (failOn):')
assert log.contains('Fix: run `mvn partition:premake`')
assert !log.contains('at io.github.partitionmaven')
// 3: premake then the same gate passes; the reports show a healthy table.
assert log.contains('2 table(s) checked in') && log.contains(': all healthy.')
def json = new File(basedir, 'target/partition/check.json').text
assert json.contains('"status": "ok"')
def prom = new File(basedir, 'target/partition/partition.prom').text
assert prom.contains('pg_partition_check_status{table="public.chat_history"} 0')
assert prom.contains('pg_partition_coverage_ahead_intervals{table="public.chat_history"} 3')
assert prom.contains('# TYPE pg_partition_default_rows gauge')
return true
