#!/usr/bin/python3
"""CPU of one decode feeding two outputs against two cameras decoding the same stream, in one run.

Starts the RTSP test camera (tools/rtsp-test-server.py, one shared x264 encoder for every client) and, at the
same time, three real capture processes (java -cp 'capture-process/target/capture/lib/*' CaptureMain, settings on
stdin as the manager writes them):

  one      one camera, two outputs: main 1280x720 BGR24 fps=6, plus "detect: 640x640 RGB24 fps=2 fit"
  two-a    camera A of the old way: 1280x720 BGR24 fps=6
  two-b    camera B of the old way, a second decoder of the same stream: 640x640 RGB24 fps=2

After a warm-up it samples utime+stime of each process from /proc/<pid>/stat over the same window, and the
published/dropped counters of every ring, and prints CPU % per process and the ratio one / (two-a + two-b).
The three share the machine, so a busy neighbour shifts all of them alike (the figure that counts is the ratio).

    /usr/bin/python3 benchmarks/outputs-cpu.py [--seconds 30] [--warmup 10] [--source 1920x1080] [--rate 25]
                                               [--pattern smpte] [--bitrate 0]

Needs capture-process/target/capture/lib (mvn -B -o verify -pl capture-process -am -DskipTests) and the
GStreamer packages of tools/rtsp-test-server.py. Everything it starts is stopped by pid, its rings removed.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
from framebus._ring import RingFile  # noqa: E402  (the ring reader of clients/python)

JVM = ["-Xms8m", "-Xmx64m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
       "-Xlog:disable", "-Xlog:all=warning:stderr"]
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))


def start_capture(lib, camera_id, url, ring, settings, log):
    doc = [f"cameraId={camera_id}", f"url={url}", f"ringPath={ring}"]
    doc += [f"{k}={v}" for k, v in settings.items()]
    p = subprocess.Popen(["java", *JVM, "-cp", os.path.join(lib, "*"), "io.framebus.capture.CaptureMain"],
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
    p.stdin.write(("\n".join(doc) + "\n\n").encode())
    p.stdin.flush()  # stdin stays open: its end would stop the process
    return p


def published(ring):
    try:
        r = RingFile(ring)
        try:
            s = r.status()
            return s["published_sequence"], s["dropped_frames"], s["decoded_frames"], s["width"], s["height"]
        finally:
            r.close()
    except Exception as e:  # noqa: BLE001 - a ring not there is reported, not fatal
        return None, None, None, str(e), None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--warmup", type=float, default=10)
    ap.add_argument("--source", default="1920x1080", help="size of the RTSP stream")
    ap.add_argument("--rate", type=int, default=25, help="frame rate of the RTSP stream")
    ap.add_argument("--pattern", default="smpte", help="videotestsrc pattern of the stream (snow: every pixel changes)")
    ap.add_argument("--bitrate", type=int, default=0, help="x264 bitrate in kbit/s (0: x264enc's default)")
    a = ap.parse_args()
    lib = os.path.join(ROOT, "capture-process", "target", "capture", "lib")
    if not os.path.isdir(lib):
        sys.exit(f"{lib} is missing: mvn -B -o verify -pl capture-process -am -DskipTests")
    w, h = a.source.split("x")
    work = tempfile.mkdtemp(prefix="framebus-outputs-bench-", dir="/dev/shm")
    os.chmod(work, 0o700)
    port = free_port()
    server = subprocess.Popen(["/usr/bin/python3", os.path.join(ROOT, "tools", "rtsp-test-server.py"),
                               "--port", str(port), "--path", "/cam", "--width", w, "--height", h,
                               "--fps", str(a.rate), "--pattern", a.pattern, "--bitrate", str(a.bitrate),
                               "--exit-on-eof"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    procs = {}
    log = open(os.path.join(work, "capture.log"), "w")
    try:
        line = server.stdout.readline()
        if not line.startswith("READY"):
            sys.exit("the RTSP test server did not start (GStreamer packages missing?)")
        url = f"rtsp://127.0.0.1:{port}/cam"
        rings = {"one": os.path.join(work, "one.ring"), "two-a": os.path.join(work, "two-a.ring"),
                 "two-b": os.path.join(work, "two-b.ring")}
        procs["one"] = start_capture(lib, "one", url, rings["one"], {
            "width": 1280, "height": 720, "pixelFormat": "BGR24", "fps": 6,
            "outputs": "detect: 640x640 RGB24 fps=2 fit"}, log)
        procs["two-a"] = start_capture(lib, "two-a", url, rings["two-a"], {
            "width": 1280, "height": 720, "pixelFormat": "BGR24", "fps": 6}, log)
        procs["two-b"] = start_capture(lib, "two-b", url, rings["two-b"], {
            "width": 640, "height": 640, "pixelFormat": "RGB24", "fps": 2}, log)
        time.sleep(a.warmup)  # JVM start, FFmpeg load, RTSP handshake, first key frame, JIT
        for name, p in procs.items():
            if p.poll() is not None:
                sys.exit(f"capture process {name} exited ({p.returncode}); see {log.name}")
        all_rings = dict(rings, **{"one~detect": os.path.join(work, "one~detect.ring")})
        before = {n: published(r) for n, r in all_rings.items()}
        t0 = time.monotonic()
        c0 = {n: cpu_ticks(p.pid) for n, p in procs.items()}
        time.sleep(a.seconds)
        c1 = {n: cpu_ticks(p.pid) for n, p in procs.items()}
        elapsed = time.monotonic() - t0
        after = {n: published(r) for n, r in all_rings.items()}
        pct = {n: 100.0 * (c1[n] - c0[n]) / TICKS / elapsed for n in procs}
        print(f"source {a.source} H.264 at {a.rate} fps ({a.pattern}, "
              f"{str(a.bitrate) + ' kbit/s' if a.bitrate else 'x264enc default bitrate'}) over RTSP/TCP, window {elapsed:.1f} s after "
              f"{a.warmup:.0f} s warm-up, {os.cpu_count()} CPUs")
        print(f"{'process':10} {'CPU %':>7}")
        for n in procs:
            print(f"{n:10} {pct[n]:7.1f}")
        print(f"{'ring':12} {'size':>9} {'published/s':>12} {'dropped/s':>10} {'decoded/s':>10}")
        for n in all_rings:
            b, e = before[n], after[n]
            if b[0] is None or e[0] is None:
                print(f"{n:12} unreadable: {e[3]}")
                continue
            print(f"{n:12} {str(e[3]) + 'x' + str(e[4]):>9} {(e[0] - b[0]) / elapsed:12.2f} "
                  f"{(e[1] - b[1]) / elapsed:10.2f} {(e[2] - b[2]) / elapsed:10.2f}")
        if any(before[n][0] is None or after[n][0] is None or after[n][0] - before[n][0] < 2 * a.seconds / 3
               for n in all_rings):
            log.flush()
            with open(log.name) as f:
                sys.stderr.write("".join(f.readlines()[-8:]))
            sys.exit("an output published (almost) nothing in the window: the stream did not flow (a server too slow "
                     "for this size and pattern?); no ratio")
        ratio = pct["one"] / (pct["two-a"] + pct["two-b"])
        print(f"ratio one decode, two outputs / two decodes: {ratio:.2f} (goal <= 0.6)")
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.stdin.close()  # the capture process stops by itself when stdin ends
        for p in procs.values():
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
