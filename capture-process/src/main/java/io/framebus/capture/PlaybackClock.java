package io.framebus.capture;

/**
 * Plays a non-live source (a file, a test pattern) at the pace of its timestamps, as a camera would deliver it.
 * FFmpeg hands such frames out as fast as it can decode them (hundreds per second); without pacing, a file would
 * fast-forward through the ring and burn a core.
 *
 * <p>The first frame fixes the origin (its timestamp against the monotonic clock); every later frame is due at
 * origin plus its timestamp difference. A timestamp that jumps back (the file looped, a concatenated file) or more
 * than {@value #MAX_JUMP_MICROS} µs ahead, or a frame already a second late (slow decoding), sets a new origin instead
 * of making the loop wait long or race to catch up.
 */
final class PlaybackClock {
    static final long MAX_JUMP_MICROS = 2_000_000;
    private static final long MAX_LATE_NANOS = 1_000_000_000L;

    private final long fallbackIntervalMicros;
    private boolean started;
    private long originNanos;
    private long originPtsMicros;
    private long lastPtsMicros;

    /** @param fallbackFps the rate to assume for frames without a timestamp */
    PlaybackClock(double fallbackFps) {
        this.fallbackIntervalMicros = Math.round(1e6 / (fallbackFps > 0 && fallbackFps <= 1000 ? fallbackFps : 25));
    }

    /**
     * When the frame with timestamp {@code ptsMicros} is due, on the {@link System#nanoTime()} clock.
     *
     * @param ptsMicros the frame's timestamp, or {@link io.framebus.api.FrameInfo#NO_PTS}
     */
    long dueNanos(long ptsMicros, long nowNanos) {
        long pts = ptsMicros == io.framebus.api.FrameInfo.NO_PTS
                ? (started ? lastPtsMicros + fallbackIntervalMicros : 0) : ptsMicros;
        if (!started || pts < lastPtsMicros || pts - lastPtsMicros > MAX_JUMP_MICROS) {
            return restart(pts, nowNanos);
        }
        lastPtsMicros = pts;
        long due = originNanos + (pts - originPtsMicros) * 1000;
        if (nowNanos - due > MAX_LATE_NANOS) {
            return restart(pts, nowNanos);
        }
        return due;
    }

    private long restart(long pts, long nowNanos) {
        started = true;
        originNanos = nowNanos;
        originPtsMicros = pts;
        lastPtsMicros = pts;
        return nowNanos;
    }
}
