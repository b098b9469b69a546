"""A camera as a consumer sees it: follows the ring at a path across writer restarts, waits for frames cheaply."""

import asyncio
import collections
import os
import pwd
import re
import select
import socket
import time

import numpy as np

from . import _layout as L
from ._errors import (CameraNotFoundError, FrameTimeout, FramebusError, LappedError, RingFormatError,
                      RingTruncatedError)
from ._frame import Frame, FrameView
from ._proc import writer_alive
from ._ring import RingFile

CAMERA_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}\Z")
SUFFIX = ".ring"
DEFAULT_STALL_TIMEOUT = 10.0  # seconds: the manager's default stallTimeout (docs/configuration.md)
IDENTITY_CHECK_NS = 250_000_000  # how often a waiting reader re-checks what the path holds (as the Java reader)
MAX_ATTEMPTS = 1000

# waiting (see Source._sleep_for): like RingReader.awaitAfter, in seconds
MIN_SLEEP = 20e-6
DUE_SLEEP = 200e-6
LATE_SLEEP = 1e-3
IDLE_SLEEP = 10e-3
LONG_IDLE_SLEEP = 50e-3      # once the newest frame is more than LONG_IDLE_NS old (a camera that is down)
LONG_IDLE_NS = 1_000_000_000
EARLY_WAKE_NS = 2_000_000
WAKE_SUFFIX = ".wake"         # the ring's wake-up socket: the ring path + this (docs/shm-format.md)
WAKE_WAIT = IDENTITY_CHECK_NS / 1e9  # the longest block on the socket: the path is re-checked this often anyway
SCHEDULE_FRAMES = 3          # frames before the newest that place it on its writer's schedule (schedule_time)


