"""Frames: metadata and pixels. A Frame owns (or borrows, with reused buffers) a copy; a FrameView is zero-copy."""

import time

import numpy as np

from . import _convert
from . import _layout as L
from ._errors import TornFrameError


def shape_image(fmt, data, width, height):
    """numpy shapes of a flat payload: (h, w, 3) for BGR24/RGB24, (h, w) for GRAY8, a tuple of planes for YUV:
    (Y (h, w), U, V (ceil(h/2), ceil(w/2))) for YUV420P, (Y, UV (ceil(h/2), ceil(w/2), 2)) for NV12."""
    w, h = width, height
    cw, ch, n = (w + 1) // 2, (h + 1) // 2, w * h
    if fmt in ("BGR24", "RGB24"):
        return data.reshape(h, w, 3)
    if fmt == "GRAY8":
        return data.reshape(h, w)
    if fmt == "YUV420P":
        return data[:n].reshape(h, w), data[n:n + cw * ch].reshape(ch, cw), data[n + cw * ch:].reshape(ch, cw)
    return data[:n].reshape(h, w), data[n:].reshape(ch, cw, 2)


CHANNELS = {"BGR24": "BGR", "RGB24": "RGB", "GRAY8": "Y", "YUV420P": "YUV", "NV12": "YUV"}


