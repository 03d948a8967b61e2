def log = new File(basedir, 'build.log').text
assert log.contains('Skipping partition:premake (partition.skip is true).')
assert log.contains('BUILD SUCCESS')
return true
