#!/usr/bin/env python3
"""Waiting figures of the Python client (docs/benchmarks.md, "Python client"):

1. latency from publish to the consumer having the frame (copied), with `frames()` and with `aframes()`, for a
   Java writer at a steady rate (tests/java/TestRingWriter.java) and for a real capture process (FFmpeg test
   pattern); latency = CLOCK_MONOTONIC when next() returns - the slot's publish time (same clock, the writer's
   System.nanoTime()), split into detection (until the consumer starts copying the frame) and the copy;
2. CPU of a consumer waiting on an idle camera (the writer paused: heartbeat but no frames), and of one following a
   25 fps camera, from getrusage over wall time;
3. the cost of one frame copy by pread (what the client does) and by memcpy from a mapping, in a loop and of a frame
   just published.

    /usr/bin/python3 clients/python/benchmarks/wait_bench.py [--seconds 30] [--priority] [--cases 25,100,...]
        [--no-wake]

--no-wake: the consumers predict (framebus.open(..., wake=False)) instead of blocking on the ring's wake-up socket.

--priority approximates a quiet machine on a shared one: the consumer runs SCHED_FIFO (priority 10, not inherited
by children) and the writers under `nice -n -15`, so other processes' load delays neither (needs root).

Needs the capture program built (mvn -B package -pl capture-process -am) and java on the PATH or $FRAMEBUS_JAVA.
"""

import argparse
import asyncio
import mmap
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(CLIENT))
sys.path.insert(0, CLIENT)
import framebus  # noqa: E402
from framebus._ring import RingFile  # noqa: E402
from framebus._source import Source  # noqa: E402

WAKE = [True]  # --no-wake sets it False
LIB = os.environ.get("FRAMEBUS_CAPTURE_LIB") or os.path.join(REPO, "capture-process", "target", "capture", "lib")
JAVA = os.environ.get("FRAMEBUS_JAVA") or shutil.which("java")
CAPTURE_JVM = ["-Xms8m", "-Xmx64m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
               "-Xlog:disable", "-Xlog:all=warning:stderr"]