class _Pixels:
    """Pixel accessors shared by Frame and FrameView (both have data, pixel_format, width, height)."""

    @property
    def image(self):
        """The payload in numpy shapes (see `shape_image`); views into `data`, no copy."""
        return shape_image(self.pixel_format, self.data, self.width, self.height)

    @property
    def channels(self):
        return CHANNELS[self.pixel_format]

    def planes(self):
        """One 2-D array per channel, in `channels` order (chroma planes at half resolution for YUV)."""
        img = self.image
        if isinstance(img, tuple):
            return list(img) if len(img) == 3 else [img[0], img[1][..., 0], img[1][..., 1]]
        return [img] if img.ndim == 2 else [img[..., i] for i in range(3)]

    def pixel(self, row, col):
        """Every channel's value at (row, col); chroma planes are sampled at (row // 2, col // 2)."""
        packed = not isinstance(self.image, tuple)
        return [int(p[row, col]) if packed or i == 0 else int(p[row // 2, col // 2])
                for i, p in enumerate(self.planes())]

    def gray(self):
        """Luma (h, w): the Y plane of YUV formats, GRAY8 as is, BT.601 luma of BGR24/RGB24."""
        if self.pixel_format in ("GRAY8", "YUV420P", "NV12"):
            return self.planes()[0]
        img = self.image.astype(np.float32)
        b, r = (0, 2) if self.pixel_format == "BGR24" else (2, 0)
        return np.clip(0.114 * img[..., b] + 0.587 * img[..., 1] + 0.299 * img[..., r] + 0.5, 0, 255).astype(np.uint8)

    def bgr(self, matrix="bt601"):
        """(h, w, 3) uint8 in blue, green, red order (OpenCV's). YUV formats are converted from limited range with
        `matrix` ("bt601", the default, or "bt709"); BGR24 is returned as a view, without a copy."""
        return _convert.convert(self.pixel_format, self.data, self.width, self.height, "bgr", matrix)

    def rgb(self, matrix="bt601"):
        """(h, w, 3) uint8 in red, green, blue order; see `bgr`."""
        return _convert.convert(self.pixel_format, self.data, self.width, self.height, "rgb", matrix)


class Frame(_Pixels):
    """One frame copied out of the ring.

    `data` is the flat payload (uint8). With the default reused buffer it is overwritten by the next read from the
    same Source: call `copy()` to keep a frame. Times: `capture_epoch_nanos` (wall clock, for display),
    `capture_mono_nanos` and `publish_mono_nanos` (CLOCK_MONOTONIC, for ages: `age()`).
    `key` is unique within one Source: (ring serial, generation, sequence), since (generation, sequence) alone
    repeats when a ring is deleted and created anew.
    The camera's own capture time, where the source gives one (ring revision 1): `source_capture_epoch_nanos` (None
    when not given), `capture_time_source` ("RTCP" or None), `source_clock_reset` (this frame starts a new time line
    of the camera's clock: do not compare with earlier frames), and `source_sequence`, the number of the decoded
    picture (the same in every output ring made from it; None when not given)."""

    __slots__ = ("camera_id", "sequence", "generation", "ring_serial", "capture_epoch_nanos", "capture_mono_nanos",
                 "publish_mono_nanos", "pts_micros", "keyframe", "width", "height", "pixel_format", "data", "skipped",
                 "extra", "source_capture_epoch_nanos", "capture_time_source", "source_clock_reset",
                 "source_sequence")

    def __init__(self, header, fields, data, ring_serial, skipped=None):
        self.camera_id = header["camera_id"]
        self.generation = header["generation"]
        self.width, self.height, self.pixel_format = header["width"], header["height"], header["pixel_format"]
        self.sequence = fields["sequence"]
        self.capture_epoch_nanos = fields["capture_epoch_nanos"]
        self.capture_mono_nanos = fields["capture_mono_nanos"]
        self.publish_mono_nanos = fields["publish_mono_nanos"]
        pts = fields["pts_micros"]
        self.pts_micros = None if pts == L.NO_PTS else pts
        self.keyframe = bool(fields["flags"] & L.FLAG_KEYFRAME)
        _source_time(self, fields)
        # fields a newer format version adds, by name
        self.extra = {k: v for k, v in fields.items() if k not in _V1_FIELDS}
        self.data = data
        self.ring_serial = ring_serial
        self.skipped = skipped

    @property
    def key(self):
        return self.ring_serial, self.generation, self.sequence

    @property
    def timestamp(self):
        """Capture time in seconds since the epoch (wall clock), like time.time()."""
        return self.capture_epoch_nanos / 1e9

    def age(self):
        """Seconds since capture, on CLOCK_MONOTONIC (the writer's clock, shared by every process of the host)."""
        return (time.monotonic_ns() - self.capture_mono_nanos) / 1e9

    def copy(self):
        """A frame with its own copy of the pixels (safe to keep after the next read)."""
        f = object.__new__(Frame)
        for k in Frame.__slots__:
            setattr(f, k, getattr(self, k))
        f.data = self.data.copy()
        return f

    def info(self):
        """Metadata as a dict (what the command line tool prints)."""
        d = {k: getattr(self, k) for k in ("camera_id", "sequence", "generation", "capture_epoch_nanos",
                                          "capture_mono_nanos", "publish_mono_nanos", "pts_micros", "keyframe",
                                          "source_capture_epoch_nanos", "capture_time_source",
                                          "source_clock_reset", "source_sequence")}
        d["payload_bytes"] = int(self.data.size)
        d.update(self.extra)
        return d

    def __repr__(self):
        return (f"Frame({self.camera_id} gen {self.generation} seq {self.sequence}, {self.width}x{self.height} "
                f"{self.pixel_format}, age {self.age() * 1000:.1f} ms)")


_V1_FIELDS = set(L.SLOTS[1].fields)


def _source_time(frame, fields):
    """The revision 1 fields (0 = not given, also in files of older writers)."""
    t = fields["source_capture_epoch_nanos"]
    frame.source_capture_epoch_nanos = t if t else None
    frame.capture_time_source = L.CAPTURE_TIME_SOURCES.get(fields["capture_time_source_code"]) if t else None
    frame.source_clock_reset = bool(fields["flags"] & L.FLAG_SOURCE_CLOCK_RESET)
    frame.source_sequence = fields["source_sequence"] or None


class FrameView(_Pixels):
    """The newest frame in place in the ring's shared memory: no copy. Use it as a context manager; leaving the
    block validates it and raises TornFrameError when the writer overwrote the slot meanwhile (everything computed
    from the pixels must then be thrown away). `data` and every array from it are read-only and must not be used
    after the block."""

    def __init__(self, ring, seq, array, lock, frame_fields, header, ring_serial):
        self._ring, self._seq, self._lock = ring, seq, lock
        self.data = array
        self.width, self.height, self.pixel_format = header["width"], header["height"], header["pixel_format"]
        self.camera_id, self.generation, self.sequence = header["camera_id"], header["generation"], seq
        self.capture_epoch_nanos = frame_fields["capture_epoch_nanos"]
        self.capture_mono_nanos = frame_fields["capture_mono_nanos"]
        self.publish_mono_nanos = frame_fields["publish_mono_nanos"]
        self.keyframe = bool(frame_fields["flags"] & L.FLAG_KEYFRAME)
        _source_time(self, frame_fields)
        self.ring_serial = ring_serial
        self._released = False

    def intact(self):
        """True while the writer has not started to overwrite this frame's slot."""
        return self._ring.slot_lock(self._seq) == self._lock

    def release(self):
        """Ends the view; raises TornFrameError if the frame was overwritten while it was in use."""
        if self._released:
            return
        self._released = True
        ok = self.intact()
        self.data = None
        if not ok:
            raise TornFrameError(f"{self._ring.path}: frame {self.sequence} was overwritten by the writer while the "
                                 f"zero-copy view was in use: discard what was computed from it (a copy, the "
                                 f"default, never tears)")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.release()
        else:
            self._released, self.data = True, None
        return False
