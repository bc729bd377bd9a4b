# Sourced by ./mvnw, ./bulwark and .ci/run (POSIX sh): selects a JDK 25 and exports JAVA_HOME.
# Order: JAVA_HOME if it is a JDK 25, else /usr/lib/jvm/*25*, else a clear error.

bulwark_java_major() {
  # prints the feature version of the java at $1/bin/java (e.g. 25), or nothing
  [ -x "$1/bin/java" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

bulwark_select_java25() {
  if [ -n "${JAVA_HOME-}" ] && [ "$(bulwark_java_major "$JAVA_HOME")" = 25 ]; then
    export JAVA_HOME
    return 0
  fi
  case $- in *f*) bulwark_noglob=1; set +f ;; *) bulwark_noglob=0 ;; esac
  bulwark_candidates=$(ls -d /usr/lib/jvm/*25* 2>/dev/null || true)
  [ "$bulwark_noglob" = 1 ] && set -f
  for candidate in $bulwark_candidates; do
    if [ -d "$candidate" ] && [ "$(bulwark_java_major "$candidate")" = 25 ]; then
      JAVA_HOME="$candidate"
      export JAVA_HOME
      return 0
    fi
  done
  found="none"
  if [ -n "${JAVA_HOME-}" ]; then
    found="JAVA_HOME=$JAVA_HOME (Java $(bulwark_java_major "$JAVA_HOME"))"
  elif command -v java >/dev/null 2>&1; then
    found="$(command -v java): $(java -version 2>&1 | head -n 1)"
  fi
  echo "bulwark: Java 25 is required, found: $found." >&2
  echo "bulwark: install a JDK 25 under /usr/lib/jvm or point JAVA_HOME at one." >&2
  return 1
}
