"""Pure functions: start-time matching, camera ids and paths, the YUV conversions' numbers."""

import numpy as np
import pytest

import framebus
from framebus import _convert, _proc


def test_writer_start_times_match_across_whole_second_boot_time_shifts_only():
    t = 1_795_483_289_330
    assert _proc.same_start(t, t)
    assert _proc.same_start(t, t + 1000) and _proc.same_start(t, t - 3_600_000)  # the wall clock was set
    assert not _proc.same_start(t, t + 10) and not _proc.same_start(t, t - 990)   # another process, same pid
    assert _proc.same_start(0, t) and _proc.same_start(t, 0)                     # unknown: the pid decides
    assert not _proc.writer_alive(0, 0) and not _proc.writer_alive(2 ** 22 + 12345, 0)


def test_ring_paths_from_ids_and_paths():
    assert framebus.ring_path("front", "/x") == "/x/front.ring"
    assert framebus.ring_path("/some/where/cam.ring") == "/some/where/cam.ring"
    assert framebus.ring_path("rel/cam.ring") == "rel/cam.ring"
    for bad in ("", ".hidden", "a b", "x" * 65, "ü"):
        with pytest.raises(ValueError, match="must be 1-64 characters"):
            framebus.ring_path(bad, "/x")


def yuv_frame(y, u, v, w=4, h=2):
    cw, ch = (w + 1) // 2, (h + 1) // 2
    return np.concatenate([np.full(w * h, y), np.full(cw * ch, u), np.full(cw * ch, v)]).astype(np.uint8)


@pytest.mark.parametrize("yuv, bgr", [((235, 128, 128), (255, 255, 255)), ((16, 128, 128), (0, 0, 0)),
                                      ((126, 128, 128), (128, 128, 128)),
                                      ((81, 90, 240), (0, 0, 255)),     # BT.601 limited-range red
                                      ((145, 54, 34), (0, 255, 0)),     # green
                                      ((41, 240, 110), (255, 0, 0))])   # blue
def test_bt601_limited_range_reference_colours(yuv, bgr):
    out = _convert.convert("YUV420P", yuv_frame(*yuv), 4, 2, "bgr", use_cv2=False)
    assert np.abs(out.astype(int) - np.array(bgr)).max() <= 2, (yuv, out[0, 0])


def test_nv12_equals_yuv420p_and_odd_sizes_keep_their_shape():
    w, h = 5, 3
    rng = np.random.default_rng(1)
    y = rng.integers(16, 236, (h, w), dtype=np.uint8)
    u = rng.integers(16, 241, (2, 3), dtype=np.uint8)
    v = rng.integers(16, 241, (2, 3), dtype=np.uint8)
    i420 = np.concatenate([y.ravel(), u.ravel(), v.ravel()])
    nv12 = np.concatenate([y.ravel(), np.stack([u, v], axis=-1).ravel()])
    a = _convert.convert("YUV420P", i420, w, h, "rgb", use_cv2=False)
    b = _convert.convert("NV12", nv12, w, h, "rgb", use_cv2=False)
    assert a.shape == (3, 5, 3) and (a == b).all()
    assert (_convert.convert("YUV420P", i420, w, h, "bgr", "bt709", use_cv2=False)[..., ::-1]
            == _convert.convert("YUV420P", i420, w, h, "rgb", "bt709", use_cv2=False)).all()
    with pytest.raises(ValueError, match="unknown colour matrix 'bt2020'"):
        _convert.convert("YUV420P", i420, w, h, "rgb", "bt2020", use_cv2=False)
