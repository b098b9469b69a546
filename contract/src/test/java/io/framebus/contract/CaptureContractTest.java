package io.framebus.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The parts of the contract that the two processes must read the same way. */
class CaptureContractTest {

    private static CaptureSettings settings(String... keyValues) throws Exception {
        Properties p = new Properties();
        p.setProperty(CaptureSettings.CAMERA_ID, "front");
        p.setProperty(CaptureSettings.URL, "rtsp://admin:p%40ss@cam:8554/stream?channel=1");
        p.setProperty(CaptureSettings.RING_PATH, "/dev/shm/framebus-test/front.ring");
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return CaptureSettings.parse(p);
    }

    @Test
    void theDocumentReadsBackAsTheSameSettings() throws Exception {
        CaptureSettings written = settings(CaptureSettings.WIDTH, "1280", CaptureSettings.HEIGHT, "720",
                CaptureSettings.FPS, "0.4", CaptureSettings.PIXEL_FORMAT, "nv12", CaptureSettings.DECODE_MODE,
                "keyframes", CaptureSettings.RTSP_TRANSPORT, "udp", CaptureSettings.GENERATION, "9");
        String doc = written.withGeneration(10).document();
        assertThat(doc).endsWith("\n\n").doesNotStartWith("#");
        Properties read = SettingsReader.read(new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8)));
        assertThat(CaptureSettings.parse(read)).isEqualTo(written.withGeneration(10));
        assertThat(read.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(CaptureSettings.KEYS.keySet());
    }

    @Test
    void unsupportedAndHostlessUrlsAreRefusedWithoutTheirPassword() {
        assertThat(SourceUrl.problem("ftp://cam/x")).contains("scheme 'ftp'");
        // a raw '/' or '@' in the password: the URL has no host to Java; the message must not show the password
        for (String url : new String[] {"rtsp://admin:se/cret@cam/x", "rtsp://admin:se@cret@/x",
                "rtsp://admin:sec?ret@cam/x"}) {
            String problem = SourceUrl.problem(url);
            assertThat(problem).as(url).isNotNull().doesNotContain("se/cret").doesNotContain("cret@")
                    .doesNotContain("sec?ret");
        }
        assertThat(SourceUrl.problem("rtsp://admin:secret@cam:8554/x")).isNull();
        assertThat(SourceUrl.problem("/videos/a.mp4")).isNull();
        assertThat(SourceUrl.problem("testsrc:size=64x48")).isNull();
        assertThat(SourceUrl.problem("testsrc:size=big")).contains("size");
    }

    @Test
    void ringSizeIsTheRingWritersOwn() throws Exception {
        CaptureSettings s = settings(CaptureSettings.WIDTH, "1280", CaptureSettings.HEIGHT, "720",
                CaptureSettings.SLOTS, "4");
        assertThat(s.ringFileBytes()).isEqualTo(io.framebus.shm.RingWriter.fileBytes(
                new io.framebus.api.FrameFormat(1280, 720, io.framebus.api.PixelFormat.BGR24), 4));
        assertThat(settings().ringFileBytes()).isEqualTo(-1);
    }

    @Test
    void exitCodesSayWhetherARestartCanHelp() {
        assertThat(CaptureExit.of(0)).isEqualTo(CaptureExit.STOPPED);
        assertThat(CaptureExit.of(2).permanent()).isTrue();
        assertThat(CaptureExit.of(4).permanent()).isTrue();
        assertThat(CaptureExit.of(3).permanent()).isFalse();
        assertThat(CaptureExit.of(1).permanent()).isFalse();
        assertThat(CaptureExit.of(137)).isEqualTo(CaptureExit.OTHER);
        assertThat(CaptureExit.of(137).permanent()).isFalse();
        assertThat(CaptureExit.describe(137)).contains("signal 9");
        assertThat(CaptureExit.describe(2)).contains("invalid settings");
        for (CaptureExit e : CaptureExit.values()) {
            if (e.code() >= 0) {
                assertThat(CaptureExit.of(e.code())).isEqualTo(e);
            }
        }
    }

    @Test
    void logLinesCarryTheirLevel() {
        String line = CaptureLogLine.format("door", CaptureLogLine.Level.ERROR, "cannot create the ring x: no space");
        assertThat(CaptureLogLine.parse(line, "fallback"))
                .isEqualTo(new CaptureLogLine("door", CaptureLogLine.Level.ERROR, "cannot create the ring x: no space"));
        assertThat(CaptureLogLine.parse("[door] INFO STREAMING 1280x720", "x").level())
                .isEqualTo(CaptureLogLine.Level.INFO);
        CaptureLogLine foreign = CaptureLogLine.parse("# A fatal error has been detected by the JRE", "door");
        assertThat(foreign.level()).isEqualTo(CaptureLogLine.Level.WARN);
        assertThat(foreign.cameraId()).isEqualTo("door");
        assertThat(foreign.message()).isEqualTo("# A fatal error has been detected by the JRE");
    }

    @Test
    void shortPasswordsAreMaskedWhereTheyStandAlone() {
        SecretMasker m = new SecretMasker("rtsp://admin:ab@cam/x");
        assertThat(m.mask("401 for user admin with password ab")).isEqualTo("401 for user admin with password ***");
        assertThat(m.mask("table abc stays")).isEqualTo("table abc stays");
        assertThat(m.mask("open rtsp://admin:ab@cam/x")).isEqualTo("open rtsp://admin:***@cam/x");
        SecretMasker one = new SecretMasker("rtsp://u:7@cam/x");
        assertThat(one.mask("pw 7, port 8554")).isEqualTo("pw ***, port 8554");
    }

    @Test
    void queryStringPasswordsAreMasked() {
        String url = "rtsp://cam/live?user=admin&pwd=Sup3r&channel=1";
        assertThat(SecretMasker.maskUrls(url)).doesNotContain("Sup3r").contains("pwd=***");
        assertThat(new SecretMasker(url).mask("auth failed (Sup3r)")).doesNotContain("Sup3r");
        assertThat(SecretMasker.maskUrls("http://cam/snap.cgi?password=x1y2")).doesNotContain("x1y2");
    }
}
