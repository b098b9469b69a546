package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.framebus.contract.CaptureSettings;
import io.framebus.contract.InvalidSettingsException;
import io.framebus.shm.RingError;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SourceSpecTest {

    private static CaptureSettings settings(String url, String... keyValues) throws Exception {
        Properties p = new Properties();
        p.setProperty("cameraId", "cam");
        p.setProperty("url", url);
        p.setProperty("ringPath", "/dev/shm/x/cam.ring");
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return CaptureSettings.parse(p);
    }

    @Test
    void rtspIsLiveOverTcpWithoutProbing() throws Exception {
        SourceSpec s = SourceSpec.of(settings("rtsp://u:pw@cam/x"), 2000);
        assertThat(s.kind()).isEqualTo(SourceSpec.Kind.RTSP);
        assertThat(s.input()).isEqualTo("rtsp://u:pw@cam/x");
        assertThat(s.format()).isEqualTo("rtsp");
        assertThat(s.options()).containsEntry("rtsp_transport", "tcp").containsEntry("timeout", "2000000")
                .containsEntry("fflags", "nobuffer").containsEntry("probesize", "32768")
                .containsEntry("reorder_queue_size", "0").containsEntry("max_delay", "0")
                .containsEntry("allowed_media_types", "video");
        assertThat(s.videoOptions()).containsEntry("flags", "low_delay").doesNotContainKey("skip_frame");
        assertThat(s.findStreamInfo()).isFalse();
        assertThat(s.paced()).isFalse();
        assertThat(s.live()).isTrue();
        assertThat(s.display()).isEqualTo("rtsp://u:***@cam/x");
    }

    @Test
    void rtspOverUdpKeepsAShortReorderWindow() throws Exception {
        SourceSpec s = SourceSpec.of(settings("rtsps://cam/x", "rtspTransport", "udp"), 2000);
        assertThat(s.options()).containsEntry("rtsp_transport", "udp").containsEntry("max_delay", "100000")
                .doesNotContainKey("reorder_queue_size");
    }

    @Test
    void keyframesModeSkipsNonKeyFramesInTheDecoder() throws Exception {
        SourceSpec s = SourceSpec.of(settings("rtsp://cam/x", "decodeMode", "keyframes"), 2000);
        assertThat(s.videoOptions()).containsEntry("skip_frame", "nokey");
    }

    @Test
    void httpGetsSocketAndReadTimeouts() throws Exception {
        SourceSpec s = SourceSpec.of(settings("https://cam/mjpeg"), 1500);
        assertThat(s.kind()).isEqualTo(SourceSpec.Kind.HTTP);
        assertThat(s.options()).containsEntry("timeout", "1500000").containsEntry("rw_timeout", "1500000");
        assertThat(s.findStreamInfo()).isTrue();
        assertThat(s.format()).isNull();
    }

    @Test
    void filesArePacedAndProbed() throws Exception {
        for (String url : new String[] {"/videos/a_b.mp4", "file:/videos/a_b.mp4", "file:///videos/a%20b.mp4"}) {
            SourceSpec s = SourceSpec.of(settings(url), 2000);
            assertThat(s.kind()).as(url).isEqualTo(SourceSpec.Kind.FILE);
            assertThat(s.paced()).isTrue();
            assertThat(s.findStreamInfo()).isTrue();
            assertThat(s.options()).isEmpty();
            assertThat(s.replayable()).isTrue();
        }
        assertThat(SourceSpec.of(settings("file:///videos/a%20b.mp4"), 2000).input()).isEqualTo("/videos/a b.mp4");
        assertThat(SourceSpec.of(settings("clips/a.mp4"), 2000).input()).isEqualTo("clips/a.mp4");
    }

    @Test
    void testPatternsBecomeLavfiGraphs() throws Exception {
        assertThat(SourceSpec.of(settings("testsrc:"), 2000).input()).isEqualTo("testsrc2=size=640x480:rate=25");
        SourceSpec s = SourceSpec.of(settings("testsrc:size=320x240:rate=30000/1001:pattern=color:color=#FF8000"),
                2000);
        assertThat(s.kind()).isEqualTo(SourceSpec.Kind.TESTSRC);
        assertThat(s.format()).isEqualTo("lavfi");
        assertThat(s.input()).isEqualTo("color=size=320x240:rate=30000/1001:color=0xFF8000");
        assertThat(s.paced()).isTrue();
        assertThat(SourceSpec.of(settings("testsrc://pattern=smptebars"), 2000).input())
                .isEqualTo("smptebars=size=640x480:rate=25");
    }

    @Test
    void unknownSchemesAreInvalidSettingsBeforeAnySourceIsOpened() {
        // the contract refuses them when the settings are read (exit 2, permanent), on both sides
        InvalidSettingsException e = catchThrowableOfType(() -> settings("ftp://cam/x"), InvalidSettingsException.class);
        assertThat(e.problems()).extracting(InvalidSettingsException.Problem::key).containsExactly("url");
        assertThat(e.getMessage()).contains("scheme 'ftp' is not supported");
    }
}
