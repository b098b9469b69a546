package io.framebus.web.internal;

import io.framebus.api.SourceState;
import io.framebus.api.SourceStatus;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The metrics of {@code /framebus/metrics}: one series per camera (label {@code camera}), named after what they
 * measure in base units. Counters of frames belong to the current capture process and start again at 0 when it is
 * restarted, which Prometheus's {@code rate()} treats as a counter reset.
 */
final class CameraMetrics {
    private CameraMetrics() {
    }

    /** The status of one output of a camera (the camera's state, the output's own frame counters). */
    record OutputStatus(String camera, String output, SourceStatus status) {
    }

    static String write(List<SourceStatus> cameras, int previewStreams) {
        return write(cameras, List.of(), previewStreams);
    }

    static String write(List<SourceStatus> cameras, List<OutputStatus> outputs, int previewStreams) {
        StringBuilder sb = new StringBuilder(1024 + 1536 * cameras.size());
        PrometheusText p = new PrometheusText(sb);

        p.family("framebus_cameras", PrometheusText.Type.GAUGE, "Configured cameras, invalid ones included.");
        p.sample(cameras.size());

        p.family("framebus_camera_state", PrometheusText.Type.GAUGE,
                "1 for the camera's current state, 0 for the others.");
        for (SourceStatus s : cameras) {
            for (SourceState state : SourceState.values()) {
                p.sample(s.state() == state ? 1 : 0, "camera", s.cameraId(), "state", state.name());
            }
        }
        p.family("framebus_camera_host", PrometheusText.Type.GAUGE,
                "1 for the cluster host that runs the camera (only in a cluster).");
        for (SourceStatus s : cameras) {
            if (!s.runsOn().isEmpty()) {
                p.sample(1, "camera", s.cameraId(), "host", s.runsOn());
            }
        }
        gauge(p, cameras, "framebus_camera_live",
                "1 when the camera is streaming and its newest frame is younger than its stall timeout.",
                s -> s.live() ? 1 : 0);
        gauge(p, cameras, "framebus_camera_fps", "Frames published per second over the last 10 seconds.",
                SourceStatus::fps);
        counter(p, cameras, "framebus_camera_frames_decoded_total",
                "Frames decoded by the current capture process.", SourceStatus::decodedFrames);
        counter(p, cameras, "framebus_camera_frames_published_total",
                "Frames published to the ring by the current capture process.", SourceStatus::publishedFrames);
        counter(p, cameras, "framebus_camera_frames_dropped_total",
                "Decoded frames not published (fps cap) by the current capture process.", SourceStatus::droppedFrames);
        counter(p, cameras, "framebus_camera_reconnects_total",
                "Stream reconnects inside the current capture process.", SourceStatus::reconnects);
        counter(p, cameras, "framebus_camera_restarts_total", "Restarts of the camera's capture process.",
                SourceStatus::restarts);

        p.family("framebus_camera_latest_frame_age_seconds", PrometheusText.Type.GAUGE,
                "Age of the camera's newest frame; absent while it has none.");
        for (SourceStatus s : cameras) {
            if (s.latestFrameAge() != null) {
                p.sample(s.latestFrameAge().toNanos() / 1e9, "camera", s.cameraId());
            }
        }
        p.family("framebus_camera_process_cpu_ratio", PrometheusText.Type.GAUGE,
                "CPU of the capture process over the last watchdog interval, 1 = one core; absent when unknown.");
        for (SourceStatus s : cameras) {
            if (s.cpuPercent() >= 0) {
                p.sample(s.cpuPercent() / 100.0, "camera", s.cameraId());
            }
        }
        p.family("framebus_camera_process_resident_memory_bytes", PrometheusText.Type.GAUGE,
                "Resident memory of the capture process; absent when unknown.");
        for (SourceStatus s : cameras) {
            if (s.rssBytes() >= 0) {
                p.sample(s.rssBytes(), "camera", s.cameraId());
            }
        }
        if (!outputs.isEmpty()) {
            // per output (label output; main included): each output's ring has its own rate and counters
            p.family("framebus_output_fps", PrometheusText.Type.GAUGE,
                    "Frames published per second by the camera's output.");
            outputs.forEach(o -> p.sample(o.status().fps(), "camera", o.camera(), "output", o.output()));
            p.family("framebus_output_frames_published_total", PrometheusText.Type.COUNTER,
                    "Frames published to the output's ring by the current capture process.");
            outputs.forEach(o -> p.sample(o.status().publishedFrames(), "camera", o.camera(), "output", o.output()));
            p.family("framebus_output_frames_dropped_total", PrometheusText.Type.COUNTER,
                    "Decoded frames the output did not publish (its fps cap) in the current capture process.");
            outputs.forEach(o -> p.sample(o.status().droppedFrames(), "camera", o.camera(), "output", o.output()));
            p.family("framebus_output_latest_frame_age_seconds", PrometheusText.Type.GAUGE,
                    "Age of the output's newest frame; absent while it has none.");
            for (OutputStatus o : outputs) {
                if (o.status().latestFrameAge() != null) {
                    p.sample(o.status().latestFrameAge().toNanos() / 1e9, "camera", o.camera(), "output", o.output());
                }
            }
        }
        p.family("framebus_web_preview_streams", PrometheusText.Type.GAUGE,
                "MJPEG previews being streamed to clients right now.");
        p.sample(previewStreams);
        return sb.toString();
    }

    private static void gauge(PrometheusText p, List<SourceStatus> cameras, String name, String help,
                              ToDoubleFunction<SourceStatus> value) {
        p.family(name, PrometheusText.Type.GAUGE, help);
        for (SourceStatus s : cameras) {
            p.sample(value.applyAsDouble(s), "camera", s.cameraId());
        }
    }

    private static void counter(PrometheusText p, List<SourceStatus> cameras, String name, String help,
                                ToDoubleFunction<SourceStatus> value) {
        p.family(name, PrometheusText.Type.COUNTER, help);
        for (SourceStatus s : cameras) {
            p.sample(value.applyAsDouble(s), "camera", s.cameraId());
        }
    }
}
