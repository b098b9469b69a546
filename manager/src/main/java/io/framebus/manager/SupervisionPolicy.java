package io.framebus.manager;

/**
 * A camera's restart policy.
 *
 * @param stallTimeoutMillis  heartbeat older than this, or no new frame for this long while streaming, is a stall
 * @param maxRestarts         more restarts than this within {@code restartWindowMillis} put the camera in FAILED
 * @param restartWindowMillis the window for {@code maxRestarts}
 */
public record SupervisionPolicy(long stallTimeoutMillis, int maxRestarts, long restartWindowMillis) {
}
