#!/usr/bin/env bash
# Runs every test of framebus on a fresh Debian machine: installs the Debian packages the tests need when they
# are missing (as root, with apt-get), then the whole Maven build with unit tests, integration tests (real
# capture processes, a real GStreamer RTSP server on 127.0.0.1, real Felix) and the Python client's pytest suite.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages: GStreamer's RTSP server for the test camera (x265enc from plugins-bad for H.265; gstreamer1.0-libav
# for the latency floor client of the benchmarks), numpy and pytest for the Python client (clients/python) and its
# tests, pip, setuptools, wheel and venv for its offline install test, the ffmpeg CLI to make test clips and as the
# decode-only reference of the benchmarks, Chromium and its WebDriver for the browser tests of the web page,
# iproute2 and curl for the web access test between two network namespaces and the cluster test's hosts, systemd for systemd-analyze verify of
# the shipped unit (systemd is not started).
packages=(gir1.2-gst-rtsp-server-1.0 python3-gi python3-numpy python3-pytest python3-pip python3-setuptools
          python3-wheel python3-venv gstreamer1.0-plugins-base gstreamer1.0-plugins-bad gstreamer1.0-libav
          gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-tools ffmpeg chromium chromium-driver
          iproute2 curl systemd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "test.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v mvn >/dev/null || { echo "test.sh: Maven (mvn) is required" >&2; exit 1; }
exec mvn -B verify "$@"
