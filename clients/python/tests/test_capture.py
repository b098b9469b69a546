"""Against real capture processes (FFmpeg test pattern, the GStreamer RTSP test camera), real kill -9."""

import os

import numpy as np
import pytest

import framebus
from conftest import wait_until


def opened(path, timeout=60):
    """Opens the ring once its capture process has created it."""
    return wait_until(lambda: os.path.exists(path) and framebus.open(path), timeout, f"{path} to appear")


def test_test_pattern_camera_streams_frames_with_a_live_status(ring_dir, capture, monkeypatch):
    path = os.path.join(ring_dir, "pattern.ring")
    proc = capture(path, "pattern", "testsrc:size=320x240:rate=25", pixelFormat="BGR24")
    monkeypatch.setenv("FRAMEBUS_RING_DIR", ring_dir)
    wait_until(lambda: "pattern" in framebus.cameras(), 60, "the camera in the ring directory")
    with wait_until(lambda: framebus.open("pattern"), 60, "a readable ring") as cam:
        seqs = []
        for frame in cam.frames(timeout=30):
            assert frame.camera_id == "pattern" and frame.image.shape == (240, 320, 3)
            assert frame.bgr() is not None and frame.rgb()[0, 0, 0] == frame.bgr()[0, 0, 2]
            seqs.append(frame.sequence)
            if len(seqs) == 10:
                break
        assert seqs == sorted(seqs) and len(set(seqs)) == 10
        s = cam.status()
        assert s.state == "STREAMING" and s.live and s.writer_pid == proc.pid and s.lifecycle == "open"
        assert s.source_width == 320 and s.source_fps == 25 and s.decoded_frames >= 10


def test_follows_the_camera_across_kill_9_restarts(ring_dir, capture):
    path = os.path.join(ring_dir, "cam.ring")
    url = "testsrc:size=160x120:rate=25"
    first = capture(path, "cam", url, pixelFormat="GRAY8")

    def frame_of(cam, proc, after_serial):
        """Waits for a frame of a ring newer than after_serial written by proc."""
        def got():
            f = cam.next(timeout=30)
            return f if f.ring_serial > after_serial and cam.status().writer_pid == proc.pid else None
        return wait_until(got, 60, f"frames of capture pid {proc.pid}")

    with opened(path) as cam:
        f0 = frame_of(cam, first, 0)
        first.kill9()
        assert wait_until(lambda: not cam.status().writer_alive, 10, "the dead writer to show")
        assert cam.status().stale and not cam.status().live
        # restarted over the dead ring: the new writer replaces it with a larger generation; the reader follows
        second = capture(path, "cam", url, pixelFormat="GRAY8")
        f1 = frame_of(cam, second, f0.ring_serial)
        assert f1.generation > f0.generation and cam.status().live
        # crash again, and this time the ring is cleaned up before the restart: the generation starts again from 1
        # (so (generation, sequence) repeats what the first ring had), and the reader follows the new file too
        second.kill9()
        os.unlink(path)
        third = capture(path, "cam", url, pixelFormat="GRAY8", generation=1)
        f2 = frame_of(cam, third, f1.ring_serial)
        assert f2.generation == f0.generation < f1.generation
        assert f2.key != f0.key and cam.status().live


@pytest.mark.parametrize("fmt", ["YUV420P", "NV12"])
def test_yuv_frames_convert_to_the_colours_the_capture_writes_as_bgr(ring_dir, capture, fmt):
    """The same FFmpeg source captured as BGR24 (swscale's conversion) and as YUV: frame.bgr() of the YUV frame
    matches, which pins down the matrix (BT.601) and the range (limited) of what the capture process writes."""
    url = "testsrc:size=64x48:rate=25:pattern=color:color=0x10D020"
    capture(os.path.join(ring_dir, "bgr.ring"), "bgr", url, pixelFormat="BGR24")
    capture(os.path.join(ring_dir, "yuv.ring"), "yuv", url, pixelFormat=fmt)
    with opened(os.path.join(ring_dir, "bgr.ring")) as a, opened(os.path.join(ring_dir, "yuv.ring")) as b:
        want = a.next(timeout=30).bgr().astype(int)
        frame = b.next(timeout=30)
        assert frame.pixel_format == fmt and frame.image[0].shape == (48, 64)
        got601 = frame.bgr().astype(int)
        got709 = frame.bgr(matrix="bt709").astype(int)
        assert np.abs(got601 - want).max() <= 3, f"BT.601 limited: {got601[0, 0]} vs BGR24 {want[0, 0]}"
        assert np.abs(got709 - want).max() > 8, "the comparison must tell the matrices apart"
        assert (frame.rgb()[..., ::-1] == frame.bgr()).all()
        assert np.abs(frame.gray().astype(int) - frame.image[0]).max() == 0


def test_rtsp_camera_through_gstreamer(ring_dir, capture, rtsp_camera):
    url = rtsp_camera(320, 240, 25, "smpte")
    path = os.path.join(ring_dir, "rtsp.ring")
    proc = capture(path, "rtsp", url, pixelFormat="NV12")
    with opened(path) as cam:
        frames = [cam.next(timeout=60).copy() for _ in range(5)]
        assert [f.sequence for f in frames] == sorted(f.sequence for f in frames)
        img = frames[-1].bgr()
        assert img.shape == (240, 320, 3) and img.std() > 20  # SMPTE bars, not a blank picture
        s = cam.status()
        assert s.live and s.state == "STREAMING" and s.writer_pid == proc.pid and s.source_width == 320
        assert all(f.pts_micros is not None for f in frames)


def test_a_camera_that_cannot_connect_reports_why_in_status_and_timeouts(ring_dir, capture):
    from conftest import free_port
    path = os.path.join(ring_dir, "dead.ring")
    capture(path, "dead", f"rtsp://127.0.0.1:{free_port()}/nothing", connectTimeoutMillis=500,
            reconnectDelayMillis=100, reconnectDelayMaxMillis=500)
    with opened(path) as cam:
        s = wait_until(lambda: (lambda st: st if st.error == "CONNECT" else None)(cam.status()), 60,
                       "the connection error in the status")
        assert s.state in ("CONNECTING", "RECONNECTING") and not s.live and s.writer_alive and not s.stale
        assert "127.0.0.1" in s.error_text and s.error_age is not None and cam.latest() is None
        with pytest.raises(framebus.FrameTimeout, match=r"dead.ring: no new frame within 0.5 s \(state "
                                                        r"(RE)?CONNECTING, writer live, last error CONNECT: "):
            cam.next(timeout=0.5)
