package io.framebus.web.internal;

import io.framebus.api.FrameFormat;
import io.framebus.api.SourceStatus;
import java.util.Objects;

/**
 * What the web shows of one camera: its status from the registry, and what its FrameSource service says about it
 * (name, geometry) while it has one.
 *
 * @param status the camera's status (every configured camera has one, INVALID ones too)
 * @param name   the human-readable name, the id when unknown
 * @param format the geometry of its frames, or null while it has no FrameSource
 */
record CameraView(SourceStatus status, String name, FrameFormat format) {
    CameraView {
        Objects.requireNonNull(status, "status");
        name = name == null || name.isBlank() ? status.cameraId() : name;
    }

    String id() {
        return status.cameraId();
    }
}
