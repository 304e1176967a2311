# Sourced with $jar set (scripts/run, bench/run, the image's entrypoint): the JVM options Hoard runs
# with, in HOARD_JAVA_OPTS (a value already set is kept: that is how to pass your own).
# Serial GC and a 160 MiB heap: a small footprint (peak RSS well under 256 MiB in bench/run), no GC
# threads competing with the event loops on small machines; blobs never pass through the heap.
# Start-up and warm-up: on JDK 25+ an AOT cache beside the jar, recorded once per build by a training
# run (`hoard train`, a few seconds): half the start-up time, and full speed within seconds instead of
# tens of seconds. Older JDKs: a class-data archive that the first start writes.
# The same choices are made by the jar itself when started as a plain `java -jar` (Launcher.java).
hoard_java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
hoard_base_opts="-XX:+UseSerialGC -Xms32m -Xmx160m -Xss512k"
# Caches live beside the jar; where that is read-only (an image), one made there at build time is
# used, else the temporary directory holds them.
hoard_cache() {
  if [ -f "$(dirname "$jar")/$1" ] || [ -w "$(dirname "$jar")" ]; then echo "$(dirname "$jar")/$1"; else echo "${TMPDIR:-/tmp}/$1"; fi
}
if [ -z "${HOARD_JAVA_OPTS:-}" ]; then
  hoard_major=$("$hoard_java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | cut -d. -f1)
  # JDK 24+ warns about sun.misc.Unsafe memory access, so Netty stops using it unless allowed; without
  # it every header byte is written through a bounds-checked ByteBuffer (p99 of cached manifests doubles).
  if [ "${hoard_major:-0}" -ge 24 ]; then hoard_base_opts="$hoard_base_opts --sun-misc-unsafe-memory-access=allow"; fi
  if [ "${hoard_major:-0}" -ge 25 ]; then
    hoard_aot=$(hoard_cache hoard.aot)
    # A cache older than the jar describes classes that changed: it goes, and a new one is recorded.
    if [ -f "$hoard_aot" ] && [ "$hoard_aot" -ot "$jar" ]; then rm -f "$hoard_aot"; fi
    if [ ! -f "$hoard_aot" ]; then
      echo "hoard: recording the JVM's AOT cache for this build (once, a few seconds)" >&2
      "$hoard_java" $hoard_base_opts -XX:AOTCacheOutput="$hoard_aot" -jar "$jar" train >/dev/null 2>&1 || rm -f "$hoard_aot"
    fi
    if [ -f "$hoard_aot" ]; then
      HOARD_JAVA_OPTS="$hoard_base_opts -XX:AOTCache=$hoard_aot -Xlog:aot=off -Xlog:cds=off"
    fi
  fi
  if [ -z "${HOARD_JAVA_OPTS:-}" ]; then
    hoard_jsa=$(hoard_cache hoard.jsa)
    if [ -f "$hoard_jsa" ] && [ "$hoard_jsa" -ot "$jar" ]; then rm -f "$hoard_jsa"; fi
    HOARD_JAVA_OPTS="$hoard_base_opts -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$hoard_jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
  fi
fi
export HOARD_JAVA_OPTS
