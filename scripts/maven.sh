# Sourced by the other scripts: makes sure Maven is there (installs Debian's when it is not).
if ! command -v mvn >/dev/null 2>&1; then
  echo "Maven not found: installing Debian's maven package" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends maven >/dev/null
fi
# Maven's own libraries use sun.misc.Unsafe; newer JDKs warn about it on every run.
if [ "$(hoard_java_major "$JAVA_HOME/bin/java")" -ge 24 ]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
