package io.framebus.manager;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One camera the manager runs, as a watchdog sees it. Registered with the service property
 * {@code camera.id}. All methods are thread-safe and return quickly.
 */
@ProviderType
public interface SupervisedCamera {

    String cameraId();

    /** The camera's restart policy, from its configuration. */
    SupervisionPolicy policy();

    /** The raw facts about the capture process and its ring, read now. */
    CaptureProbe probe();

    /**
     * Ends the current capture process (forcibly: it is dead, hung or stalled) and starts a new one, counting
     * the restart and its reason in the camera's status.
     */
    void restart(String reason);

    /** What the watchdog concluded in its last round; shown in the camera's status. */
    void report(WatchdogReport report);
}
