#!/usr/bin/env bash
# Runs every ring benchmark of docs/benchmarks.md and prints one summary table:
# JMH (publish, copy-out read, zero-copy visit, each against a plain ByteBuffer copy in the same run), then the
# cross-process harness (latency publish -> waiting reader in another JVM, and the waiting reader's CPU).
# Builds benchmarks/target/benchmarks.jar first when it is missing or older than the sources.
#
#   benchmarks/run.sh                 # the full suite, about 6 minutes on 2 cores
#   benchmarks/run.sh --quick         # smoke run, under a minute; its figures mean nothing
#   benchmarks/run.sh --skip-jmh      # only the cross-process part (or --skip-latency: only JMH)
#   benchmarks/run.sh --only source-latency [--seconds 40] [--codecs h264,h265] [--source-fps 2,6,25] [--rates 0]
#                                     # true source-to-consumer latency through a real capture process and the
#                                     # --timecode RTSP test camera, next to the GStreamer floor client (about 5
#                                     # minutes; needs the capture program: `mvn -B package -DskipTests -pl
#                                     # capture-process -am` for capture-process/target/capture/lib)
#
# Results: benchmarks/target/results/<time>/summary.md and jmh-results.json.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/benchmarks.jar"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

stale_jar() {
  [[ ! -f "$jar" ]] && return 0
  [[ -n "$(find "$root/pom.xml" "$root/api" "$root/shm-buffer" "$here/pom.xml" "$here/src" -type f \
      \( -name '*.java' -o -name 'pom.xml' -o -name '*.bnd' \) -newer "$jar" -print -quit)" ]]
}

if stale_jar; then
  echo "building $jar" >&2
  cd "$root"
  if grep -q '<module>benchmarks</module>' pom.xml; then
    mvn -B -q package -DskipTests -pl benchmarks -am
  else
    # the module is not in the reactor (yet): install what it depends on, then build it on its own
    mvn -B -q install -DskipTests -pl api,shm-buffer
    mvn -B -q -f benchmarks/pom.xml package -DskipTests
  fi
fi

out="$here/target/results/$(date +%Y%m%d-%H%M%S)"
args=("$@")
for ((i = 0; i + 1 < ${#args[@]}; i++)); do
  if [[ "${args[i]}" == "--only" && "${args[i+1]}" == "source-latency" ]]; then
    unset 'args[i]' 'args[i+1]'
    exec "$java" -cp "$jar" io.framebus.benchmarks.SourceToConsumerLatency --root "$root" --out "$out" "${args[@]}"
  fi
done
exec "$java" -cp "$jar" io.framebus.benchmarks.BenchmarkSuite --out "$out" "$@"
