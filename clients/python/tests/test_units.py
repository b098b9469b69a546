"""Pure functions: start-time matching, camera ids and paths, the YUV conversions' numbers, the wait plan."""

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


def consumer_delays(publish_times, interval, on_schedule=True):
    """A consumer that waits with plan_wait on a synthetic timeline (ns; looking and planning take no time), as the
    Source does (on_schedule=False: predicting from the newest frame's publish time alone): how long after its
    publish each frame was seen."""
    from framebus._source import MIN_SLEEP, SCHEDULE_FRAMES, plan_wait, schedule_time
    delays, seen, now, step = [], 0, publish_times[0], MIN_SLEEP
    while seen + 1 < len(publish_times):
        newest = max(k for k, t in enumerate(publish_times) if t <= now)
        if newest > seen:
            delays.extend(now - publish_times[k] for k in range(seen + 1, newest + 1))
            seen, step = newest, MIN_SLEEP
            continue
        last = publish_times[seen]
        if on_schedule:
            last = schedule_time(last, publish_times[max(0, seen - SCHEDULE_FRAMES):seen][::-1], interval)
        sleep, step = plan_wait(now, step, interval, last)
        assert 0 < sleep <= interval / 1e9
        now += int(sleep * 1e9)
    return delays


@pytest.mark.parametrize("fps", [25, 100])
def test_the_wait_plan_never_sleeps_past_a_frame_of_a_steady_writer(fps):
    interval = 1_000_000_000 // fps
    rng = np.random.default_rng(fps)
    jitter = rng.integers(-1_000_000, 1_000_000, 200)  # +-1 ms around the schedule
    times = [10 ** 12 + k * interval + int(j) for k, j in enumerate(jitter)]
    delays = consumer_delays(times, interval)
    assert len(delays) == len(times) - 1
    assert max(delays) <= 200_000  # never later than one short step (200 us)


def test_a_late_frame_does_not_delay_the_next_one_on_schedule_and_a_camera_that_stops_backs_off():
    interval = 40_000_000
    times = [10 ** 12 + k * interval for k in range(20)]
    times[10] += 25_000_000  # late by 25 ms, the next one on schedule again (25 ms early for a prediction from it)
    for k in range(15, 20):
        times[k] += 35_000_000  # 35 ms: more than 3/4 of an interval, as a dropped frame; the next ones keep this pace
    delays = consumer_delays(times, interval)  # delays[k - 1]: frame k
    assert max(delays[9], delays[14]) <= 1_000_000  # the late frames: steps of up to 1 ms while one is late
    assert max(delays[:9] + delays[10:14] + delays[15:]) <= 200_000
    # control: predicted from the late frame's own time, the next one is seen 20 ms late (25 ms - the 5 ms woken early)
    assert max(consumer_delays(times, interval, on_schedule=False)) >= 9_000_000
    from framebus._source import IDLE_SLEEP, LONG_IDLE_SLEEP, MIN_SLEEP, plan_wait
    last = times[-1]
    # a camera that stopped: short steps, then steps up to 1 ms while the frame is late, then backing off
    assert plan_wait(last + interval + 1_000_000, MIN_SLEEP, interval, last) == (MIN_SLEEP, 2 * MIN_SLEEP)
    assert plan_wait(last + 2 * interval, 0.0008, interval, last) == (0.0008, 0.001)
    assert plan_wait(last + 4 * interval, 0.008, interval, last) == (0.008, IDLE_SLEEP)
    assert plan_wait(last + 2_000_000_000, IDLE_SLEEP, interval, last) == (IDLE_SLEEP, LONG_IDLE_SLEEP)
