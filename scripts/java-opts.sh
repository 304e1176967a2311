# Sourced: the JVM options Hoard runs with (scripts/run, bench/run), in HOARD_JAVA_OPTS.
# Serial GC: small heap, no GC threads competing with the event loops on small machines.
# AppCDS: the first start writes an archive beside the jar, later starts map it (about twice as fast).
HOARD_JAVA_OPTS="${HOARD_JAVA_OPTS:--XX:+UseSerialGC -Xss512k -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$(dirname "$jar")/hoard.jsa -Xlog:cds=off -Xlog:cds+dynamic=off}"
export HOARD_JAVA_OPTS
