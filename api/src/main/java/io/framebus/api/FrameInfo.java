package io.framebus.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything about one frame except its pixels.
 *
 * @param cameraId          the camera that produced it
 * @param sequence          1 for the first frame of a generation, then +1 per published frame
 * @param generation        incremented every time the capture process (re)starts or the geometry changes;
 *                          sequences of different generations are unrelated
 * @param captureEpochNanos when the frame was decoded (paced files: when it became due), in nanoseconds since the
 *                          epoch
 * @param captureMonoNanos  the same moment on the host's monotonic clock ({@link System#nanoTime()}, comparable
 *                          across processes on one Linux host)
 * @param sourcePtsMicros   the presentation timestamp the stream gave this frame, in microseconds, or
 *                          {@link Long#MIN_VALUE} when it had none
 * @param format            size and pixel format of the payload
 * @param keyframe          whether the frame was decoded from a key frame
 * @param sourceCaptureEpochNanos when the camera captured the frame by its own clock, in nanoseconds since the
 *                          epoch, 0 when the source gave no such time ({@code captureTimeSource} is then NONE). It
 *                          never goes backwards within a camera: a source clock that steps back (a reconnect, a
 *                          camera whose clock was reset) gives frames without it until its time passes the last
 *                          one given, or for at most 10 s, after which the new time line is taken and the first
 *                          frame of it says so ({@code sourceClockReset})
 * @param captureTimeSource where {@code sourceCaptureEpochNanos} came from
 * @param sourceClockReset  this frame starts a new time line of the source's clock: do not compare its
 *                          {@code sourceCaptureEpochNanos} with earlier frames'
 * @param sourceSequence    the number of the decoded picture this frame was made from, counted by the capture
 *                          process from 1 (every decoded picture, published or not), 0 when unknown: frames of
 *                          several outputs of one camera made from one picture carry the same number
 * @since 1.2 (the last four components)
 */
public record FrameInfo(String cameraId, long sequence, long generation, long captureEpochNanos, long captureMonoNanos,
                        long sourcePtsMicros, FrameFormat format, boolean keyframe, long sourceCaptureEpochNanos,
                        CaptureTimeSource captureTimeSource, boolean sourceClockReset, long sourceSequence) {

    /** Value of {@link #sourcePtsMicros()} when the stream gave no timestamp. */
    public static final long NO_PTS = Long.MIN_VALUE;

    /** A frame without a source capture time or source sequence: the constructor of API 1.1, kept. */
    public FrameInfo(String cameraId, long sequence, long generation, long captureEpochNanos, long captureMonoNanos,
                     long sourcePtsMicros, FrameFormat format, boolean keyframe) {
        this(cameraId, sequence, generation, captureEpochNanos, captureMonoNanos, sourcePtsMicros, format, keyframe,
                0, CaptureTimeSource.NONE, false, 0);
    }

    public FrameInfo {
        Objects.requireNonNull(cameraId, "cameraId");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(captureTimeSource, "captureTimeSource");
    }

    /** When the camera captured the frame by its own clock, if the source said ({@link #captureTimeSource()}). */
    public Optional<Instant> sourceCaptureTime() {
        return captureTimeSource == CaptureTimeSource.NONE ? Optional.empty()
                : Optional.of(Instant.ofEpochSecond(0, sourceCaptureEpochNanos));
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
