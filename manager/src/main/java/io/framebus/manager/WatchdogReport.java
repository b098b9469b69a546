package io.framebus.manager;

import io.framebus.api.SourceState;

/**
 * A watchdog's conclusion about one camera.
 *
 * @param override    STALLED, RESTARTING or FAILED while the watchdog is dealing with a problem; null when healthy
 *                    (the camera's own state applies)
 * @param reason      why (the problem seen), empty when healthy
 * @param fps         published frames per second over the last 10 seconds
 * @param cpuPercent  CPU of the capture process since the last round, in percent of one core; -1 unknown
 * @param rssBytes    resident memory of the capture process; -1 unknown
 */
public record WatchdogReport(SourceState override, String reason, double fps, double cpuPercent, long rssBytes) {
    public WatchdogReport {
        reason = reason == null ? "" : reason;
    }
}
