package io.framebus.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Everything about one frame except its pixels.
 *
 * @param cameraId          the camera that produced it
 * @param sequence          1 for the first frame of a generation, then +1 per published frame
 * @param generation        incremented every time the capture process (re)starts or the geometry changes;
 *                          sequences of different generations are unrelated
 * @param captureEpochNanos when the frame was decoded (or the source's own time, when its stream carries one),
 *                          in nanoseconds since the epoch
 * @param captureMonoNanos  the same moment on the host's monotonic clock ({@link System#nanoTime()}, comparable
 *                          across processes on one Linux host)
 * @param sourcePtsMicros   the presentation timestamp the stream gave this frame, in microseconds, or
 *                          {@link Long#MIN_VALUE} when it had none
 * @param format            size and pixel format of the payload
 * @param keyframe          whether the frame was decoded from a key frame
 */
public record FrameInfo(String cameraId, long sequence, long generation, long captureEpochNanos, long captureMonoNanos,
                        long sourcePtsMicros, FrameFormat format, boolean keyframe) {

    /** Value of {@link #sourcePtsMicros()} when the stream gave no timestamp. */
    public static final long NO_PTS = Long.MIN_VALUE;

    public FrameInfo {
        Objects.requireNonNull(cameraId, "cameraId");
        Objects.requireNonNull(format, "format");
    }

    /** When the frame was captured, wall clock. */
    public Instant captureTime() {
        return Instant.ofEpochSecond(0, captureEpochNanos);
    }

    /** How long ago the frame was captured, measured on the monotonic clock (immune to wall-clock steps). */
    public Duration age() {
        return Duration.ofNanos(Math.max(0, System.nanoTime() - captureMonoNanos));
    }
}
