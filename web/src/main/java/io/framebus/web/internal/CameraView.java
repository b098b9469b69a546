package io.framebus.web.internal;

import io.framebus.api.FrameFormat;
import io.framebus.api.SourceStatus;
import java.util.List;
import java.util.Objects;

/**
 * What the web shows of one camera: its status from the registry, and what its FrameSource service says about it
 * (name, geometry) while it has one.
 *
 * @param status the camera's status (every configured camera has one, INVALID ones too)
 * @param name   the human-readable name, the id when unknown
 * @param format the geometry of its frames, or null while it has no FrameSource
 * @param outputs the camera's outputs (main first), each with its geometry while it has a FrameSource
 */
record CameraView(SourceStatus status, String name, FrameFormat format, List<OutputView> outputs) {
    CameraView {
        Objects.requireNonNull(status, "status");
        name = name == null || name.isBlank() ? status.cameraId() : name;
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }

    CameraView(SourceStatus status, String name, FrameFormat format) {
        this(status, name, format, List.of());
    }

    /** One output of the camera: its name, and its frames' geometry or null while it has no FrameSource. */
    record OutputView(String name, FrameFormat format) {
    }

    String id() {
        return status.cameraId();
    }
}
