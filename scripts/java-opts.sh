# Sourced: the JVM options Hoard runs with (scripts/run, bench/run), in HOARD_JAVA_OPTS.
# Serial GC and a 160 MiB heap: small footprint (peak RSS stays under 256 MiB in bench/run), no GC
# threads competing with the event loops on small machines; blobs never pass through the heap.
# AppCDS: the first start writes an archive beside the jar, later starts map it (about twice as fast).
HOARD_JAVA_OPTS="${HOARD_JAVA_OPTS:--XX:+UseSerialGC -Xms32m -Xmx160m -Xss512k -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$(dirname "$jar")/hoard.jsa -Xlog:cds=off -Xlog:cds+dynamic=off}"
export HOARD_JAVA_OPTS
# An archive older than the jar describes classes that changed: the JVM may keep using it (and
# starts about twice as slowly) instead of writing a new one, so it goes and the next start makes one.
if [ -f "$(dirname "$jar")/hoard.jsa" ] && [ "$(dirname "$jar")/hoard.jsa" -ot "$jar" ]; then
  rm -f "$(dirname "$jar")/hoard.jsa"
fi
