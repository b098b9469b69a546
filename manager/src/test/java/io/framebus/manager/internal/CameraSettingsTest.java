package io.framebus.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CameraSettingsTest {
    private static final java.nio.file.Path DIR = Paths.get("/dev/shm/framebus-test");

    /** A CameraConfig as DS would build it: the annotation's defaults, overridden by {@code values}. */
    static CameraConfig config(Object... kv) {
        Map<String, Object> values = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            values.put((String) kv[i], kv[i + 1]);
        }
        return (CameraConfig) Proxy.newProxyInstance(CameraConfig.class.getClassLoader(), new Class<?>[] {CameraConfig.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return CameraConfig.class;
                    }
                    if (values.containsKey(method.getName())) {
                        return values.get(method.getName());
                    }
                    Object def = method.getDefaultValue();
                    return def; // null for id() and url(), which have no default
                });
    }

    @Test
    void aGoodConfigurationIsAccepted() throws Exception {
        CameraSettings s = CameraSettings.validate(config("id", "front", "url", "rtsp://cam.local:554/stream1"), DIR, -1);
        assertThat(s.id()).isEqualTo("front");
        assertThat(s.name()).isEqualTo("front");
        assertThat(s.fps()).isEqualTo(6.0);
        assertThat(s.capture().rtspTransport()).isEqualTo(io.framebus.contract.CaptureSettings.RtspTransport.TCP);
        assertThat(s.capture().ringPath()).isEqualTo(DIR.resolve("front.ring"));
        assertThat(s.fixedFormat()).isNull();
    }

    @Test
    void everyProblemIsNamedWithItsKey() {
        assertThatThrownBy(() -> CameraSettings.validate(config("id", "../x", "url", "ftp://h/x", "fps", -1.0,
                "width", 640, "ringSlots", 1, "reconnectDelay", 5000, "reconnectDelayMax", 1000), DIR, -1))
                .hasMessageContaining("camera '../x'")
                .hasMessageContaining("id '../x' must be 1-64 characters")
                .hasMessageContaining("url scheme 'ftp' is not supported")
                .hasMessageContaining("fps must be a number 0.0..1000.0, got -1.0")
                .hasMessageContaining("width and height must both be 0")
                .hasMessageContaining("ringSlots must be 2..64, got 1")
                .hasMessageContaining("reconnectDelayMax must not be below the first reconnect delay (5000), got 1000");
        assertThatThrownBy(() -> CameraSettings.validate(config("url", "testsrc:"), DIR, -1)).hasMessageContaining("id is missing");
        assertThatThrownBy(() -> CameraSettings.validate(config("id", "x".repeat(300), "url", "testsrc:"), DIR, -1))
                .hasMessageContaining("...");
    }

    @Test
    void aRingLargerThanTheFreeSpaceOrTwoGibIsRefused() {
        assertThatThrownBy(() -> CameraSettings.validate(config("id", "big", "url", "testsrc:", "width", 1920,
                "height", 1080, "ringSlots", 8), DIR, 10L * 1024 * 1024))
                .hasMessageContaining("needs 47.5 MiB, the ring directory has 10.0 MiB free");
        assertThatThrownBy(() -> CameraSettings.validate(config("id", "big", "url", "testsrc:", "width", 8192,
                "height", 8192, "ringSlots", 64), DIR, -1))
                .hasMessageContaining("over the 2 GiB");
    }

    @Test
    void passwordsNeverShowInTextButReachTheCaptureProcess() throws Exception {
        CameraSettings s = CameraSettings.validate(config("id", "c", "url", "rtsp://cam/x", "username", "admin",
                "password", "s3cr3t p@ss"), DIR, -1);
        assertThat(s.toString()).doesNotContain("s3cr3t");
        assertThat(s.displayUrl()).isEqualTo("rtsp://admin:***@cam/x");
        Properties p = new Properties();
        p.load(new java.io.StringReader(s.captureDocument(3)));
        assertThat(p.getProperty("url")).isEqualTo("rtsp://admin:s3cr3t%20p%40ss@cam/x");
        assertThat(p.getProperty("generation")).isEqualTo("3");
        assertThat(p.getProperty("ringPath")).isEqualTo(DIR.resolve("c.ring").toString());
        assertThat(s.captureDocument(1)).endsWith("\n\n").doesNotContain("#");
        assertThatThrownBy(() -> CameraSettings.validate(config("id", "c", "url", "rtsp://u:topsecret@cam/x",
                "ringSlots", 99), DIR, -1)).message().doesNotContain("topsecret");
    }

    @Test
    void passwordsWithRawSlashOrAtOrInTheQueryNeverShowInTheReason() {
        for (String url : new String[] {"rtsp://admin:pa/ss@cam/x", "rtsp://admin:p@ss@/x", "rtsp://admin:a#b@cam/x"}) {
            assertThatThrownBy(() -> CameraSettings.validate(config("id", "c", "url", url), DIR, -1))
                    .as(url).message().doesNotContain("pa/ss").doesNotContain("p@ss").doesNotContain("a#b");
        }
        assertThatThrownBy(() -> CameraSettings.validate(config("id", "c", "url", "rtsp://cam/x?pwd=Zq9!x&ch=1",
                "ringSlots", 99), DIR, -1)).message().doesNotContain("Zq9!x");
    }

    @Test
    void anUnresolvedSecretPlaceholderIsRefusedNotUsedAsThePassword() {
        assertThatThrownBy(() -> CameraSettings.validate(config("id", "c", "url", "rtsp://cam/x", "username", "admin",
                "password", "$[secret:cam1-password]"), DIR, -1))
                .hasMessageContaining("password refers to the secret 'cam1-password', which was not found");
        assertThatThrownBy(() -> CameraSettings.validate(config("id", "c", "url", "rtsp://admin:$[env:CAM_PW]@cam/x"),
                DIR, -1)).hasMessageContaining("the environment variable CAM_PW, which is not set");
    }

    @Test
    void onlyAllowedJvmOptionsPass() throws Exception {
        CameraSettings ok = CameraSettings.validate(config("id", "c", "url", "testsrc:", "jvmArgs",
                " -Xmx96m  -XX:+UseParallelGC -XX:ActiveProcessorCount=2 -Xlog:gc=info:stderr "), DIR, -1);
        assertThat(ok.jvmArgs()).containsExactly("-Xmx96m", "-XX:+UseParallelGC", "-XX:ActiveProcessorCount=2",
                "-Xlog:gc=info:stderr");
        for (String bad : new String[] {"-javaagent:/tmp/a.jar", "-agentlib:jdwp=transport=dt_socket",
                "-XX:OnError=sh -c id", "@/tmp/args", "-cp /tmp", "-Xlog:gc:file=/etc/x", "-Dfoo=bar",
                "-XX:SharedArchiveFile=/tmp/x.jsa", "-Xbootclasspath/a:/tmp"}) {
            assertThatThrownBy(() -> CameraSettings.validate(config("id", "c", "url", "testsrc:", "jvmArgs", bad),
                    DIR, -1)).as(bad).hasMessageContaining("jvmArgs refuses");
        }
    }

    @Test
    void annotationProxyHasTheDeclaredDefaults() {
        Annotation a = config();
        assertThat(((CameraConfig) a).ringSlots()).isEqualTo(4);
    }

    @Test
    void outputsAreReadFromAStringArrayOrOneStringAndBadOnesNamed() throws Exception {
        CameraSettings s = CameraSettings.validate(config("id", "front", "url", "testsrc:", "fps", 6.0, "outputs",
                new String[] {"detect: 640x640 RGB24 fps=2 fit", "thumb: 160x0 gray8; view: source"}), DIR, -1);
        assertThat(s.capture().allOutputs()).extracting(io.framebus.contract.CaptureOutput::line).containsExactly(
                "main: source BGR24 fps=6 stretch", "detect: 640x640 RGB24 fps=2 fit",
                "thumb: 160x0 GRAY8 fps=6 stretch", "view: source BGR24 fps=6 stretch");
        assertThat(s.captureDocument(3)).contains("outputs=detect\\: 640x640 RGB24 fps\\=2 fit; thumb\\: 160x0");
        assertThatThrownBy(() -> CameraSettings.validate(config("id", "front", "url", "testsrc:", "outputs",
                new String[] {"Detect: 640x640", "ok: 64x64 fps=9999 zoom"}), DIR, -1))
                .isInstanceOf(CameraSettings.InvalidCameraException.class)
                .hasMessageStartingWith("camera 'front': ")
                .hasMessageContaining("outputs: output name 'Detect' must be 1-32 characters of a-z 0-9 _ -")
                .hasMessageContaining("outputs: output 'ok': fps must be a number 0..1000, got '9999'")
                .hasMessageContaining("outputs: output 'ok': 'zoom' is not a size");
        // the outputs' rings count against the free space of the ring directory too
        assertThatThrownBy(() -> CameraSettings.validate(config("id", "front", "url", "testsrc:", "width", 64,
                "height", 64, "outputs", new String[] {"big: 4000x4000 RGB24"}), DIR, 50L << 20))
                .hasMessageContaining("outputs: the rings of the outputs need 183.1 MiB (with main's 0.1 MiB), the "
                        + "ring directory has 50.0 MiB free");
    }
}
