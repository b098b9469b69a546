package io.framebus.manager.internal;

import java.util.concurrent.TimeUnit;

/**
 * When a streaming camera's newest frame is overdue ({@link io.framebus.api.SourceStatus#late()}): older than two
 * intervals at the rate it publishes, plus {@value #SLACK_MILLIS} ms for network and scheduling jitter. At 25 fps
 * that is 330 ms, at 2 fps 1.25 s: status says "late" at once, while the stall timeout (seconds) is what makes the
 * watchdog act.
 */
final class LateFrames {
    static final long SLACK_MILLIS = 250;
    /** Assumed when nothing tells the rate yet (no source rate, nothing published in the window). */
    private static final double UNKNOWN_RATE_FPS = 1;

    private LateFrames() {
    }

    /**
     * @param capFps       the camera's fps cap, 0 for every frame
     * @param keyframesOnly keyframes mode: the rate is the key frame rate, known only from what was published
     * @param sourceFps    the source's frame rate from the ring header, 0 when unknown
     * @param observedFps  frames published per second over the watchdog's window, 0 when unknown
     */
    static long overdueAfterNanos(double capFps, boolean keyframesOnly, double sourceFps, double observedFps) {
        double rate;
        if (keyframesOnly || sourceFps <= 0) {
            rate = observedFps > 0 ? observedFps : UNKNOWN_RATE_FPS;
        } else {
            rate = capFps > 0 ? Math.min(capFps, sourceFps) : sourceFps;
        }
        return (long) (2e9 / rate) + TimeUnit.MILLISECONDS.toNanos(SLACK_MILLIS);
    }
}
