"""Fixtures: a private ring directory, real writers (the Java test writer, real capture processes, the GStreamer RTSP
test camera), every one removed after the test, also when it fails.

Where things are comes from the environment (set by clients/python/pom.xml when Maven runs the tests), with defaults
for a run from the checkout after `mvn package -pl capture-process -am`:
  FRAMEBUS_CAPTURE_LIB   capture-process/target/capture/lib (the capture program's jars, shm-buffer included)
  FRAMEBUS_JAVA          $JAVA_HOME/bin/java, else `java` on the PATH
  FRAMEBUS_RTSP_SERVER   tools/rtsp-test-server.py, run with FRAMEBUS_SYSTEM_PYTHON (default /usr/bin/python3)
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(CLIENT))
sys.path.insert(0, CLIENT)  # the package from the checkout, not an installed copy

CAPTURE_JVM_OPTIONS = ["-Xms8m", "-Xmx64m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                       "-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=warning:stderr"]


def capture_lib():
    lib = os.environ.get("FRAMEBUS_CAPTURE_LIB") or os.path.join(REPO, "capture-process", "target", "capture", "lib")
    if not os.path.isdir(lib):
        pytest.fail(f"capture program not built: {lib} is missing (mvn -B package -pl capture-process -am, or set "
                    f"FRAMEBUS_CAPTURE_LIB)")
    return lib


def java():
    j = os.environ.get("FRAMEBUS_JAVA")
    if j:
        return j
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return os.path.join(home, "bin", "java")
    found = shutil.which("java")
    if not found:
        pytest.fail("no java: set FRAMEBUS_JAVA or JAVA_HOME")
    return found


def wait_until(predicate, timeout, what):
    """Polls `predicate` every 20 ms until it returns a true value; fails the test naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


class Child:
    """A child process the test owns: stdout/stderr drained by threads (lines kept), killed by pid at the end."""

    def __init__(self, cmd, stdin_text=None, name="child"):
        self.cmd, self.name = cmd, name
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.pid = self.proc.pid
        self.out, self.err = [], []
        self.out_bytes = 0
        for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._drain, args=(stream, sink), daemon=True).start()
        if stdin_text is not None:
            self.send(stdin_text)

    def _drain(self, stream, sink):
        buf = b""
        while True:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                break
            if sink is self.out:
                self.out_bytes += len(chunk)
            buf += chunk
            *lines, buf = buf.split(b"\n")
            sink.extend(line.decode("utf-8", "replace") for line in lines)
            if len(buf) > 65536:  # the capture process's doorbell: bytes without newlines
                buf = b""

    def send(self, text):
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def wait_line(self, prefix, timeout=60):
        return wait_until(lambda: next((l for l in self.out if l.startswith(prefix)), None)
                          or (self.proc.poll() is not None and pytest.fail(
                              f"{self.name} exited ({self.proc.returncode}) before printing {prefix!r}: "
                              f"{self.stderr()}")),
                          timeout, f"{self.name} to print {prefix!r}")

    def stderr(self):
        return "\n".join(self.err[-40:])

    def alive(self):
        return self.proc.poll() is None

    def kill9(self):
        """SIGKILL, then reap (a zombie would still look alive in /proc)."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(10)

    def close(self, grace=5):
        """Closes stdin (the writer stops by itself), then SIGTERM, then SIGKILL; always reaps."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)


@pytest.fixture
def ring_dir():
    """A private ring directory (mode 0700) on /dev/shm, removed with everything in it after the test."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    d = tempfile.mkdtemp(prefix="framebus-pytest-", dir=base)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def children():
    """Starts children (see Child); every one still running at the end is stopped and reaped."""
    started = []

    def start(cmd, stdin_text=None, name="child"):
        c = Child(cmd, stdin_text, name)
        started.append(c)
        return c

    yield start
    for c in reversed(started):
        c.close(grace=3)


@pytest.fixture
def java_writer(children):
    """java_writer(ring, id, w, h, fmt, slots=4, rate=0, generation=1): the Java RingWriter of
    tests/java/TestRingWriter.java, started and READY (the ring exists)."""
    source = os.path.join(HERE, "java", "TestRingWriter.java")
    lib = capture_lib()

    def start(ring, cam, w, h, fmt="GRAY8", slots=4, rate=0, generation=1):
        c = children([java(), "-Xmx256m", "-cp", os.path.join(lib, "*"), source, ring, cam, str(w), str(h), fmt,
                      str(slots), str(rate), str(generation)], name=f"java writer {cam}")
        c.wait_line("READY")
        return c

    return start


def _escape(value):
    out = []
    for ch in str(value):
        out.append({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "=": "\\=", ":": "\\:", "#": "\\#", "!": "\\!"}.get(ch, ch))
    return "".join(out)


@pytest.fixture
def capture(children):
    """capture(ring, id, url, **settings): a real capture process (java -cp '<lib>/*' io.framebus.capture.CaptureMain,
    settings on stdin as the manager sends them, stdin kept open)."""
    lib = capture_lib()

    def start(ring, cam, url, **settings):
        doc = {"cameraId": cam, "url": url, "ringPath": ring, "fps": 0}  # every frame (the default caps at 6 fps)
        doc.update(settings)
        text = "".join(f"{_escape(k)}={_escape(v)}\n" for k, v in doc.items()) + "\n"
        cmd = [java()] + CAPTURE_JVM_OPTIONS + ["-cp", os.path.join(lib, "*"), "io.framebus.capture.CaptureMain"]
        return children(cmd, text, name=f"capture {cam}")

    return start


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def rtsp_camera(children):
    """rtsp_camera(width, height, fps, pattern): tools/rtsp-test-server.py (GStreamer RTSP server, x264) on 127.0.0.1;
    returns the rtsp:// URL once the server is ready."""
    script = os.environ.get("FRAMEBUS_RTSP_SERVER") or os.path.join(REPO, "tools", "rtsp-test-server.py")
    python = os.environ.get("FRAMEBUS_SYSTEM_PYTHON", "/usr/bin/python3")

    def start(width=320, height=240, fps=25, pattern="smpte"):
        port = free_port()
        c = children([python, script, "--exit-on-eof", "--port", str(port), "--path", "/test", "--width", str(width),
                      "--height", str(height), "--fps", str(fps), "--pattern", pattern], name="rtsp test server")
        c.wait_line("READY ", timeout=30)
        return f"rtsp://127.0.0.1:{port}/test"

    return start
