"""Byte layout of the ring file (docs/shm-format.md). Everything that depends on the format version is here.

The header (identity, geometry, published sequence, liveness, error, source info) is the same in every version this
reader knows. The slot header is the part a version step changes: SLOTS maps each supported version to its slot
layout, and a file of any other version is refused with a message naming both versions.

To read a new version: add `N: SlotLayout(struct, field names, payload offset)` to SLOTS. Keep the version 1 field
names for what stays (Frame reads lock, sequence, capture_epoch_nanos, capture_mono_nanos, pts_micros,
publish_mono_nanos, payload_bytes, flags by name); new fields reach the consumer in `Frame.extra` by name until the
Frame class gives them attributes of their own.
"""

import struct
from collections import namedtuple

MAGIC = 0x47524246  # bytes 46 42 52 47, "FBRG"
PAGE_BYTES = 4096
HEADER_BYTES = 4096
MIN_SLOTS, MAX_SLOTS = 2, 64
MAX_ERROR_TEXT = 1024

# ---- header, block 0: identity and geometry (offset 0, written once before the version)
IDENTITY = struct.Struct("<iiiiqqiiiiqqqqi")
IDENTITY_FIELDS = ("magic", "version", "header_bytes", "slot_count", "slot_bytes", "frame_bytes", "width", "height",
                   "pixel_format_code", "stride", "generation", "writer_pid", "writer_start_millis", "created_millis",
                   "slot_payload_offset")
VERSION_OFFSET = 4
CAMERA_ID_OFFSET, CAMERA_ID_BYTES = 128, 64
LIFECYCLE_OFFSET = 192
PUBLISHED_SEQ_OFFSET = 256
# block 3: liveness and counters (offset 384)
LIVE_OFFSET = 384
LIVE = struct.Struct("<qi4xqqqq")
LIVE_FIELDS = ("heartbeat_nanos", "state_code", "decoded_frames", "dropped_frames", "reconnects", "state_since_nanos")
# blocks 4..12: the last error under its own seqlock (offset 512)
ERROR_LOCK_OFFSET = 512
ERROR = struct.Struct("<qiiq")  # lock, code, length, nanos
ERROR_TEXT_OFFSET = 640
# block 13: what the source delivers (offset 1664)
SOURCE_OFFSET = 1664
SOURCE = struct.Struct("<iii")
SOURCE_FIELDS = ("source_width", "source_height", "source_fps_milli")
# one read of the header covers every block above
HEADER_READ_BYTES = 1676

LIFECYCLE_OPEN, LIFECYCLE_CLOSED, LIFECYCLE_REPLACED = 0, 1, 2
LIFECYCLES = {0: "open", 1: "closed", 2: "replaced"}
STATES = {1: "STARTING", 2: "CONNECTING", 3: "STREAMING", 4: "RECONNECTING", 5: "STOPPED", 6: "FAILED"}
ERRORS = {0: "NONE", 1: "CONNECT", 2: "TIMEOUT", 3: "AUTH", 4: "NOT_FOUND", 5: "UNSUPPORTED", 6: "STREAM",
          7: "CONFIG", 8: "INTERNAL"}
PIXEL_FORMATS = {1: "BGR24", 2: "RGB24", 3: "GRAY8", 4: "YUV420P", 5: "NV12"}
NO_PTS = -(1 << 63)
FLAG_KEYFRAME = 1
# revision 1 of version 1 (docs/shm-format.md#revisions): bytes that were reserved (0) in revision 0, so 0 means
# "not given" in files of older writers as in newer ones
FLAG_SOURCE_CLOCK_RESET = 2
CAPTURE_TIME_SOURCES = {1: "RTCP"}  # 0 and unknown codes: none


def frame_bytes(fmt, width, height):
    """Payload bytes of one frame: tightly packed, chroma planes of ceil(w/2) x ceil(h/2)."""
    luma, chroma = width * height, ((width + 1) // 2) * ((height + 1) // 2)
    return {"BGR24": 3 * luma, "RGB24": 3 * luma, "GRAY8": luma}.get(fmt, luma + 2 * chroma)


def stride(fmt, width):
    """Bytes per row of the first plane; rows are never padded."""
    return 3 * width if fmt in ("BGR24", "RGB24") else width


def slot_bytes(payload_offset, frame_len):
    """Stride from one slot to the next: the slot header and payload, rounded up to a page."""
    return -(-(payload_offset + frame_len) // PAGE_BYTES) * PAGE_BYTES


# ---- the slot: the version-dependent part
SlotLayout = namedtuple("SlotLayout", "struct fields payload_offset")

SLOTS = {
    1: SlotLayout(struct.Struct("<qqqqqqiiqi4xq"),
                  ("lock", "sequence", "capture_epoch_nanos", "capture_mono_nanos", "pts_micros",
                   "publish_mono_nanos", "payload_bytes", "flags",
                   # revision 1: 0 in revision 0 files
                   "source_capture_epoch_nanos", "capture_time_source_code", "source_sequence"),
                  128),
}
SUPPORTED_VERSIONS = tuple(sorted(SLOTS))
# index of the fields every version has, in the tuple a slot read returns
SLOT_LOCK, SLOT_SEQUENCE = 0, 1
