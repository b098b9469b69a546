#!/usr/bin/python3
"""Read a framebus ring file (docs/shm-format.md) from Python: status and the newest frame.

Needs only the standard library and numpy (Debian: apt-get install python3-numpy). Read-only: the ring is
mapped with ACCESS_READ, so this script cannot disturb the writer.

    ring = Ring("/dev/shm/framebus-me/front.ring")
    print(ring.status()["state"])
    frame = ring.latest()      # None before the first frame
    frame.image                # (h, w, 3) BGR24/RGB24, (h, w) GRAY8, tuple of planes for YUV420P/NV12

CLI: framebus_ring.py RING [--status] [--latest] [--json] [--pixel ROW,COL] [--save OUT.npy]

Memory ordering: CPython has no acquire fence. Every load below is a separate C call, and x86-64 never
reorders loads with other loads, so the seqlock check is sound there; on weakly ordered CPUs (aarch64) treat a
frame as best effort.
"""
import json, mmap, os, struct, sys, time, zlib
try:
    import numpy as np
except ImportError:
    sys.exit("framebus_ring: numpy is missing; install it with: apt-get install python3-numpy")

MAGIC, VERSION, HEADER_BYTES, PAGE_BYTES, SLOT_HEADER_BYTES = 0x47524246, 1, 4096, 4096, 128
MIN_SLOTS, MAX_SLOTS, NO_PTS = 2, 64, -(1 << 63)
# (offset, struct code) of every field the reader uses; docs/shm-format.md has the tables
HEADER = {"magic": (0, "<I"), "version": (4, "<i"), "header_bytes": (8, "<i"), "slot_count": (12, "<i"),
          "slot_bytes": (16, "<q"), "frame_bytes": (24, "<q"), "width": (32, "<i"), "height": (36, "<i"),
          "pixel_format_code": (40, "<i"), "stride": (44, "<i"), "generation": (48, "<q"),
          "writer_pid": (56, "<q"), "writer_start_millis": (64, "<q"), "created_millis": (72, "<q"),
          "slot_payload_offset": (80, "<i")}
CAMERA_ID, PUBLISHED_SEQ = (128, 64), 256
LIVE = {"lifecycle_code": (192, "<i"), "heartbeat_nanos": (384, "<q"), "state_code": (392, "<i"), 
        "decoded_frames": (400, "<q"), "dropped_frames": (408, "<q"), "reconnects": (416, "<q"),
        "state_since_nanos": (424, "<q"), "source_width": (1664, "<i"), "source_height": (1668, "<i"),
        "source_fps_milli": (1672, "<i")}
ERROR_LOCK, ERROR_CODE, ERROR_LENGTH, ERROR_NANOS, ERROR_TEXT, ERROR_TEXT_BYTES = 512, 520, 524, 528, 640, 1024
SLOT = {"lock": (0, "<q"), "sequence": (8, "<q"), "capture_epoch_nanos": (16, "<q"),
        "capture_mono_nanos": (24, "<q"), "pts_micros": (32, "<q"), "publish_mono_nanos": (40, "<q"),
        "payload_bytes": (48, "<i"), "flags": (52, "<i"),
        # revision 1 (docs/shm-format.md#revisions): 0 in files of older writers, meaning "not given"
        "source_capture_epoch_nanos": (56, "<q"), "capture_time_source": (64, "<i"), "source_sequence": (72, "<q")}
FLAG_KEYFRAME, FLAG_SOURCE_CLOCK_RESET = 1, 2
CAPTURE_TIME_SOURCES = {0: None, 1: "RTCP"}
PIXEL_FORMATS = {1: "BGR24", 2: "RGB24", 3: "GRAY8", 4: "YUV420P", 5: "NV12"}
STATES = {1: "STARTING", 2: "CONNECTING", 3: "STREAMING", 4: "RECONNECTING", 5: "STOPPED", 6: "FAILED"}
ERRORS = {0: "NONE", 1: "CONNECT", 2: "TIMEOUT", 3: "AUTH", 4: "NOT_FOUND", 5: "UNSUPPORTED", 6: "STREAM",
          7: "CONFIG", 8: "INTERNAL"}
LIFECYCLES = {0: "open", 1: "closed", 2: "replaced"}


