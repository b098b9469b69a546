/**
 * The capture process: one JVM per camera, FFmpeg (JavaCV) decoding straight into the camera's shared-memory ring.
 *
 * <p>Entry point {@link io.framebus.capture.CaptureMain}; the settings format is described on
 * {@code io.framebus.contract.CaptureSettings} and in docs/capture-process.md. Nothing here is API: the manager talks to this program
 * through stdin (settings), the ring file (frames and status), stdout (doorbell) and stderr (log).
 */
package io.framebus.capture;
