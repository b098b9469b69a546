#!/usr/bin/env bash
# The end-to-end benchmark and soak of docs/benchmarks.md ("End to end"): the real system (the Felix distribution)
# with N cameras against a local RTSP server serving pre-encoded H.264, next to the decode-only floor.
#
#   e2e-bench/run.sh                      # benchmark: N = 1, 4, 16, then upward in steps of 4 to the largest N
#                                         # that keeps up; 20-40 minutes on 2 cores
#   e2e-bench/run.sh bench --ns 1,4 --no-search --window 10      # a quick look; its figures mean little
#   e2e-bench/run.sh soak [minutes]       # soak, default 30 minutes: 8 cameras, every minute a kill -9 of a random
#                                         # capture process and a restart of the RTSP server
#
# Options of bench: --ns 1,4,16  --no-search  --step 4  --max-n 64  --warmup 10  --window 30  --floor-warmup 5
#                   --floor-window 20  --kills 3  --live (the file server's shared, running mounts)
#                   --direct-delivery (the consumer subscribes with a direct executor instead of a thread pool)
#                   --in-place (the consumer subscribes in place: FrameSource.subscribeInPlace, no copy per frame)
#   e2e-bench/run.sh delivery [--ns 16]   # the system twice per N, copying then in-place subscribers: runtime CPU ratio
# Options of soak:  --cameras 8  --seed <long>
#
# Needs: Java 17, Maven, Debian's ffmpeg CLI and GStreamer RTSP server for /usr/bin/python3 (./test.sh installs them).
# Builds what is missing: the distribution (mvn -B -q install -DskipTests) and this module's jar.
# Results: e2e-bench/target/e2e-runs/<mode>-<time>/report.md (plus every process's log). The test media is made
# once into e2e-bench/target/media/. Every process it starts is stopped by pid at the end, also on failure or Ctrl-C.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cd "$root"

if [[ ! -f distribution/target/framebus/bin/felix.jar ]]; then
  echo "building the distribution: mvn -B -q install -DskipTests" >&2
  mvn -B -q install -DskipTests
fi

jar="$(ls "$here"/target/io.framebus.e2e-*.jar 2>/dev/null | grep -v sources | head -n 1 || true)"
if [[ -z "$jar" || -n "$(find "$here/pom.xml" "$here/src/main" -newer "$jar" -print -quit)" ]]; then
  echo "building e2e-bench: mvn -B -q -pl e2e-bench package -DskipTests" >&2
  mvn -B -q -pl e2e-bench package -DskipTests
  jar="$(ls "$here"/target/io.framebus.e2e-*.jar | grep -v sources | head -n 1)"
fi

# run from a private copy: a reactor build elsewhere may rewrite target/*.jar while this runs (the harness deletes
# the copy when it exits)
copy="$(mktemp /tmp/framebus-e2e-XXXXXX.jar)"
cp "$jar" "$copy"
exec "$java" -Dframebus.root="$root" -Dframebus.e2e.jar="$copy" -cp "$copy" io.framebus.e2e.harness.E2eBench "$@"
