# Sourced by the other scripts: sets JAVA_HOME to a JDK >= 21 or exits with a clear message.
# Order: $JAVA_HOME if it is new enough, then the newest JDK under /usr/lib/jvm, then java on PATH.

hoard_java_major() { # prints the feature version of the java binary $1
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1 | cut -d. -f1
}

hoard_find_jdk() {
  local candidate major best="" best_major=0
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] && [ -x "$candidate/bin/java" ] || continue
    major=$(hoard_java_major "$candidate/bin/java")
    [ -n "$major" ] || continue
    if [ "$candidate" = "${JAVA_HOME:-}" ] && [ "$major" -ge 21 ]; then best=$candidate; break; fi
    if [ "$major" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
  done
  if [ -z "$best" ] || [ "$(hoard_java_major "$best/bin/java")" -lt 21 ]; then
    echo "error: Hoard needs a JDK 21 or newer and none was found (looked at \$JAVA_HOME, /usr/lib/jvm/*, javac on PATH)." >&2
    echo "       Install one (e.g. 'apt-get install openjdk-21-jdk' or Temurin 21+) or set JAVA_HOME to it." >&2
    exit 1
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
}

hoard_find_jdk