class Proc:
    def __init__(self, cmd, stdin_text=""):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.lines = []
        threading.Thread(target=self._drain, daemon=True).start()
        self.send(stdin_text)

    def _drain(self):
        for line in iter(self.p.stdout.readline, b""):
            self.lines.append(line.decode(errors="replace").strip())

    def send(self, text):
        if text:
            self.p.stdin.write(text.encode())
            self.p.stdin.flush()

    def wait_line(self, prefix, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(l.startswith(prefix) for l in self.lines):
                return
            time.sleep(0.02)
        raise RuntimeError(f"no {prefix!r} from {self.p.args[:3]}")

    def stop(self):
        try:
            self.p.stdin.close()
            self.p.wait(5)
        except Exception:  # noqa: BLE001 - whatever happens, the child goes
            self.p.kill()
            self.p.wait(5)


PREFIX = []  # ["nice", "-n", "-15"] with --priority


def java_writer(ring, w, h, fmt, rate):
    source = os.path.join(CLIENT, "tests", "java", "TestRingWriter.java")
    p = Proc(PREFIX + [JAVA, "-cp", os.path.join(LIB, "*"), source, ring, "bench", str(w), str(h), fmt, "4",
                       str(rate), "1"])
    p.wait_line("READY")
    return p


def capture(ring, url, fmt):
    doc = f"cameraId=cap\nurl={url.replace(':', chr(92) + ':')}\nringPath={ring}\npixelFormat={fmt}\nfps=0\n\n"
    p = Proc(PREFIX + [JAVA] + CAPTURE_JVM + ["-cp", os.path.join(LIB, "*"), "io.framebus.capture.CaptureMain"], doc)
    end = time.monotonic() + 60
    while not os.path.exists(ring):
        if time.monotonic() > end:
            raise RuntimeError("capture did not create its ring")
        time.sleep(0.05)
    return p


def percentiles(ms):
    a = np.array(ms)
    return (f"n={len(a)} p50 {np.percentile(a, 50):.3f} p90 {np.percentile(a, 90):.3f} "
            f"p99 {np.percentile(a, 99):.3f} max {a.max():.3f} ms")


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def follow(path, seconds, use_async=False):
    """Latencies (ms) of every frame for `seconds`, split into detection (publish -> the consumer starts copying
    the frame it found) and copy (the copy under the slot's seqlock: three preads, one of them the payload), the
    writer's intervals before each frame (ms, nan when the frame before was skipped), and the consumer's CPU share
    (% of one core)."""
    lat, gaps, detect, copy = [], [], [], []
    prev = [None]
    started = [0, 0]  # start and end (monotonic ns) of the last successful copy
    plans = []        # (when, how long in s, the due time it predicted in ns or 0) of each sleep planned while waiting
    planned = []      # per frame: how long after its publish the consumer planned to look again (ms)
    error = []        # per frame: when the consumer's last plan before it expected it - its publish (ms)

    def note(f):
        lat.append((time.monotonic_ns() - f.publish_mono_nanos) / 1e6)
        detect.append((started[0] - f.publish_mono_nanos) / 1e6)
        # the first look planned for after the publish: where the plan (not a late wake-up) put it
        looks = [t + int(sl * 1e9) - f.publish_mono_nanos for t, sl, _ in plans]
        planned.append(next((d for d in looks if d >= 0), 0) / 1e6)
        due = [u for *_, u in plans if u]
        error.append((due[-1] - f.publish_mono_nanos) / 1e6 if due else np.nan)
        plans.clear()
        copy.append((started[1] - started[0]) / 1e6)
        gaps.append((f.publish_mono_nanos - prev[0]) / 1e6 if prev[0] is not None and f.skipped == 0 else np.nan)
        prev[0] = f.publish_mono_nanos

    plain = RingFile.copy_frame

    def timed(ring, seq, out):  # the benchmark's probe: when the consumer found the frame and when it had it
        t0 = time.monotonic_ns()
        meta = plain(ring, seq, out)
        if meta is not None:
            started[0], started[1] = t0, time.monotonic_ns()
        return meta

    plan = Source._sleep_for

    def noted(src, step):  # the probe of the plan: a late look planned vs a late wake-up (the machine)
        sleep, step = plan(src, step)
        interval, _, last = src._interval
        plans.append((time.monotonic_ns(), sleep, last + interval if interval else 0))
        return sleep, step

    RingFile.copy_frame = timed
    Source._sleep_for = noted
    try:
        cpu = _follow(path, seconds, use_async, note)
    finally:
        RingFile.copy_frame = plain
        Source._sleep_for = plan
    return lat, gaps, cpu, detect, copy, planned, error


def _follow(path, seconds, use_async, note):
    with framebus.open(path, wake=WAKE[0]) as src:
        src.next(timeout=60)
        print(f"    (waiting by {src.status().waiting})")
        c0, t0 = cpu_seconds(), time.monotonic()
        end = t0 + seconds
        if use_async:
            async def run():
                while time.monotonic() < end:
                    note(await src.anext(timeout=10))
            asyncio.run(run())
        else:
            while time.monotonic() < end:
                note(src.next(timeout=10))
        cpu = (cpu_seconds() - c0) / (time.monotonic() - t0) * 100
    return cpu


def report(what, fps, lat, gaps, cpu, detect, copy, planned, error):
    """All frames, and the frames the writer published on schedule (interval within 2 ms of 1/fps): a writer
    delayed by other load publishes its next frames early to catch up, before any prediction expects them. Then the
    detection and copy parts of every frame, and the slowest frames."""
    lat, gaps, detect, copy, planned = (np.array(a) for a in (lat, gaps, detect, copy, planned))
    nominal = 1000 / fps
    on = np.abs(gaps - nominal) <= 2
    g = gaps[~np.isnan(gaps)]
    print(f"{what}: {percentiles(lat)}; consumer CPU {cpu:.2f} %")
    print(f"    writer intervals p1 {np.percentile(g, 1):.1f} p50 {np.percentile(g, 50):.1f} "
          f"p99 {np.percentile(g, 99):.1f} ms; on schedule ({on.mean() * 100:.0f} % of frames): {percentiles(lat[on])}")
    print(f"    detection (publish -> copy starts): {percentiles(detect)}")
    if planned.any():  # only a predicting consumer plans its looks
        print(f"    of the detection, planned (publish -> the look the consumer had planned): {percentiles(planned)}")
    e = np.array(error)
    e = e[~np.isnan(e)]
    if len(e):
        print(f"    prediction (the due time the consumer last planned with - the publish, ms): p1 "
              f"{np.percentile(e, 1):.2f} p50 {np.percentile(e, 50):.2f} p99 {np.percentile(e, 99):.2f}")
    print(f"    copy: {percentiles(copy)}")
    slow = np.argsort(lat)[::-1][:8]
    print("    slowest (latency / detection / planned / copy / writer interval before, ms): " +
          ", ".join(f"{lat[i]:.2f}/{detect[i]:.2f}/{planned[i]:.2f}/{copy[i]:.2f}/{gaps[i]:.1f}" for i in slow))


def idle_cpu(path, seconds):
    with framebus.open(path, wake=WAKE[0]) as src:
        src.poll()
        c0, t0 = cpu_seconds(), time.monotonic()
        try:
            src.next(timeout=seconds)
            return None  # a frame came: not idle
        except framebus.FrameTimeout:
            pass
        return (cpu_seconds() - c0) / (time.monotonic() - t0) * 100


def copy_cost(path, rounds=200):
    with framebus.open(path) as src:
        ring = src._ring
        buf = np.empty(ring.frame_bytes, np.uint8)
        off = ring.slot_offset(ring.published()) + 128
        t = time.perf_counter()
        for _ in range(rounds):
            os.preadv(ring._fd, [buf], off)
        pread_ms = (time.perf_counter() - t) / rounds * 1e3
        mm = mmap.mmap(ring._fd, ring.file_bytes, access=mmap.ACCESS_READ)
        view = np.frombuffer(mm, np.uint8, ring.frame_bytes, off)
        t = time.perf_counter()
        for _ in range(rounds):
            np.copyto(buf, view)
        mmap_ms = (time.perf_counter() - t) / rounds * 1e3
        del view
        mm.close()
    return pread_ms, mmap_ms


def fresh_copy_cost(path, frames=100):
    """The copy of a frame just published (the writer wrote it from another core a moment ago): after each next()
    (which copied it once already), the frame copied by pread and by memcpy from a mapping, alternately first; the
    first copy's p50 of each (ms)."""
    first = {"pread": [], "memcpy": []}
    with framebus.open(path) as src:
        ring = src._ring
        buf = np.empty(ring.frame_bytes, np.uint8)
        mm = mmap.mmap(ring._fd, ring.file_bytes, access=mmap.ACCESS_READ)
        src.next(timeout=30)
        for i in range(frames + ring.slot_count):
            f = src.next(timeout=30)
            off = ring.slot_offset(f.sequence) + ring.layout.payload_offset
            view = np.frombuffer(mm, np.uint8, ring.frame_bytes, off)
            t = time.perf_counter_ns()
            if i % 2:
                os.preadv(ring._fd, [buf], off)
            else:
                np.copyto(buf, view)
            if i >= ring.slot_count:  # every slot's pages of the mapping touched once before
                first["pread" if i % 2 else "memcpy"].append((time.perf_counter_ns() - t) / 1e6)
            del view
        mm.close()
    return np.percentile(first["pread"], 50), np.percentile(first["memcpy"], 50)


def main():
    ap = argparse.ArgumentParser(description="Python client waiting benchmark")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--priority", action="store_true", help="consumer SCHED_FIFO, writers nice -15 (root)")
    ap.add_argument("--no-wake", action="store_true", help="predict instead of waiting on the wake-up socket")
    ap.add_argument("--cases", default="25,25async,idle,100,capture",
                    help="which cases, comma-separated (default: all): 25, 25async, idle, 100, capture")
    a = ap.parse_args()
    WAKE[0] = not a.no_wake
    cases = set(a.cases.split(","))
    unknown = cases - {"25", "25async", "idle", "100", "capture"}
    if unknown:
        ap.error(f"unknown cases {sorted(unknown)}")
    if a.priority:
        os.sched_setscheduler(0, os.SCHED_FIFO | os.SCHED_RESET_ON_FORK, os.sched_param(10))
        PREFIX.extend(["nice", "-n", "-15"])
    d = tempfile.mkdtemp(prefix="framebus-bench-", dir="/dev/shm")
    procs = []
    try:
        print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} cpus, "
              f"load {os.getloadavg()[0]:.2f}, "
              f"priority {'consumer FIFO 10, writers nice -15' if a.priority else 'normal'}, "
              f"{'wake-up socket' if WAKE[0] else 'prediction (--no-wake)'}")
        if cases & {"25", "25async", "idle"}:
            ring = os.path.join(d, "w25.ring")
            procs.append(java_writer(ring, 1280, 720, "BGR24", 25))
            if "25" in cases:
                report("java writer 25 fps 1280x720 BGR24, frames()", 25, *follow(ring, a.seconds))
            if "25async" in cases:
                report("java writer 25 fps 1280x720 BGR24, aframes()", 25, *follow(ring, a.seconds, use_async=True))
            pread_ms, mmap_ms = copy_cost(ring)
            print(f"one 1280x720 BGR24 copy (2.76 MB): pread {pread_ms:.3f} ms, memcpy from a mapping "
                  f"{mmap_ms:.3f} ms")
            pread_ms, mmap_ms = fresh_copy_cost(ring)
            print(f"the same, of a frame just published (p50): pread {pread_ms:.3f} ms, memcpy from a mapping "
                  f"{mmap_ms:.3f} ms")
            if "idle" in cases:
                procs[-1].send("pause\n")
                procs[-1].wait_line("OK pause")
                cpu = idle_cpu(ring, a.seconds)
                print(f"idle camera (writer paused), a consumer in next(): CPU {cpu:.3f} %")
            procs.pop().stop()

        if "100" in cases:
            ring = os.path.join(d, "w100.ring")
            procs.append(java_writer(ring, 640, 480, "GRAY8", 100))
            report("java writer 100 fps 640x480 GRAY8, frames()", 100, *follow(ring, a.seconds))
            procs.pop().stop()

        if "capture" in cases:
            ring = os.path.join(d, "cap.ring")
            procs.append(capture(ring, "testsrc:size=1280x720:rate=25", "YUV420P"))
            report("capture process, testsrc 25 fps 1280x720 YUV420P, frames()", 25, *follow(ring, a.seconds))
            procs.pop().stop()
    finally:
        for p in procs:
            p.stop()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
