"""Files that are not readable rings, and files that shrink under a reader: clear exceptions, never a crash."""

import os
import shutil
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import framebus
from conftest import CLIENT, wait_until


@pytest.fixture
def good_ring(ring_dir, java_writer):
    """A complete GRAY8 64x64 ring with frames, copied out of a live Java writer (the copy has no writer)."""
    live = os.path.join(ring_dir, "live.ring")
    w = java_writer(live, "live", 64, 64, "GRAY8", slots=3, rate=200)
    with framebus.open(live) as src:
        wait_until(lambda: src.latest() is not None and src.latest().sequence > 3, 30, "frames")
    w.send("pause\n")
    w.wait_line("OK pause")
    copy = os.path.join(ring_dir, "copy.ring")
    shutil.copyfile(live, copy)
    return copy


def patched(src, dst, offset, fmt, value):
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        f.seek(offset)
        f.write(struct.pack(fmt, value))
    return dst


def test_files_that_are_not_readable_rings_raise_clear_errors(ring_dir, good_ring):
    d = ring_dir
    text = os.path.join(d, "text.ring")
    with open(text, "w") as f:
        f.write("this is not a ring, just some text\n")
    with pytest.raises(framebus.NotARingError, match=r"text.ring: not a framebus ring \(magic"):
        framebus.open(text)

    empty = os.path.join(d, "empty.ring")
    open(empty, "wb").close()
    with pytest.raises(framebus.NotARingError, match=r"not a framebus ring \(0 bytes\)"):
        framebus.open(empty)

    header_only = os.path.join(d, "header.ring")
    with open(good_ring, "rb") as f, open(header_only, "wb") as g:
        g.write(f.read(4096 + 100))
    with pytest.raises(framebus.RingTruncatedError, match=r"header.ring: truncated ring: 4196 bytes, its header needs"):
        framebus.open(header_only)

    short_header = os.path.join(d, "short.ring")
    with open(good_ring, "rb") as f, open(short_header, "wb") as g:
        g.write(f.read(1000))
    with pytest.raises(framebus.RingTruncatedError, match="the header alone is 4096"):
        framebus.open(short_header)

    with pytest.raises(framebus.RingNotReadyError, match="still being initialised"):
        framebus.open(patched(good_ring, os.path.join(d, "v0.ring"), 4, "<i", 0))
    known = ", ".join(str(v) for v in framebus.SUPPORTED_VERSIONS)
    with pytest.raises(framebus.UnsupportedVersionError,
                       match=rf"v99.ring: ring format version 99, this reader understands version {known} ") as e:
        framebus.open(patched(good_ring, os.path.join(d, "v99.ring"), 4, "<i", 99))
    assert e.value.version == 99
    with pytest.raises(framebus.NotARingError, match=r"corrupt header: frame bytes 4096 \(4160 for 65x64 GRAY8\)"):
        framebus.open(patched(good_ring, os.path.join(d, "width.ring"), 32, "<i", 65))
    with pytest.raises(framebus.NotARingError, match=r"corrupt header: pixel format code 9"):
        framebus.open(patched(good_ring, os.path.join(d, "fmt.ring"), 40, "<i", 9))
    with pytest.raises(framebus.NotARingError, match=r"corrupt header: stride 100 \(64\)"):
        framebus.open(patched(good_ring, os.path.join(d, "stride.ring"), 44, "<i", 100))
    with pytest.raises(framebus.NotARingError, match=r"slot payload offset 256 \(128\)"):
        framebus.open(patched(good_ring, os.path.join(d, "payload.ring"), 80, "<i", 256))
    with pytest.raises(framebus.NotARingError, match=r"slot count 65 \(2..64\)"):
        framebus.open(patched(good_ring, os.path.join(d, "slots.ring"), 12, "<i", 65))
    os.mkdir(os.path.join(d, "dir.ring"))
    with pytest.raises(framebus.NotARingError, match="not a regular file"):
        framebus.open(os.path.join(d, "dir.ring"))
    with pytest.raises(framebus.CameraNotFoundError, match="nothing.ring: no ring file"):
        framebus.open("nothing", directory=d)
    with pytest.raises(ValueError, match="camera id '..' must be"):
        framebus.open("..", directory=d)
    # the good copy still reads, and the command line tool reports the bad ones with exit status 2, no traceback
    with framebus.open(good_ring) as src:
        assert src.latest().sequence > 3
    r = subprocess.run([sys.executable, "-m", "framebus", os.path.join(d, "v99.ring")], cwd=CLIENT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "ring format version 99" in r.stderr and "Traceback" not in r.stderr


def test_a_slot_that_contradicts_its_lock_word_is_reported_corrupt(ring_dir, good_ring):
    with framebus.open(good_ring) as src:
        seq = src.latest().sequence
        slot = 4096 + (seq % 3) * src.header["slot_bytes"]
    bad = patched(good_ring, os.path.join(ring_dir, "slot.ring"), slot + 48, "<i", 17)  # payload bytes
    with framebus.open(bad) as src, pytest.raises(framebus.CorruptRingError,
                                                  match=rf"corrupt slot {seq % 3}: .* of 17 bytes"):
        src.latest()


# A reader in its own interpreter, so that a SIGBUS would show as a signal exit status instead of killing pytest.
SHRINK = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {client!r})
    import framebus
    path = {path!r}
    src = framebus.open(path)
    assert src.latest() is not None
    with src.view() as v:
        v.data.sum()
    with open(path, "r+b") as f:
        f.truncate({size})
    for what in ("latest", "view", "status", "poll"):
        try:
            getattr(src, what)()
            print(what, "no error")
        except framebus.RingTruncatedError as e:
            print(what, "RingTruncatedError", e)
    """)

# The control: a plain mmap reader of the same file, truncated the same way, touching the payload.
SHRINK_MMAP = textwrap.dedent("""
    import mmap, os
    path = {path!r}
    fd = os.open(path, os.O_RDONLY)
    mm = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    os.truncate(path, {size})
    print("touching", flush=True)
    print(mm[20000])
    """)


@pytest.mark.parametrize("size", [0, 4096 + 100, 4096 + 4096 + 100])
def test_a_file_truncated_under_the_reader_raises_instead_of_sigbus(ring_dir, good_ring, size):
    target = os.path.join(ring_dir, "shrink.ring")
    shutil.copyfile(good_ring, target)
    r = subprocess.run([sys.executable, "-c", SHRINK.format(client=CLIENT, path=target, size=size)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"reader died (status {r.returncode}): {r.stderr}"
    lines = r.stdout.splitlines()
    assert [l.split(" ")[:2] for l in lines] == [["latest", "RingTruncatedError"], ["view", "RingTruncatedError"],
                                                 ["status", "RingTruncatedError"], ["poll", "RingTruncatedError"]], \
        r.stdout
    assert "shrink.ring: truncated ring" in lines[0]


def test_control_a_plain_mapping_of_a_shrinking_file_dies_of_sigbus(ring_dir, good_ring):
    """Proves the hazard the test above guards against is real here: mmap + touch after truncate = SIGBUS."""
    target = os.path.join(ring_dir, "shrink-mmap.ring")
    shutil.copyfile(good_ring, target)
    r = subprocess.run([sys.executable, "-c", SHRINK_MMAP.format(path=target, size=4096)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == -7, f"expected death by SIGBUS (-7), got {r.returncode}: {r.stdout} {r.stderr}"
