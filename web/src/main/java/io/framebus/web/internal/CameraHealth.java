package io.framebus.web.internal;

import io.framebus.api.SourceState;
import io.framebus.api.SourceStatus;
import java.time.Duration;
import java.util.Locale;
import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.Result;

/**
 * The health of one camera, from its status: is its capture process alive, and are its frames fresh.
 *
 * <ul>
 * <li>OK: streaming with fresh frames; or stopped on purpose (disabled).</li>
 * <li>WARN: streaming, but the newest frame is older than the camera's stall timeout (the watchdog acts next).</li>
 * <li>TEMPORARILY_UNAVAILABLE: starting, connecting, reconnecting, stalled or restarting, that is recovering by
 * itself; the health-check executor turns this into CRITICAL when it lasts longer than its grace period.</li>
 * <li>CRITICAL: FAILED (restarted too often, or an error retrying cannot fix) or INVALID (its configuration).</li>
 * </ul>
 */
final class CameraHealth {
    private CameraHealth() {
    }

    static Result of(SourceStatus s) {
        FormattingResultLog log = new FormattingResultLog();
        String id = s.cameraId();
        String process = s.pid() < 0 ? "no capture process" : "capture process " + s.pid();
        String age = s.latestFrameAge() == null ? "no frame yet" : "newest frame " + millis(s.latestFrameAge()) + " old";
        switch (s.state()) {
            case STREAMING -> {
                if (s.live()) {
                    log.info("camera {}: alive ({}), fresh frames: {} fps, {}", id, process, fps(s.fps()), age);
                } else {
                    log.warn("camera {}: alive ({}), but frames are not fresh: {}", id, process, age);
                }
            }
            case STOPPED -> log.info("camera {}: stopped on purpose (disabled)", id);
            case ELSEWHERE -> log.info("camera {}: runs on host {} of the cluster", id, s.runsOn());
            // a cluster-wide matter (constraints, full hosts), not this host's health: a warning keeps it ready
            case UNPLACED -> log.warn("camera {}: no cluster host runs it{}", id, error(s));
            case STARTING, CONNECTING, RECONNECTING, STALLED, RESTARTING ->
                    log.temporarilyUnavailable("camera {}: {} ({}, {}){}", id, s.state(), process, age, error(s));
            case FAILED -> log.critical("camera {}: FAILED ({}, {} restarts){}", id, process, s.restarts(), error(s));
            case INVALID -> log.critical("camera {}: configuration INVALID{}", id, error(s));
        }
        if (s.restarts() > 0 && s.state() != SourceState.FAILED) {
            log.debug("camera {}: {} restarts so far", id, s.restarts());
        }
        return new Result(log);
    }

    /** When the camera is gone between the check's registration and its execution. */
    static Result missing(String cameraId) {
        FormattingResultLog log = new FormattingResultLog();
        log.warn("camera {}: no longer configured", cameraId);
        return new Result(log);
    }

    private static String error(SourceStatus s) {
        return s.lastError().isEmpty() ? "" : ": " + s.lastError();
    }

    private static String millis(Duration d) {
        return d.toMillis() + " ms";
    }

    private static String fps(double fps) {
        return String.format(Locale.ROOT, "%.1f", fps);
    }
}
