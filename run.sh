#!/usr/bin/env bash
# Runs framebus: Apache Felix with the framebus bundles and a demo camera (FFmpeg's test pattern), in the
# foreground with the Gogo shell. Builds what is missing first (Java 17 and Maven are all it needs).
# Cameras: distribution/target/framebus/conf/io.framebus.camera-<name>.cfg. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")"
dist=distribution/target/framebus
if [ ! -f "$dist/bin/felix.jar" ] || [ ! -d "$dist/capture/lib" ] || [ -n "${FRAMEBUS_REBUILD:-}" ]; then
  echo "run.sh: building framebus (mvn install, tests skipped)..."
  mvn -B -q install -DskipTests
fi
exec bash "$dist/bin/framebus"
