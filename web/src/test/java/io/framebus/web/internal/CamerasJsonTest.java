package io.framebus.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.framebus.api.CaptureTimeSource;
import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import io.framebus.api.PixelFormat;
import io.framebus.api.SourceState;
import io.framebus.api.SourceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CamerasJsonTest {
    static SourceStatus streaming(String id) {
        return new SourceStatus(id, SourceState.STREAMING, true, "", 4242, 1, 100, 25, 75, 2, 6.04,
                Duration.ofMillis(83), 104_857_600, 3.04);
    }

    static SourceStatus invalid(String id, String error) {
        return new SourceStatus(id, SourceState.INVALID, false, error, -1, 0, 0, 0, 0, 0, 0, null, -1, -1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void camerasParseBackToWhatTheRegistrySaid() {
        String json = CamerasJson.cameras(List.of(
                new CameraView(streaming("front"), "Front door", new FrameFormat(1280, 720, PixelFormat.BGR24)),
                new CameraView(invalid("io.framebus.camera~bad", "url is required"), null, null)),
                Instant.parse("2026-01-02T03:04:05Z"));

        Map<String, Object> root = (Map<String, Object>) Json.parse(json);
        assertThat(root.get("time")).isEqualTo("2026-01-02T03:04:05Z");
        List<Map<String, Object>> cameras = (List<Map<String, Object>>) root.get("cameras");
        assertThat(cameras).hasSize(2);

        Map<String, Object> front = cameras.get(0);
        assertThat(front).containsEntry("id", "front").containsEntry("name", "Front door")
                // integral numbers are written without a fraction: 6.04 fps rounds to 6.0, written 6
                .containsEntry("state", "STREAMING").containsEntry("live", true).containsEntry("late", false)
                .containsEntry("fps", 6L)
                .containsEntry("latestFrameAgeMillis", 83L).containsEntry("restarts", 1L)
                .containsEntry("reconnects", 2L).containsEntry("lastError", "").containsEntry("pid", 4242L)
                .containsEntry("rssBytes", 104_857_600L).containsEntry("cpuPercent", 3L)
                .containsEntry("decodedFrames", 100L).containsEntry("publishedFrames", 25L)
                .containsEntry("droppedFrames", 75L)
                .containsEntry("snapshot", "cameras/front/snapshot.jpg").containsEntry("mjpeg", "cameras/front/mjpeg")
                .containsEntry("restart", "api/cameras/front/restart");
        assertThat((Map<String, Object>) front.get("frame")).containsEntry("width", 1280L)
                .containsEntry("height", 720L).containsEntry("pixelFormat", "BGR24");

        Map<String, Object> bad = cameras.get(1);
        assertThat(bad).containsEntry("name", "io.framebus.camera~bad").containsEntry("state", "INVALID")
                .containsEntry("lastError", "url is required");
        // unknown is null, never -1
        assertThat(bad.get("pid")).isNull();
        assertThat(bad.get("rssBytes")).isNull();
        assertThat(bad.get("cpuPercent")).isNull();
        assertThat(bad.get("latestFrameAgeMillis")).isNull();
        assertThat(bad.get("frame")).isNull();
        assertThat(bad).containsKey("frame");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCamerasOwnCaptureTimeOfTheNewestFrameIsShown() {
        long sourceNanos = Instant.parse("2026-12-06T03:00:00Z").getEpochSecond() * 1_000_000_000L;
        FrameInfo newest = new FrameInfo("front", 25, 1, sourceNanos + 12_500_000, System.nanoTime(), 0,
                new FrameFormat(1280, 720, PixelFormat.BGR24), false, sourceNanos, CaptureTimeSource.RTCP, false, 99);
        SourceStatus s = new SourceStatus("front", SourceState.STREAMING, true, "", 4242, 1, 100, 25, 75, 2, 6.04,
                Duration.ofMillis(83), 104_857_600, 3.04, false, newest);
        Map<String, Object> json = (Map<String, Object>) Json.parse(CamerasJson.camera(new CameraView(s, null, null)));
        assertThat(json).containsEntry("captureTimeSource", "RTCP")
                .containsEntry("sourceCaptureTime", "2026-12-06T03:00:00Z")
                .containsEntry("sourceToDecodeMillis", 12.5);

        Map<String, Object> none = (Map<String, Object>) Json.parse(CamerasJson.camera(
                new CameraView(streaming("back"), null, null)));
        assertThat(none).containsEntry("captureTimeSource", "NONE").containsKey("sourceCaptureTime");
        assertThat(none.get("sourceCaptureTime")).isNull();
        assertThat(none.get("sourceToDecodeMillis")).isNull();
    }

    @Test
    void everyCharacterOfAnErrorSurvives() {
        String nasty = "quote \" backslash \\ slash / newline \n cr \r tab \t nul \0 bell \u0007 "
                + "</script><b> unicode é 猫 \u2028 \u2029 emoji \uD83D\uDCF7";
        String json = CamerasJson.camera(new CameraView(invalid("x", nasty), "name \"with\" quotes", null));

        assertThat(json).doesNotContain("</script>").doesNotContain("\n").doesNotContain("\u2028");
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) Json.parse(json);
        assertThat(back).containsEntry("lastError", nasty).containsEntry("name", "name \"with\" quotes");
    }

    @Test
    void writerSeparatesNestedValuesAndWritesNonFiniteNumbersAsNull() {
        StringBuilder sb = new StringBuilder();
        new JsonWriter(sb).beginObject()
                .name("a").beginArray().value(1).value(2.5).value(Double.NaN).value(Double.POSITIVE_INFINITY)
                .beginObject().endObject().beginArray().endArray().nullValue().value(false).endArray()
                .field("b", -0.125).field("c", 1e20).field("d", (String) null)
                .endObject();
        assertThat(sb.toString())
                .isEqualTo("{\"a\":[1,2.5,null,null,{},[],null,false],\"b\":-0.125,\"c\":1.0E20,\"d\":null}");
        assertThat(Json.parse(sb.toString())).isNotNull();
    }

    @Test
    void emptyListIsAnEmptyArray() {
        assertThat(CamerasJson.cameras(List.of(), Instant.EPOCH))
                .isEqualTo("{\"time\":\"1970-01-01T00:00:00Z\",\"cameras\":[]}");
    }
}
