"""One ring file, read with pread(2): validation, the frame seqlock, status. No state beyond the open file.

Why pread and not a memory mapping: a mapped file that shrinks under the mapping (someone truncates it) turns the
next access to a page past the new end into SIGBUS, which kills the interpreter; there is no way to catch it in
Python. pread of bytes past the end of the file just returns fewer bytes, which this module reports as
RingTruncatedError. Copying a frame with preadv into a numpy buffer is one kernel copy from the same shared pages,
as fast as a memcpy from a mapping (docs/benchmarks.md). Only the zero-copy views need a mapping (see `view_array`).
"""

import mmap
import os
import stat
import struct

from . import _layout as L
from ._errors import (CorruptRingError, NotARingError, RingNotReadyError, RingTruncatedError,
                      UnsupportedVersionError)

_Q = struct.Struct("<q")
_I = struct.Struct("<i")


class RingFile:
    """An open, validated ring file. `header` holds identity and geometry (fixed for the life of the file)."""

    def __init__(self, path):
        self.path = str(path)
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise
        self._fd = fd
        self._mm = None
        try:
            self._validate()
        except BaseException:
            os.close(fd)
            self._fd = -1
            raise

    # ---- opening

    def _validate(self):
        path = self.path
        st = os.fstat(self._fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARingError(path, "not a framebus ring (not a regular file)")
        self.identity = (st.st_dev, st.st_ino)
        size = st.st_size
        head = os.pread(self._fd, L.HEADER_READ_BYTES, 0)
        if len(head) < 8:
            raise NotARingError(path, f"not a framebus ring ({len(head)} bytes)")
        magic = struct.unpack_from("<I", head, 0)[0]
        if magic != L.MAGIC:
            raise NotARingError(path, f"not a framebus ring (magic {magic:#x}, expected {L.MAGIC:#x})")
        if size < L.HEADER_BYTES or len(head) < L.HEADER_READ_BYTES:
            raise RingTruncatedError(path, f"truncated ring: {size} bytes, the header alone is {L.HEADER_BYTES}")
        # the copy reads the version (offset 4) before the geometry after it: the writer stores the version last,
        # with release semantics, so a non-zero version means the whole header is there (x86-64 keeps loads in
        # order; see docs/shm-format.md on weakly ordered CPUs)
        h = dict(zip(L.IDENTITY_FIELDS, L.IDENTITY.unpack_from(head, 0)))
        version = h["version"]
        if version == 0:
            raise RingNotReadyError(path, "ring is still being initialised by its writer (version 0): retry later")
        if version not in L.SLOTS:
            known = ", ".join(str(v) for v in L.SUPPORTED_VERSIONS)
            raise UnsupportedVersionError(
                path, f"ring format version {version}, this reader understands version {known} "
                      f"(a newer framebus wrote it? update the framebus Python package)", version)
        layout = L.SLOTS[version]
        fmt = L.PIXEL_FORMATS.get(h["pixel_format_code"])
        w, hh = h["width"], h["height"]
        if fmt is None or w <= 0 or hh <= 0:
            raise NotARingError(path, f"corrupt header: pixel format code {h['pixel_format_code']}, size {w}x{hh}")
        want_frame = L.frame_bytes(fmt, w, hh)
        want_slot = L.slot_bytes(layout.payload_offset, want_frame)
        problems = []
        if not L.MIN_SLOTS <= h["slot_count"] <= L.MAX_SLOTS:
            problems.append(f"slot count {h['slot_count']} (2..64)")
        if h["header_bytes"] != L.HEADER_BYTES:
            problems.append(f"header bytes {h['header_bytes']} (4096)")
        if h["frame_bytes"] != want_frame:
            problems.append(f"frame bytes {h['frame_bytes']} ({want_frame} for {w}x{hh} {fmt})")
        if h["stride"] != L.stride(fmt, w):
            problems.append(f"stride {h['stride']} ({L.stride(fmt, w)})")
        if h["slot_payload_offset"] != layout.payload_offset:
            problems.append(f"slot payload offset {h['slot_payload_offset']} ({layout.payload_offset})")
        if h["slot_bytes"] != want_slot:
            problems.append(f"slot bytes {h['slot_bytes']} ({want_slot})")
        if h["generation"] < 1:
            problems.append(f"generation {h['generation']} (>= 1)")
        if problems:
            raise NotARingError(path, "corrupt header: " + ", ".join(problems) + " (expected values in brackets)")
        need = L.HEADER_BYTES + h["slot_count"] * h["slot_bytes"]
        if size < need:
            raise RingTruncatedError(path, f"truncated ring: {size} bytes, its header needs {need}")
        raw_id = head[L.CAMERA_ID_OFFSET:L.CAMERA_ID_OFFSET + L.CAMERA_ID_BYTES]
        h["camera_id"] = raw_id.split(b"\0", 1)[0].decode("utf-8", "replace")
        h["pixel_format"], h["file_bytes"] = fmt, need
        self.header = h
        self.version = version
        self.layout = layout
        self.slot_struct = layout.struct
        self.slot_count = h["slot_count"]
        self.slot_bytes = h["slot_bytes"]
        self.frame_bytes = h["frame_bytes"]
        self.file_bytes = need
        self._publish_index = layout.fields.index("publish_mono_nanos")

    # ---- low-level reads (never past the end of the file)

    def _pread(self, n, offset):
        data = os.pread(self._fd, n, offset)
        if len(data) < n:
            raise self._shrunk()
        return data

    def _shrunk(self):
        try:
            size = os.fstat(self._fd).st_size
        except OSError:
            size = "?"
        return RingTruncatedError(self.path, f"truncated ring: the file shrank to {size} bytes under the reader, "
                                             f"its header needs {self.file_bytes} (something truncated it; framebus "
                                             f"writers never do)")

    def slot_offset(self, seq):
        return L.HEADER_BYTES + (seq % self.slot_count) * self.slot_bytes

    def published(self):
        """Sequence of the newest complete frame (0: none yet)."""
        return _Q.unpack(self._pread(8, L.PUBLISHED_SEQ_OFFSET))[0]

    def lifecycle(self):
        return _I.unpack(self._pread(4, L.LIFECYCLE_OFFSET))[0]

    def slot_lock(self, seq):
        return _Q.unpack(self._pread(8, self.slot_offset(seq)))[0]

    def slot_meta(self, seq):
        """The slot header of frame seq's slot as a tuple (lock first); not validated."""
        return self.slot_struct.unpack(self._pread(self.slot_struct.size, self.slot_offset(seq)))

    # ---- frames

    def copy_frame(self, seq, out):
        """Copies frame `seq` into `out` (a writable buffer of frame_bytes) under the slot seqlock.

        Returns the slot header tuple when the copy is intact, None when the slot is being rewritten or already holds
        another frame (torn or lapped: the caller takes the newest again)."""
        off = self.slot_offset(seq)
        meta = self.slot_struct.unpack(self._pread(self.slot_struct.size, off))
        lock = meta[L.SLOT_LOCK]
        if lock != seq << 1:
            return None
        got = os.preadv(self._fd, [out], off + self.layout.payload_offset)
        if got < self.frame_bytes:
            raise self._shrunk()
        if _Q.unpack(self._pread(8, off))[0] != lock:
            return None
        self._check_meta(seq, meta)
        return meta

    def _check_meta(self, seq, meta):
        fields = dict(zip(self.layout.fields, meta))
        if fields["sequence"] != seq or fields["payload_bytes"] != self.frame_bytes:
            raise CorruptRingError(self.path, f"corrupt slot {seq % self.slot_count}: its lock word says frame {seq}, "
                                              f"its header says frame {fields['sequence']} of "
                                              f"{fields['payload_bytes']} bytes (frames here have "
                                              f"{self.frame_bytes})")

    def view_array(self, seq):
        """A read-only numpy view of frame seq's payload in a shared mapping, and the lock word it must keep.

        Returns (array, lock, meta) or None when the slot does not hold frame seq right now. The size of the file is
        checked (fstat) before every view, so a truncated file raises RingTruncatedError instead of SIGBUS; a
        truncation *during* the view can still raise SIGBUS (docs/shm-format.md, "A file that shrinks")."""
        import numpy as np
        off = self.slot_offset(seq)
        meta = self.slot_struct.unpack(self._pread(self.slot_struct.size, off))
        lock = meta[L.SLOT_LOCK]
        if lock != seq << 1:
            return None
        self._check_meta(seq, meta)
        if os.fstat(self._fd).st_size < self.file_bytes:
            raise self._shrunk()
        if self._mm is None:
            self._mm = mmap.mmap(self._fd, self.file_bytes, access=mmap.ACCESS_READ)
        arr = np.frombuffer(self._mm, np.uint8, self.frame_bytes, off + self.layout.payload_offset)
        return arr, lock, meta

    def recent_interval(self):
        """Shortest interval (ns) between the publish times of the last few frames; 0 when unknown or > 10 s.

        The slot the writer claims next is left out (its time may be being rewritten); a racing rewrite gives
        nonsense, which only costs a shorter sleep, never a missed frame."""
        seq = self.published()
        if seq < 2:
            return 0, seq, 0
        pairs = max(1, min(self.slot_count - 2, seq - 1, 3))
        pi = self._publish_index
        newest = newer = self.slot_meta(seq)[pi]
        interval = 0
        for k in range(1, pairs + 1):
            older = self.slot_meta(seq - k)[pi]
            i = newer - older
            if 0 < i and (interval == 0 or i < interval):
                interval = i
            newer = older
        return (interval if interval < 10_000_000_000 else 0), seq, newest

    # ---- header

    def status(self):
        """Every header field as a dict: identity and geometry, liveness, counters, source info, the last error
        (read under its seqlock; error_code None when the lock stayed odd, as when a writer died changing it)."""
        if not self.size_ok():
            raise self._shrunk()
        head = self._pread(L.HEADER_READ_BYTES, 0)
        s = dict(self.header)
        s["lifecycle_code"] = _I.unpack_from(head, L.LIFECYCLE_OFFSET)[0]
        s["published_sequence"] = _Q.unpack_from(head, L.PUBLISHED_SEQ_OFFSET)[0]
        s.update(zip(L.LIVE_FIELDS, L.LIVE.unpack_from(head, L.LIVE_OFFSET)))
        s.update(zip(L.SOURCE_FIELDS, L.SOURCE.unpack_from(head, L.SOURCE_OFFSET)))
        code, text, nanos = None, None, 0
        for _ in range(100):
            lock = _Q.unpack(self._pread(8, L.ERROR_LOCK_OFFSET))[0]
            if lock & 1:
                continue  # the writer is changing the error
            block = self._pread(L.ERROR_TEXT_OFFSET + L.MAX_ERROR_TEXT - L.ERROR_LOCK_OFFSET, L.ERROR_LOCK_OFFSET)
            _, c, n, t = L.ERROR.unpack_from(block, 0)
            n = max(0, min(L.MAX_ERROR_TEXT, n))
            raw = block[L.ERROR_TEXT_OFFSET - L.ERROR_LOCK_OFFSET:][:n]
            if _Q.unpack(self._pread(8, L.ERROR_LOCK_OFFSET))[0] == lock:
                code, text, nanos = c, raw.decode("utf-8", "replace"), t
                break
        s["error_code"], s["error_text"], s["error_nanos"] = code, text, nanos
        return s

    def size_ok(self):
        return os.fstat(self._fd).st_size >= self.file_bytes

    def close(self):
        if self._mm is not None:
            try:
                self._mm.close()
            except BufferError:
                pass  # a zero-copy view still uses it: it is unmapped when the last view is gone
            self._mm = None
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
