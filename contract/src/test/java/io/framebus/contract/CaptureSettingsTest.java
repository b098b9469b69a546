package io.framebus.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CaptureSettingsTest {

    private static Properties minimal() {
        Properties p = new Properties();
        p.setProperty("cameraId", "front");
        p.setProperty("url", "rtsp://cam/stream");
        p.setProperty("ringPath", "/dev/shm/framebus-test/front.ring");
        return p;
    }

    private static InvalidSettingsException invalid(Properties p) {
        return catchThrowableOfType(() -> CaptureSettings.parse(p), InvalidSettingsException.class);
    }

    @Test
    void defaults() throws Exception {
        CaptureSettings s = CaptureSettings.parse(minimal());
        assertThat(s.cameraId()).isEqualTo("front");
        assertThat(s.ringPath()).isEqualTo(Path.of("/dev/shm/framebus-test/front.ring"));
        assertThat(s.width()).isZero();
        assertThat(s.height()).isZero();
        assertThat(s.pixelFormat()).isEqualTo(PixelFormat.BGR24);
        assertThat(s.fps()).isEqualTo(CaptureSettings.DEFAULT_FPS);
        assertThat(s.slots()).isEqualTo(4);
        assertThat(s.rtspTransport()).isEqualTo(CaptureSettings.RtspTransport.TCP);
        assertThat(s.connectTimeoutMillis()).isEqualTo(5000);
        assertThat(s.readTimeoutMillis()).isZero();
        assertThat(s.reconnectDelayMillis()).isEqualTo(500);
        assertThat(s.reconnectDelayMaxMillis()).isEqualTo(30000);
        assertThat(s.decodeMode()).isEqualTo(CaptureSettings.DecodeMode.ALL);
        assertThat(s.loop()).isTrue();
        assertThat(s.generation()).isEqualTo(1);
        assertThat(s.heartbeatMillis()).isEqualTo(200);
        assertThat(s.fixedSize()).isFalse();
    }

    @Test
    void everyKeyIsRead() throws Exception {
        Properties p = minimal();
        p.setProperty("width", "1280");
        p.setProperty("height", "720");
        p.setProperty("pixelFormat", "nv12");
        p.setProperty("fps", "6.5");
        p.setProperty("slots", "8");
        p.setProperty("rtspTransport", "UDP");
        p.setProperty("connectTimeoutMillis", "3000");
        p.setProperty("readTimeoutMillis", "4000");
        p.setProperty("reconnectDelayMillis", "250");
        p.setProperty("reconnectDelayMaxMillis", "60000");
        p.setProperty("decodeMode", "keyframes");
        p.setProperty("loop", "FALSE");
        p.setProperty("generation", "42");
        p.setProperty("heartbeatMillis", "100");
        CaptureSettings s = CaptureSettings.parse(p);
        assertThat(s.outputFormat(640, 480)).isEqualTo(new FrameFormat(1280, 720, PixelFormat.NV12));
        assertThat(s.fps()).isEqualTo(6.5);
        assertThat(s.slots()).isEqualTo(8);
        assertThat(s.rtspTransport()).isEqualTo(CaptureSettings.RtspTransport.UDP);
        assertThat(s.connectTimeoutMillis()).isEqualTo(3000);
        assertThat(s.effectiveReadTimeoutMillis(25)).isEqualTo(4000);
        assertThat(s.reconnectDelayMillis()).isEqualTo(250);
        assertThat(s.reconnectDelayMaxMillis()).isEqualTo(60000);
        assertThat(s.decodeMode()).isEqualTo(CaptureSettings.DecodeMode.KEYFRAMES);
        assertThat(s.loop()).isFalse();
        assertThat(s.generation()).isEqualTo(42);
        assertThat(s.heartbeatMillis()).isEqualTo(100);
        assertThat(s.fixedSize()).isTrue();
    }

    @Test
    void missingRequiredKeysAreAllNamed() {
        InvalidSettingsException e = invalid(new Properties());
        assertThat(e.problems()).extracting(InvalidSettingsException.Problem::key)
                .containsExactlyInAnyOrder("cameraId", "url", "ringPath");
    }

    @Test
    void cameraIdMustBeAFileName() {
        for (String bad : new String[] {"../x", ".hidden", "a/b", "a b", "x".repeat(65), "ünï"}) {
            Properties p = minimal();
            p.setProperty("cameraId", bad);
            assertThat(invalid(p).problems()).as(bad).extracting(InvalidSettingsException.Problem::key)
                    .containsExactly("cameraId");
        }
    }

    @Test
    void ringPathMustBeAnAbsoluteRingFile() {
        for (String bad : new String[] {"front.ring", "/dev/shm/x/front", "/dev/shm/x/.ring"}) {
            Properties p = minimal();
            p.setProperty("ringPath", bad);
            assertThat(invalid(p).problems()).as(bad).extracting(InvalidSettingsException.Problem::key)
                    .containsExactly("ringPath");
        }
    }

    @Test
    void numbersAreCheckedAndNamed() {
        String[][] cases = {
            {"width", "-1"}, {"width", "99999"}, {"height", "abc"}, {"fps", "-1"}, {"fps", "NaN"},
            {"fps", "Infinity"}, {"fps", "1e9"}, {"slots", "1"}, {"slots", "65"}, {"connectTimeoutMillis", "5"},
            {"readTimeoutMillis", "50"}, {"reconnectDelayMillis", "0"}, {"generation", "0"},
            {"heartbeatMillis", "1"}, {"pixelFormat", "RGBA"}, {"rtspTransport", "http"},
            {"decodeMode", "some"}, {"loop", "yes"},
        };
        for (String[] c : cases) {
            Properties p = minimal();
            p.setProperty(c[0], c[1]);
            InvalidSettingsException e = invalid(p);
            assertThat(e).as("%s=%s", c[0], c[1]).isNotNull();
            assertThat(e.problems()).as("%s=%s", c[0], c[1]).extracting(InvalidSettingsException.Problem::key)
                    .containsExactly(c[0]);
            assertThat(e.problems().get(0).message()).as("%s=%s", c[0], c[1]).isNotBlank();
        }
    }

    @Test
    void reconnectDelayMaxMustNotBeBelowTheDelay() {
        Properties p = minimal();
        p.setProperty("reconnectDelayMillis", "5000");
        p.setProperty("reconnectDelayMaxMillis", "1000");
        assertThat(invalid(p).problems()).extracting(InvalidSettingsException.Problem::key)
                .containsExactly("reconnectDelayMaxMillis");
    }

    @Test
    void unknownKeysAreErrors() {
        Properties p = minimal();
        p.setProperty("widht", "640");
        InvalidSettingsException e = invalid(p);
        assertThat(e.problems()).extracting(InvalidSettingsException.Problem::key).containsExactly("widht");
        assertThat(e.problems().get(0).message()).contains("unknown key");
    }

    @Test
    void absurdFrameSizeIsRejectedBeforeAnyRingIsMade() {
        Properties p = minimal();
        p.setProperty("width", "16384");
        p.setProperty("height", "16384");
        p.setProperty("slots", "8");
        assertThat(invalid(p).problems()).extracting(InvalidSettingsException.Problem::key).containsExactly("width");
    }

    @Test
    void badTestPatternParametersAreUrlErrors() {
        for (String bad : new String[] {"testsrc:size=big", "testsrc:rate=0", "testsrc:pattern=plasma",
                "testsrc:color=red;rm", "testsrc:foo=1", "testsrc:size"}) {
            Properties p = minimal();
            p.setProperty("url", bad);
            assertThat(invalid(p).problems()).as(bad).extracting(InvalidSettingsException.Problem::key)
                    .containsExactly("url");
        }
    }

    @Test
    void urlWithWhiteSpaceIsRejected() {
        Properties p = minimal();
        p.setProperty("url", "rtsp://cam/a b");
        assertThat(invalid(p).problems()).extracting(InvalidSettingsException.Problem::key).containsExactly("url");
    }

    @Test
    void automaticReadTimeoutIsTwoSecondsOrFiveFrames() throws Exception {
        CaptureSettings s = CaptureSettings.parse(minimal());
        assertThat(s.effectiveReadTimeoutMillis(0)).isEqualTo(2000);
        assertThat(s.effectiveReadTimeoutMillis(25)).isEqualTo(2000);
        assertThat(s.effectiveReadTimeoutMillis(1)).isEqualTo(5000);
        Properties p = minimal();
        p.setProperty("decodeMode", "keyframes");
        assertThat(CaptureSettings.parse(p).effectiveReadTimeoutMillis(25)).isEqualTo(10_000);
    }

    @Test
    void outputFollowsTheSourceWhereNotFixed() throws Exception {
        CaptureSettings source = CaptureSettings.parse(minimal());
        assertThat(source.outputFormat(1920, 1080)).isEqualTo(new FrameFormat(1920, 1080, PixelFormat.BGR24));
        Properties p = minimal();
        p.setProperty("width", "640");
        assertThat(CaptureSettings.parse(p).outputFormat(1920, 1080))
                .isEqualTo(new FrameFormat(640, 360, PixelFormat.BGR24));
        p = minimal();
        p.setProperty("height", "100");
        assertThat(CaptureSettings.parse(p).outputFormat(1920, 1080))
                .as("rounded to an even width").isEqualTo(new FrameFormat(178, 100, PixelFormat.BGR24));
    }

    @Test
    void describeMasksThePassword() throws Exception {
        Properties p = minimal();
        p.setProperty("url", "rtsp://admin:hunter2@cam/stream");
        assertThat(CaptureSettings.parse(p).describe()).contains("rtsp://admin:***@cam/stream")
                .doesNotContain("hunter2");
    }

    @Test
    void keysTableListsEveryRecordComponent() {
        assertThat(CaptureSettings.KEYS.keySet()).containsExactly(
                java.util.Arrays.stream(CaptureSettings.class.getRecordComponents())
                        .map(java.lang.reflect.RecordComponent::getName).toArray(String[]::new));
        assertThatThrownBy(() -> CaptureSettings.KEYS.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }
}
