package io.framebus.manager;

import io.framebus.api.FrameSource;
import io.framebus.api.SourceStatus;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Every configured camera, including those that cannot run (INVALID, disabled), for status pages, health checks
 * and metrics. Registered once by the manager.
 */
@ProviderType
public interface CameraRegistry {

    /** The status of every configured camera, sorted by camera id. */
    List<SourceStatus> statuses();

    /** The camera's frame source, when it runs and has frames. */
    Optional<FrameSource> source(String cameraId);

    /**
     * The names of the camera's outputs, the default one ({@code main}) first; empty for an unknown camera.
     *
     * @since 1.1
     */
    default List<String> outputs(String cameraId) {
        return statuses().stream().anyMatch(s -> s.cameraId().equals(cameraId)) ? List.of("main") : List.of();
    }

    /**
     * The frame source of one output of the camera ({@code main}: the same as {@link #source(String)}), when it
     * runs and has frames.
     *
     * @since 1.1
     */
    default Optional<FrameSource> source(String cameraId, String output) {
        return "main".equals(output) ? source(cameraId) : Optional.empty();
    }

    /**
     * Restarts the camera's capture process now (counted like any restart).
     *
     * @return false when there is no running camera with that id
     */
    boolean restart(String cameraId);
}