def plan_wait(now, step, interval, last):
    """How long a waiting reader sleeps before looking again, and its next step (seconds), at CLOCK_MONOTONIC time
    `now` (ns), for a ring whose newest frame was due at `last` (ns, the writer's publish mono, the same clock; see
    `schedule_time`) and whose frames come every `interval` ns (0: unknown). `step` is the current short step.

    Nothing can arrive before the frame the interval predicts, so sleep until shortly before it in one go (2 ms, or
    an eighth of the interval if that is more: a writer that was delayed catches up with early frames; never longer
    than one interval), then in 1 ms steps until 2 ms before it, then in short steps (20 us doubling to 200 us),
    steps doubling to 1 ms while a frame is late, backing off to 10 ms on an idle ring and to 50 ms once the newest
    frame is more than a second old (a camera that is down or reconnecting). The caller must predict from the
    newest frame it has seen, never from a newer one it has not read (see Source._sleep_for)."""
    if interval:
        due = last + interval
        early = max(EARLY_WAKE_NS, interval // 8)
        if due - now > early:                                     # one long sleep, at most one interval
            return min(due - now - early, interval) / 1e9, MIN_SLEEP
        if due - now > EARLY_WAKE_NS:
            return LATE_SLEEP, MIN_SLEEP                          # early window: 1 ms steps
        if now - due < 4 * EARLY_WAKE_NS:
            return step, min(step * 2, DUE_SLEEP)                 # due about now: short steps
        if now - last < 3 * interval:
            return step, min(step * 2, LATE_SLEEP)                # late or dropped: the next one is close
    if step >= IDLE_SLEEP and (not interval or now - last > LONG_IDLE_NS):
        return step, LONG_IDLE_SLEEP                              # no frame for a second: camera down
    return step, min(step * 2, IDLE_SLEEP)                        # idle or stalled: back off


def schedule_time(last, older, interval):
    """When the newest frame, published at `last` (ns), was due on its writer's schedule, from the publish times of
    the frames before it (`older`, newest first, one frame apart) and the frame interval: the earliest of `last` and
    each older frame's time plus its distance in intervals, ignoring those three quarters of an interval or more
    before `last` (a frame that was dropped, a writer that changed its pace, or a slot being rewritten). A frame that
    came late (a slow decode, a writer delayed by other load) so does not delay the prediction of the next one, which
    a writer on a fixed schedule (a camera's clock, a capture loop that catches up) publishes on time again."""
    due = last
    if interval:
        for k, t in enumerate(older, 1):
            c = t + k * interval
            if last - interval * 3 // 4 < c < due:
                due = c
    return due


async def _readable(sock, timeout):
    """Waits until `sock` is readable or `timeout` seconds passed, letting the event loop run other tasks."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    loop.add_reader(sock.fileno(), lambda: ready.done() or ready.set_result(None))
    try:
        await asyncio.wait((ready,), timeout=timeout)
    finally:
        loop.remove_reader(sock.fileno())
        ready.cancel()


def default_directory():
    """The ring directory: $FRAMEBUS_RING_DIR if set, else the Java side's default, /dev/shm/framebus-<user>
    (<user> the name of this process's user; /tmp instead of /dev/shm on a host without /dev/shm)."""
    env = os.environ.get("FRAMEBUS_RING_DIR")
    if env:
        return env
    try:
        user = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        user = "user"
    base = "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp"
    return os.path.join(base, "framebus-" + user)


def cameras(directory=None):
    """Ids of the cameras with a ring file in `directory` (default: `default_directory()`), sorted. Lists files,
    whatever their state: `open(id).status()` says whether a camera is live."""
    d = directory or default_directory()
    try:
        names = os.listdir(d)
    except FileNotFoundError:
        return []
    return sorted(n[:-len(SUFFIX)] for n in names if n.endswith(SUFFIX) and CAMERA_ID.match(n[:-len(SUFFIX)]))


def ring_path(name, directory=None):
    """The ring path of a camera id, or `name` itself when it is a path (contains a slash or ends in .ring)."""
    name = os.fspath(name)
    if "/" in name or name.endswith(SUFFIX):
        return name
    if not CAMERA_ID.match(name):
        raise ValueError(f"camera id {name!r} must be 1-64 characters of A-Z a-z 0-9 . _ - and not start with a dot "
                         f"(or give the path of a ring file)")
    return os.path.join(directory or default_directory(), name + SUFFIX)


def open(name, directory=None, stall_timeout=DEFAULT_STALL_TIMEOUT, reuse_buffer=True,  # noqa: A001 - API name
         wake=True):
    """Opens a camera by id (in `directory`, default `default_directory()`) or by ring path. Any ring name works
    the same way (an output's name, once outputs have rings of their own).

    wake=True: waiting blocks on the ring's wake-up socket, which the writer sends a byte per frame (one wake-up,
    the promptest), when there is one; without it (an older writer, or wake=False) waiting predicts the next frame
    from the writer's schedule and sleeps until shortly before it.

    Raises CameraNotFoundError when there is no ring file, and a RingFormatError subclass when the file is not a
    readable ring (not a ring, truncated, still being initialised, another format version)."""
    return Source(ring_path(name, directory), stall_timeout=stall_timeout, reuse_buffer=reuse_buffer, wake=wake)


class Status:
    """A snapshot of the ring header and what the reader concludes from it. Attributes (see `as_dict()`):
    camera_id, path, generation, width, height, pixel_format, published_sequence, state, lifecycle, error,
    error_text, error_age, heartbeat_age, state_age (seconds), decoded_frames, dropped_frames, reconnects,
    source_width, source_height, source_fps, writer_pid, writer_alive, stale, stale_reasons, live, path_error,
    waiting ("socket": woken by the writer's wake-up socket; "prediction": predicting frames)."""

    def __init__(self, values):
        self.__dict__.update(values)

    def as_dict(self):
        return dict(self.__dict__)

    def __repr__(self):
        health = "stale: " + ", ".join(self.stale_reasons) if self.stale else "live"
        return (f"Status({self.camera_id}: {self.state}, {health}, "
                f"frame {self.published_sequence} gen {self.generation})")


class Source:
    """One camera's ring, followed through its path. Not thread-safe: one Source per thread or task.

    Reads copy the frame (pread, immune to SIGBUS) into one buffer reused for every frame by default; `view()`
    gives a zero-copy view instead. The ring behind the path is re-checked on every read when it is no longer open,
    and every 250 ms otherwise, so a restarted writer (a replaced ring, or a ring deleted and created anew after a
    crash) is followed."""

    def __init__(self, path, stall_timeout=DEFAULT_STALL_TIMEOUT, reuse_buffer=True, wake=True):
        self.path = os.fspath(path)
        self.stall_timeout = stall_timeout
        self.reuse_buffer = reuse_buffer
        try:
            self._ring = RingFile(self.path)
        except FileNotFoundError:
            raise CameraNotFoundError(f"{self.path}: no ring file (is the camera configured and started? ring "
                                      f"directory {os.path.dirname(self.path)})") from None
        self._serial = 1          # +1 whenever the path holds another ring
        self._checked = time.monotonic_ns()
        self._path_error = None
        self._buf = None
        self._last = None         # (serial, generation, sequence) of the last frame returned by next()/frames()
        self._interval_seq = -1   # published sequence the cached interval was computed at
        self._interval = (0, 0, 0)
        self._intervals = collections.deque(maxlen=15)  # recent frame intervals (ns) seen while waiting
        self._newest_seen = None  # (sequence, publish mono) of the newest frame seen while waiting
        self._polled = -1         # the published sequence the last poll() saw (-1: none); waiting predicts from it
        self.laps = 0             # frames lost to a slow consumer in every=True iteration
        self.switches = 0         # rings followed after the first one
        self.wake = wake          # whether to wait on the ring's wake-up socket when it has one
        self.wake_ups = 0         # bytes (one per published frame) received on the wake-up socket
        self._wake = None         # the connected wake-up socket, or None
        self._wake_tried = 0      # when the last connect was tried (monotonic ns)
        self._connect_wake()

    # ---- plumbing

    @property
    def camera_id(self):
        return self._ring.header["camera_id"]

    @property
    def header(self):
        """Identity and geometry of the ring followed now (dict)."""
        return dict(self._ring.header)

    def close(self):
        self._drop_wake()
        if self._ring is not None:
            self._ring.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def refresh(self):
        """Switches to the file now at the path if it is another ring; True when it did. A path with no file or
        an unreadable one keeps the old ring (its status tells why frames stopped; `status().path_error` says what
        is wrong with the path)."""
        self._checked = time.monotonic_ns()
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._path_error = "no file at the path"
            return False
        if (st.st_dev, st.st_ino) == self._ring.identity:
            self._path_error = None
            return False
        try:
            fresh = RingFile(self.path)
        except (OSError, RingFormatError) as e:
            self._path_error = str(e)
            return False
        self._path_error = None
        old, self._ring = self._ring, fresh
        old.close()
        self._drop_wake()
        self._connect_wake()  # the new writer's socket
        self._serial += 1
        self.switches += 1
        self._interval_seq = -1
        self._intervals.clear()
        self._newest_seen = None
        return True

    # ---- the wake-up socket (docs/shm-format.md, "The wake-up socket")

    def _connect_wake(self):
        self._wake_tried = time.monotonic_ns()
        if not self.wake:
            return
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(self.path + WAKE_SUFFIX)
        except OSError:
            s.close()  # no socket (an older writer, a path too long for one), or its writer is gone: predict
            return
        self._wake = s

    def _drop_wake(self):
        if self._wake is not None:
            self._wake.close()
            self._wake = None

    def _wake_socket(self):
        """The wake-up socket with every byte read from it (so a byte that comes later means a newer frame), or
        None when there is none: then a connect is tried again at most every 250 ms."""
        s = self._wake
        if s is not None:
            try:
                while True:
                    got = s.recv(4096)
                    if not got:           # end of file: the writer closed the ring or died
                        self._drop_wake()
                        break
                    self.wake_ups += len(got)
                    if len(got) < 4096:
                        break
            except BlockingIOError:
                pass
            except OSError:
                self._drop_wake()
        if self._wake is None and self.wake and time.monotonic_ns() - self._wake_tried >= IDENTITY_CHECK_NS:
            self._connect_wake()
        return self._wake

    def _current(self, force=False):
        ring = self._ring
        try:
            due = force or time.monotonic_ns() - self._checked >= IDENTITY_CHECK_NS
            if due or ring.lifecycle() != L.LIFECYCLE_OPEN:
                self.refresh()
        except RingTruncatedError:
            if not self.refresh():
                raise
        return self._ring

    def _buffer(self, ring, out):
        if out is not None:
            if out.nbytes < ring.frame_bytes or out.dtype != np.uint8 or not out.flags.c_contiguous:
                raise ValueError(f"out must be a C-contiguous uint8 array of at least {ring.frame_bytes} bytes")
            return out.reshape(-1)[:ring.frame_bytes]
        if not self.reuse_buffer:
            return np.empty(ring.frame_bytes, np.uint8)
        if self._buf is None or self._buf.size != ring.frame_bytes:
            self._buf = np.empty(ring.frame_bytes, np.uint8)
        return self._buf

    def _read(self, ring, seq, out):
        """Frame seq copied into a buffer, or None when the slot no longer (or not yet) holds it intact."""
        buf = self._buffer(ring, out)
        meta = ring.copy_frame(seq, buf)
        if meta is None:
            return None
        return Frame(ring.header, dict(zip(ring.layout.fields, meta)), buf, self._serial)

    def _newest(self, out=None):
        for _ in range(MAX_ATTEMPTS):
            ring = self._ring
            try:
                seq = ring.published()
                if seq == 0:
                    return None
                frame = self._read(ring, seq, out)
            except RingTruncatedError:
                if not self.refresh():
                    raise
                continue
            if frame is not None:
                return frame
        raise LappedError(f"{self.path}: no intact frame in {MAX_ATTEMPTS} attempts (the writer laps this reader; "
                            f"a faster machine or more ring slots help)")

    # ---- frames

    def latest(self, out=None):
        """A copy of the newest frame, or None before the first frame. Never a torn frame.

        `out`: a uint8 array to copy into (at least frame bytes); default: the Source's reused buffer (or a new
        array per frame with reuse_buffer=False)."""
        self._current()
        return self._newest(out)

    def view(self):
        """The newest frame as a zero-copy FrameView (a context manager validated on exit), or None before the
        first frame."""
        self._current()
        ring = self._ring
        for _ in range(MAX_ATTEMPTS):
            seq = ring.published()
            if seq == 0:
                return None
            got = ring.view_array(seq)
            if got is not None:
                arr, lock, meta = got
                return FrameView(ring, seq, arr, lock, dict(zip(ring.layout.fields, meta)), ring.header,
                                 self._serial)
        raise LappedError(f"{self.path}: no stable frame in {MAX_ATTEMPTS} attempts")

    def poll(self, every=False, out=None):
        """The next frame after the last one `next()`/`frames()`/`poll()` returned, or None when there is none yet.

        every=False: the newest frame (a slow consumer skips frames, never builds a backlog; `frame.skipped` says
        how many). every=True: the frame right after the last one as long as the ring still holds it; when the
        writer has overwritten it, the newest, and `laps` grows."""
        ring = self._current()
        last = self._last
        self._polled = -1
        try:
            seq = ring.published()
        except RingTruncatedError:
            if not self.refresh():
                raise
            return None
        self._polled = seq
        if seq == 0:
            return None
        same = last is not None and last[0] == self._serial
        if same and seq <= last[2]:
            return None
        frame = None
        if same and every:
            if seq - last[2] < ring.slot_count:
                frame = self._read(ring, last[2] + 1, out)
            if frame is None:
                self.laps += 1  # frame last + 1 is overwritten already (or was while being copied)
        if frame is None:
            frame = self._newest(out)
            if frame is None:
                return None
        if frame.ring_serial == self._serial and same:
            frame.skipped = frame.sequence - last[2] - 1
        self._last = (frame.ring_serial, frame.generation, frame.sequence)
        return frame

    def _sleep_for(self, step):
        """How long to sleep before looking again, and the next step (see `plan_wait`), predicted from the frame
        `poll()` saw last. When the writer published another one since `poll()` looked, no sleep at all: a
        prediction from that newer frame would sleep until shortly before the one after it, past the frame that
        is already there (the check-then-sleep race that RingReader.awaitAfter avoids the same way)."""
        ring = self._ring
        seq = ring.published()
        if seq != self._polled:
            return 0.0, MIN_SLEEP
        if seq != self._interval_seq:
            self._interval_seq = seq
            self._interval = self._predict(ring, seq)
        interval, _, last = self._interval
        return plan_wait(time.monotonic_ns(), step, interval, last)

    def _predict(self, ring, seq):
        """(interval, seq, when frame seq was due): the median of the frame intervals seen lately (robust to a
        writer that was delayed and catches up), or from the ring's recent slots until there are a few; the due
        time from the publish times of frame seq and the few before it (`schedule_time`)."""
        if seq < 1:
            return 0, seq, 0
        pi = ring.layout.fields.index("publish_mono_nanos")
        last = ring.slot_meta(seq)[pi]
        prev = self._newest_seen
        if prev is not None and prev[0] < seq:
            d = (last - prev[1]) // (seq - prev[0])
            if 0 < d < 10_000_000_000:
                self._intervals.append(d)
        self._newest_seen = (seq, last)
        if len(self._intervals) >= 3:
            interval = sorted(self._intervals)[len(self._intervals) // 2]
        else:
            interval, _, _ = ring.recent_interval()
        # the slot the writer claims next (seq + 1 - slot_count) is left out: its time may be being rewritten
        older = [ring.slot_meta(seq - k)[pi] for k in range(1, min(SCHEDULE_FRAMES, ring.slot_count - 2, seq - 1) + 1)]
        return interval, seq, schedule_time(last, older, interval)

    def next(self, timeout=None, every=False, out=None):
        """Waits for the frame after the last one returned (see `poll`); raises FrameTimeout after `timeout`
        seconds without one (None: wait for ever)."""
        deadline = None if timeout is None else time.monotonic_ns() + int(timeout * 1e9)
        step = MIN_SLEEP
        while True:
            self._wake_socket()  # read out before the look: a byte after it is a frame after it
            frame = self.poll(every, out)
            if frame is not None:
                return frame
            if deadline is not None and time.monotonic_ns() >= deadline:
                raise FrameTimeout(f"{self.path}: no new frame within {timeout} s ({self._describe()})")
            wake = self._wake  # poll() may have followed a new ring and connected to its writer's socket
            if wake is not None:
                sleep = WAKE_WAIT
            else:
                sleep, step = self._sleep_for(step)
            if deadline is not None:
                sleep = min(sleep, max(0.0, (deadline - time.monotonic_ns()) / 1e9))
            if wake is not None:
                select.select((wake,), (), (), sleep)
            else:
                time.sleep(sleep)

    def frames(self, timeout=None, every=False, out=None):
        """Iterator over new frames: `for frame in src.frames(timeout=5): ...`. Raises FrameTimeout when no frame
        comes for `timeout` seconds (None: waits for ever). The frame's pixels live in the reused buffer until the
        next iteration (`frame.copy()` keeps one)."""
        while True:
            yield self.next(timeout, every, out)

    async def anext(self, timeout=None, every=False, out=None):
        """`next()` for asyncio: sleeps with asyncio.sleep, so other tasks run while it waits."""
        deadline = None if timeout is None else time.monotonic_ns() + int(timeout * 1e9)
        step = MIN_SLEEP
        while True:
            self._wake_socket()
            frame = self.poll(every, out)
            if frame is not None:
                return frame
            if deadline is not None and time.monotonic_ns() >= deadline:
                raise FrameTimeout(f"{self.path}: no new frame within {timeout} s ({self._describe()})")
            wake = self._wake  # poll() may have followed a new ring and connected to its writer's socket
            if wake is not None:
                sleep = WAKE_WAIT
            else:
                sleep, step = self._sleep_for(step)
            if deadline is not None:
                sleep = min(sleep, max(0.0, (deadline - time.monotonic_ns()) / 1e9))
            if wake is not None:
                await _readable(wake, sleep)
            else:
                await asyncio.sleep(sleep)

    async def aframes(self, timeout=None, every=False, out=None):
        """Async iterator: `async for frame in src.aframes(timeout=5): ...`."""
        while True:
            yield await self.anext(timeout, every, out)

    # ---- health

    def _describe(self):
        try:
            s = self.status()
        except FramebusError as e:
            return str(e)
        why = ", ".join(s.stale_reasons) if s.stale else "writer live"
        return f"state {s.state}, {why}, last error {s.error}: {s.error_text or '-'}"

    def status(self):
        """A Status snapshot of the ring followed now (after re-checking the path)."""
        self._current(force=True)
        ring = self._ring
        raw = ring.status()
        now = time.monotonic_ns()
        lifecycle = L.LIFECYCLES.get(raw["lifecycle_code"], "open")
        alive = writer_alive(raw["writer_pid"], raw["writer_start_millis"])
        hb_age = (now - raw["heartbeat_nanos"]) / 1e9
        reasons = []
        if lifecycle != "open":
            reasons.append(f"ring {lifecycle}")
        if not alive:
            reasons.append("writer not running")
        if hb_age > self.stall_timeout:
            reasons.append(f"heartbeat {hb_age:.1f} s old")
        code = raw["error_code"]
        state = L.STATES.get(raw["state_code"], "STARTING")
        values = {
            "path": self.path, "camera_id": raw["camera_id"], "generation": raw["generation"],
            "width": raw["width"], "height": raw["height"], "pixel_format": raw["pixel_format"],
            "slot_count": raw["slot_count"], "published_sequence": raw["published_sequence"],
            "state": state, "lifecycle": lifecycle,
            "error": None if code is None else L.ERRORS.get(code, "INTERNAL"), "error_text": raw["error_text"],
            "error_age": (now - raw["error_nanos"]) / 1e9 if code else None,
            "heartbeat_age": hb_age, "state_age": (now - raw["state_since_nanos"]) / 1e9,
            "decoded_frames": raw["decoded_frames"], "dropped_frames": raw["dropped_frames"],
            "reconnects": raw["reconnects"], "source_width": raw["source_width"],
            "source_height": raw["source_height"], "source_fps": raw["source_fps_milli"] / 1000,
            "writer_pid": raw["writer_pid"], "writer_alive": alive, "stale": bool(reasons), "stale_reasons": reasons,
            "live": not reasons and state == "STREAMING", "path_error": self._path_error,
            "ring_serial": self._serial, "waiting": "socket" if self._wake is not None else "prediction",
        }
        return Status(values)

    def raw_status(self):
        """Every header field as the file holds it (dict; codes and nanosecond times), for tools."""
        self._current()
        return self._ring.status()

    def __repr__(self):
        return f"Source({self.path!r})"
