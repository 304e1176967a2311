#!/bin/sh
# The image's entrypoint: Hoard with the JVM options of scripts/java-opts.sh (serial GC, a 160 MiB
# heap, the AOT cache recorded when the image was built). Set HOARD_JAVA_OPTS to use your own.
jar=/opt/hoard/hoard.jar
. /opt/hoard/java-opts.sh
exec java $HOARD_JAVA_OPTS -jar "$jar" "$@"
