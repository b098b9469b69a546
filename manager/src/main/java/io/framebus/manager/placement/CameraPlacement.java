package io.framebus.manager.placement;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Decides which host runs each camera. Registered by a clustering bundle; the manager asks it for every camera
 * and follows its answer. When no such service is registered, every camera runs here (single host).
 */
@ProviderType
public interface CameraPlacement {

    /** Where the camera with this id runs now. Cheap (a local lookup); called often. */
    CameraHome home(String cameraId);

    /**
     * Calls {@code onChange} (on a thread of the placement's own, never under a manager lock) whenever the home of
     * any camera may have changed; the manager then asks {@link #home(String)} again.
     */
    void addListener(Runnable onChange);

    void removeListener(Runnable onChange);

    /** The members and who runs what, as this host knows it now. */
    ClusterState cluster();
}
