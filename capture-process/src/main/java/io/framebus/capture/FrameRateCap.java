package io.framebus.capture;

/**
 * Decides which decoded frames are published so that at most {@code fps} frames per second reach the ring.
 *
 * <p>The cap works by dropping, never by waiting: the capture loop reads every frame at the source's rate (so
 * FFmpeg's buffers never fill up and frames never grow old) and asks the cap, per decoded frame, whether to publish
 * it. A published frame is therefore always the newest one.
 *
 * <p>A token bucket measured in time: credit accrues with the clock, a published frame costs one interval
 * ({@code 1/fps}). A frame is admitted with a quarter interval less than a full one in credit, and credit is kept up
 * to a quarter interval more than a full one. That slack absorbs arrival jitter of up to a quarter interval either
 * way (a 25 fps camera capped at 25 fps loses no frame to network jitter), while in any window of length T at most
 * {@code T * fps + 1.5} frames are admitted: no bursts after a gap, and the long-run rate never exceeds the cap.
 */
final class FrameRateCap {
    private final long intervalNanos;
    private final long capacityNanos;
    private final long thresholdNanos;
    private boolean started;
    private long lastNanos;
    private long creditNanos;

    /** @param fps the maximum publish rate; 0 admits every frame */
    FrameRateCap(double fps) {
        if (!(fps >= 0) || Double.isInfinite(fps)) {
            throw new IllegalArgumentException("fps must be >= 0, got " + fps);
        }
        this.intervalNanos = fps == 0 ? 0 : Math.max(1, Math.round(1e9 / fps));
        long slack = intervalNanos / 4;
        this.capacityNanos = intervalNanos + slack;
        this.thresholdNanos = intervalNanos - slack;
    }

    /** Whether the frame decoded at {@code nowNanos} ({@link System#nanoTime()}) is to be published. */
    boolean admit(long nowNanos) {
        if (intervalNanos == 0) {
            return true;
        }
        if (!started) {
            started = true;
            creditNanos = capacityNanos;
        } else {
            // credit is never below -interval/4, so capacity + interval of elapsed time always fills the bucket;
            // the bound only keeps a long gap from overflowing the sum
            long elapsed = Math.min(Math.max(0, nowNanos - lastNanos), capacityNanos + intervalNanos);
            creditNanos = Math.min(capacityNanos, creditNanos + elapsed);
        }
        lastNanos = nowNanos;
        if (creditNanos < thresholdNanos) {
            return false;
        }
        creditNanos -= intervalNanos;
        return true;
    }
}