class RingFormatError(Exception):
    """The file is not a readable ring: not a ring, truncated, not ready, another version, corrupt header."""


def frame_bytes(fmt, w, h):
    luma, chroma = w * h, ((w + 1) // 2) * ((h + 1) // 2)
    return {"BGR24": 3 * luma, "RGB24": 3 * luma, "GRAY8": luma}.get(fmt, luma + 2 * chroma)


def process_start_millis(pid):
    """Like Java's ProcessHandle.info().startInstant() on Linux: boot time + start ticks; 0 when unknown."""
    try:
        with open("/proc/stat") as f:
            btime = next(int(line.split()[1]) for line in f if line.startswith("btime "))
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        ticks = int(stat[stat.rindex(")") + 2:].split()[19])  # field 22, counted after "(comm)"
        return btime * 1000 + ticks * 1000 // os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return 0


def writer_alive(pid, start_millis):
    """Same rule as RingDirectory.writerAlive: the pid runs, and it is the same process (start time)."""
    if pid <= 0 or not os.path.exists(f"/proc/{pid}"):
        return False
    now_start = process_start_millis(pid)
    return start_millis == 0 or now_start == 0 or now_start == start_millis


class Frame:
    """One frame copied out of the ring: `info` (dict), `data` (flat uint8 copy), `image` (shaped views)."""

    def __init__(self, info, data, fmt, w, h):
        self.info, self.data, self.format, self.width, self.height = info, data, fmt, w, h
        cw, ch, y = (w + 1) // 2, (h + 1) // 2, w * h
        if fmt in ("BGR24", "RGB24"):
            self.image, self.channels = data.reshape(h, w, 3), fmt[:3]
        elif fmt == "GRAY8":
            self.image, self.channels = data.reshape(h, w), "Y"
        elif fmt == "YUV420P":
            self.image = (data[:y].reshape(h, w), data[y:y + cw * ch].reshape(ch, cw),
                          data[y + cw * ch:].reshape(ch, cw))
            self.channels = "YUV"
        else:  # NV12: Y plane, then interleaved U/V pairs
            self.image, self.channels = (data[:y].reshape(h, w), data[y:].reshape(ch, cw, 2)), "YUV"

    def planes(self):
        """One 2-D array per channel, in `channels` order."""
        if isinstance(self.image, tuple):
            return list(self.image) if len(self.image) == 3 else [self.image[0], self.image[1][..., 0],
                                                                  self.image[1][..., 1]]
        return [self.image] if self.image.ndim == 2 else [self.image[..., i] for i in range(3)]

    def pixel(self, row, col):
        """The value of every channel at (row, col); chroma planes are sampled at (row // 2, col // 2)."""
        packed = not isinstance(self.image, tuple)
        return [int(p[row, col]) if packed or i == 0 else int(p[row // 2, col // 2])
                for i, p in enumerate(self.planes())]


class Ring:
    """A read-only view of one ring file. Follows the path when the writer replaces the ring."""

    def __init__(self, path):
        self.path = path
        self.mm, self.header, self._ino = self._open()

    def _open(self):
        """Maps the file at the path and validates its header; returns (mapping, header dict, inode)."""
        with open(self.path, "rb") as f:
            st = os.fstat(f.fileno())
            size = st.st_size
            if size < 8:
                raise RingFormatError(f"{self.path}: not a framebus ring ({size} bytes)")
            mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        get = lambda code, offset: struct.unpack_from(code, mm, offset)[0]
        magic = get("<I", 0)
        if magic != MAGIC:
            raise RingFormatError(f"{self.path}: not a framebus ring (magic {magic:#x}, expected {MAGIC:#x})")
        if size < HEADER_BYTES:
            raise RingFormatError(f"{self.path}: truncated ring: {size} bytes, the header alone is {HEADER_BYTES}")
        # HEADER lists the version before the geometry: the writer stores the version last (release), so the
        # version is loaded first (see the module note on ordering)
        h = {k: get(c, o) for k, (o, c) in HEADER.items()}
        if h["version"] == 0:
            raise RingFormatError(f"{self.path}: ring is still being initialised by its writer")
        if h["version"] != VERSION:
            raise RingFormatError(f"{self.path}: ring format version {h['version']}, this reader understands {VERSION}")
        fmt = PIXEL_FORMATS.get(h["pixel_format_code"])
        if fmt is None or h["width"] <= 0 or h["height"] <= 0:
            raise RingFormatError(f"{self.path}: corrupt header: pixel format {h['pixel_format_code']}, "
                                  f"size {h['width']}x{h['height']}")
        want_slot = -(-(SLOT_HEADER_BYTES + h["frame_bytes"]) // PAGE_BYTES) * PAGE_BYTES
        if (not MIN_SLOTS <= h["slot_count"] <= MAX_SLOTS or h["header_bytes"] != HEADER_BYTES
                or h["frame_bytes"] != frame_bytes(fmt, h["width"], h["height"]) or h["slot_bytes"] != want_slot
                or h["slot_payload_offset"] != SLOT_HEADER_BYTES):
            raise RingFormatError(f"{self.path}: corrupt header (slots {h['slot_count']}, frame bytes "
                                  f"{h['frame_bytes']} for {h['width']}x{h['height']} {fmt})")
        need = HEADER_BYTES + h["slot_count"] * h["slot_bytes"]
        if size < need:
            raise RingFormatError(f"{self.path}: truncated ring: {size} bytes, its header needs {need}")
        raw_id = mm[CAMERA_ID[0]:CAMERA_ID[0] + CAMERA_ID[1]]
        h["camera_id"] = raw_id.split(b"\0", 1)[0].decode("utf-8", "replace")
        h["pixel_format"], h["file_bytes"] = fmt, need
        return mm, h, st.st_ino

    def _get(self, code, offset):
        return struct.unpack_from(code, self.mm, offset)[0]

    def refresh(self):
        """Reopens the path when this ring was replaced or the path now holds another file; True if it did."""
        try:
            moved = os.stat(self.path).st_ino != self._ino
        except OSError:
            return False  # no file now: keep the old mapping, whose status says closed or stale
        if moved or self._get("<i", LIVE["lifecycle_code"][0]) == 2:
            try:
                fresh = self._open()
            except (OSError, RingFormatError):
                return False  # not there yet (or not ready): try again on the next read
            self.mm.close()
            self.mm, self.header, self._ino = fresh
            return True
        return False

    def close(self):
        self.mm.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.mm.close()

    def status(self):
        """Header snapshot: identity, geometry, state, counters, the last error (read under its seqlock)."""
        s = {k: v for k, v in self.header.items() if k not in ("magic", "header_bytes", "slot_payload_offset")}
        s.update({k: self._get(c, o) for k, (o, c) in LIVE.items()})
        s["published_sequence"] = self._get("<q", PUBLISHED_SEQ)
        now = time.monotonic_ns()  # CLOCK_MONOTONIC, the clock of the writer's System.nanoTime()
        s["heartbeat_age_ms"] = (now - s["heartbeat_nanos"]) / 1e6
        s["state_age_ms"] = (now - s.pop("state_since_nanos")) / 1e6
        s["state"] = STATES.get(s["state_code"], "STARTING")  # unknown codes read as STARTING, like Java
        s["lifecycle"] = LIFECYCLES.get(s.pop("lifecycle_code"), "open")
        s["source_fps"] = s.pop("source_fps_milli") / 1000
        code, text, nanos = None, None, 0
        for _ in range(100):
            lock = self._get("<q", ERROR_LOCK)
            if lock & 1:
                continue  # the writer is changing the error
            c, n, nanos = self._get("<i", ERROR_CODE), self._get("<i", ERROR_LENGTH), self._get("<q", ERROR_NANOS)
            raw = self.mm[ERROR_TEXT:ERROR_TEXT + max(0, min(ERROR_TEXT_BYTES, n))]
            if self._get("<q", ERROR_LOCK) == lock:
                code, text = c, raw.decode("utf-8", "replace")
                break
        # None when the error lock stayed odd (a writer died while setting it); unknown codes read as INTERNAL
        s["error_code"], s["error_text"] = code, text
        s["error"] = None if text is None else ERRORS.get(code, "INTERNAL")
        s["error_age_ms"] = (now - nanos) / 1e6 if code else None
        s["writer_alive"] = writer_alive(s["writer_pid"], s["writer_start_millis"])
        s["stale"] = s["lifecycle"] != "open" or not s["writer_alive"]
        return s

    def latest(self, attempts=1000):
        """Copies the newest frame under the slot seqlock; None before the first frame. Never returns a torn frame."""
        if self._get("<i", LIVE["lifecycle_code"][0]) != 0:
            self.refresh()  # replaced, or closed and maybe recreated at the path by a restarted writer
        h = self.header
        for attempt in range(attempts):
            seq = self._get("<q", PUBLISHED_SEQ)
            if seq == 0:
                return None
            slot = HEADER_BYTES + (seq % h["slot_count"]) * h["slot_bytes"]
            lock = self._get("<q", slot)
            if lock != seq << 1:
                continue  # odd: being rewritten; larger: already holds a newer frame (lapped)
            info = {k: self._get(c, slot + o) for k, (o, c) in SLOT.items() if k != "lock"}
            start = slot + SLOT_HEADER_BYTES
            data = np.frombuffer(self.mm, np.uint8, h["frame_bytes"], start).copy()
            if self._get("<q", slot) != lock or info["sequence"] != seq:
                continue  # the writer touched the slot during the copy: torn, take the newest again
            info["generation"], info["retries"] = h["generation"], attempt
            info["keyframe"] = bool(info["flags"] & FLAG_KEYFRAME)
            # the camera's own capture time, or None; a reset starts a new time line of the camera's clock
            info["capture_time_source"] = CAPTURE_TIME_SOURCES.get(info["capture_time_source"])
            if info["capture_time_source"] is None:
                info["source_capture_epoch_nanos"] = None
            info["source_clock_reset"] = bool(info["flags"] & FLAG_SOURCE_CLOCK_RESET)
            info["pts_micros"] = None if info["pts_micros"] == NO_PTS else info["pts_micros"]
            info["age_ms"] = (time.monotonic_ns() - info["capture_mono_nanos"]) / 1e6
            return Frame(info, data, h["pixel_format"], h["width"], h["height"])
        raise TimeoutError(f"{self.path}: no intact frame in {attempts} attempts (writer far ahead?)")


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(description="Show the status and newest frame of a framebus ring file.")
    p.add_argument("ring", help="ring file, e.g. /dev/shm/framebus-$USER/<cameraId>.ring")
    p.add_argument("--status", action="store_true", help="header status (default when nothing is chosen)")
    p.add_argument("--latest", action="store_true", help="the newest frame's metadata and pixel statistics")
    p.add_argument("--json", action="store_true", help="one flat JSON object instead of key: value lines")
    p.add_argument("--pixel", metavar="ROW,COL", help="also print every channel's value at ROW,COL")
    p.add_argument("--save", metavar="OUT.npy", help="save the newest frame (flat for YUV420P/NV12)")
    a = p.parse_args(argv)
    want_status, want_latest = a.status or not a.latest, a.latest or bool(a.save) or bool(a.pixel)
    try:
        with Ring(a.ring) as ring:
            out = {"path": a.ring}
            if want_status:
                out.update(ring.status())
            if want_latest:
                frame = ring.latest()
                out["frame"] = frame is not None
                if frame is not None:
                    out.update({"frame_" + k: v for k, v in frame.info.items()})
                    planes = frame.planes()
                    out["frame_shape"] = ([list(x.shape) for x in frame.image] if isinstance(frame.image, tuple)
                                          else list(frame.image.shape))
                    out["frame_channels"] = frame.channels
                    out["frame_mean"] = [float(x.mean()) for x in planes]
                    out["frame_crc32"] = zlib.crc32(frame.data)
                    if a.pixel:
                        row, col = (int(v) for v in a.pixel.split(","))
                        out["frame_pixel"] = frame.pixel(row, col)
                    if a.save:
                        np.save(a.save, frame.data if isinstance(frame.image, tuple) else frame.image)
    except (OSError, RingFormatError, TimeoutError, ValueError, IndexError) as e:
        print(f"framebus_ring: {e}", file=sys.stderr)
        return 2
    if a.json:  # flat, one key per line: easy for jq, grep and a regex alike
        print("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in out.items()) + "\n}")
    else:
        for k, v in out.items():
            print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
