package io.framebus.web.internal;

import io.framebus.api.CaptureTimeSource;
import io.framebus.api.FrameInfo;
import io.framebus.api.SourceStatus;
import java.time.Instant;
import java.util.List;

/** The JSON of {@code /framebus/api/cameras}: one object per camera; unknown values are null, never -1. */
final class CamerasJson {
    private CamerasJson() {
    }

    static String cameras(List<CameraView> cameras, Instant now) {
        StringBuilder sb = new StringBuilder(256 + 512 * cameras.size());
        JsonWriter w = new JsonWriter(sb);
        w.beginObject().field("time", now.toString()).name("cameras").beginArray();
        for (CameraView c : cameras) {
            camera(w, c);
        }
        w.endArray().endObject();
        return sb.toString();
    }

    static String camera(CameraView camera) {
        StringBuilder sb = new StringBuilder(512);
        camera(new JsonWriter(sb), camera);
        return sb.toString();
    }

    static String error(String message) {
        StringBuilder sb = new StringBuilder();
        new JsonWriter(sb).beginObject().field("error", message).endObject();
        return sb.toString();
    }

    private static void camera(JsonWriter w, CameraView c) {
        SourceStatus s = c.status();
        w.beginObject()
                .field("id", s.cameraId())
                .field("name", c.name())
                .field("state", s.state().name())
                .field("live", s.live())
                .field("late", s.late())
                .field("fps", round1(s.fps()));
        w.name("latestFrameAgeMillis");
        if (s.latestFrameAge() == null) {
            w.nullValue();
        } else {
            w.value(s.latestFrameAge().toMillis());
        }
        w.field("restarts", s.restarts())
                .field("reconnects", s.reconnects())
                .field("lastError", s.lastError())
                .field("runsOn", s.runsOn())
                .field("decodedFrames", s.decodedFrames())
                .field("publishedFrames", s.publishedFrames())
                .field("droppedFrames", s.droppedFrames());
        knownOrNull(w.name("pid"), s.pid());
        knownOrNull(w.name("rssBytes"), s.rssBytes());
        w.name("cpuPercent");
        if (s.cpuPercent() < 0) {
            w.nullValue();
        } else {
            w.value(round1(s.cpuPercent()));
        }
        // the camera's own capture time of the newest frame (RTCP sender reports), and how long before its decode
        FrameInfo latest = s.latestFrame();
        boolean sourceTimed = latest != null && latest.captureTimeSource() != CaptureTimeSource.NONE;
        w.field("captureTimeSource", latest == null ? CaptureTimeSource.NONE.name() : latest.captureTimeSource().name());
        w.name("sourceCaptureTime");
        if (sourceTimed) {
            w.value(latest.sourceCaptureTime().orElseThrow().toString());
        } else {
            w.nullValue();
        }
        w.name("sourceToDecodeMillis");
        if (sourceTimed) {
            w.value(round1((latest.captureEpochNanos() - latest.sourceCaptureEpochNanos()) / 1e6));
        } else {
            w.nullValue();
        }
        w.name("frame");
        if (c.format() == null) {
            w.nullValue();
        } else {
            w.beginObject().field("width", c.format().width()).field("height", c.format().height())
                    .field("pixelFormat", c.format().pixelFormat().name()).endObject();
        }
        // links relative to /framebus/, valid while the camera has frames
        String base = "cameras/" + s.cameraId();
        w.field("snapshot", base + "/snapshot.jpg").field("mjpeg", base + "/mjpeg")
                .field("restart", "api/" + base + "/restart");
        // every output of the camera (main first), each with its own snapshot and preview
        w.name("outputs").beginArray();
        for (CameraView.OutputView o : c.outputs()) {
            String query = "main".equals(o.name()) ? "" : "?output=" + o.name();
            w.beginObject().field("name", o.name());
            w.name("frame");
            if (o.format() == null) {
                w.nullValue();
            } else {
                w.beginObject().field("width", o.format().width()).field("height", o.format().height())
                        .field("pixelFormat", o.format().pixelFormat().name()).endObject();
            }
            w.field("snapshot", base + "/snapshot.jpg" + query).field("mjpeg", base + "/mjpeg" + query).endObject();
        }
        w.endArray();
        w.endObject();
    }

    private static void knownOrNull(JsonWriter w, long value) {
        if (value < 0) {
            w.nullValue();
        } else {
            w.value(value);
        }
    }

    private static double round1(double d) {
        return Math.round(d * 10) / 10.0;
    }
}
