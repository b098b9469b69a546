"""Command line: `python3 -m framebus RING [--status] [--latest] [--json] [--pixel R,C] [--save OUT.npy]`,
`python3 -m framebus --list`. RING is a camera id (in the default ring directory) or a ring file path."""

import json
import sys
import zlib

import numpy as np

from ._errors import FramebusError
from ._source import cameras, default_directory, open as open_source


def _status_fields(src):
    """The flat status of the old tools/python/framebus_ring.py (names kept for scripts that parse it)."""
    import time
    from . import _layout as L
    from ._proc import writer_alive
    s = {k: v for k, v in src.raw_status().items() if k not in ("magic", "header_bytes", "slot_payload_offset")}
    now = time.monotonic_ns()
    s["heartbeat_age_ms"] = (now - s["heartbeat_nanos"]) / 1e6
    s["state_age_ms"] = (now - s.pop("state_since_nanos")) / 1e6
    s["state"] = L.STATES.get(s["state_code"], "STARTING")
    s["lifecycle"] = L.LIFECYCLES.get(s.pop("lifecycle_code"), "open")
    s["source_fps"] = s.pop("source_fps_milli") / 1000
    code, nanos = s["error_code"], s.pop("error_nanos")
    s["error"] = None if code is None else L.ERRORS.get(code, "INTERNAL")
    s["error_age_ms"] = (now - nanos) / 1e6 if code else None
    s["writer_alive"] = writer_alive(s["writer_pid"], s["writer_start_millis"])
    st = src.status()
    s["stale"] = st.stale
    s["live"] = st.live
    return s


def main(argv=None, prog="framebus"):
    import argparse
    p = argparse.ArgumentParser(prog=prog, description="Show the status and newest frame of a framebus ring.")
    p.add_argument("ring", nargs="?", help="camera id (in the default ring directory) or ring file path")
    p.add_argument("--list", action="store_true", help="list the camera ids in the ring directory")
    p.add_argument("--dir", help="ring directory (default: $FRAMEBUS_RING_DIR or /dev/shm/framebus-$USER)")
    p.add_argument("--status", action="store_true", help="header status (default when nothing is chosen)")
    p.add_argument("--latest", action="store_true", help="the newest frame's metadata and pixel statistics")
    p.add_argument("--json", action="store_true", help="one flat JSON object instead of key: value lines")
    p.add_argument("--pixel", metavar="ROW,COL", help="also print every channel's value at ROW,COL")
    p.add_argument("--save", metavar="OUT.npy", help="save the newest frame (flat for YUV420P/NV12)")
    a = p.parse_args(argv)
    if a.list:
        for cam in cameras(a.dir):
            print(cam)
        return 0
    if not a.ring:
        p.error(f"give a camera id or ring path (cameras in {a.dir or default_directory()}: "
                f"{', '.join(cameras(a.dir)) or 'none'})")
    want_status, want_latest = a.status or not a.latest, a.latest or bool(a.save) or bool(a.pixel)
    try:
        with open_source(a.ring, a.dir) as src:
            out = {"path": src.path}
            if want_status:
                out.update(_status_fields(src))
            if want_latest:
                frame = src.latest()
                out["frame"] = frame is not None
                if frame is not None:
                    out.update({"frame_" + k: v for k, v in frame.info().items() if k != "camera_id"})
                    out["frame_age_ms"] = frame.age() * 1000
                    img = frame.image
                    out["frame_shape"] = [list(x.shape) for x in img] if isinstance(img, tuple) else list(img.shape)
                    out["frame_channels"] = frame.channels
                    out["frame_mean"] = [float(x.mean()) for x in frame.planes()]
                    out["frame_crc32"] = zlib.crc32(frame.data)
                    if a.pixel:
                        row, col = (int(v) for v in a.pixel.split(","))
                        out["frame_pixel"] = frame.pixel(row, col)
                    if a.save:
                        np.save(a.save, frame.data if isinstance(img, tuple) else img)
    except (OSError, FramebusError, ValueError, IndexError) as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return 2
    if a.json:  # flat, one key per line: easy for jq, grep and a regex alike
        print("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in out.items()) + "\n}")
    else:
        for k, v in out.items():
            print(f"{k}: {v}")
    return 0
