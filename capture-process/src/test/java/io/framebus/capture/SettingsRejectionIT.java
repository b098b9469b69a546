package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.framebus.capture.testing.CaptureProcess;
import io.framebus.capture.testing.RingFolder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Documents the real process refuses: each ends with exit code 2 and a message naming the key, quickly, and
 * leaves no ring file behind.
 */
class SettingsRejectionIT {
    private static final Duration EXIT = Duration.ofSeconds(15);

    private RingFolder rings;
    private final List<CaptureProcess> processes = new ArrayList<>();

    @BeforeEach
    void folder() throws Exception {
        rings = RingFolder.create();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (CaptureProcess p : processes) {
            p.close();
        }
        rings.close();
    }

    private CaptureProcess run(String document, List<String> args) throws Exception {
        CaptureProcess p = CaptureProcess.startWithDocument(document, args);
        processes.add(p);
        await().atMost(EXIT).until(() -> !p.isAlive());
        // the stderr reader may still be draining the last lines
        await().atMost(EXIT).until(() -> !p.stderr().isEmpty());
        return p;
    }

    @Test
    void invalidValuesAreAllNamed() throws Exception {
        String doc = "cameraId=../etc\nurl=rtsp://u:topsecret@cam/x\nringPath=" + rings.ring("x")
                + "\nfps=-1\npixelFormat=RGBA\nslots=1000\nwidht=640\n\n";
        CaptureProcess p = run(doc, List.of());
        assertThat(p.exitValue()).isEqualTo(CaptureMain.EXIT_INVALID_SETTINGS);
        assertThat(p.stderr()).contains("invalid settings: cameraId:", "invalid settings: fps:",
                "invalid settings: pixelFormat:", "invalid settings: slots:", "invalid settings: widht: unknown key")
                .doesNotContain("topsecret");
        assertThat(rings.isEmpty()).as("no ring file").isTrue();
    }

    @Test
    void missingRequiredKeys() throws Exception {
        CaptureProcess p = run("width=640\n\n", List.of());
        assertThat(p.exitValue()).isEqualTo(CaptureMain.EXIT_INVALID_SETTINGS);
        await().atMost(EXIT).until(() -> p.stderrLines().size() >= 3);
        assertThat(p.stderr()).contains("cameraId: required", "url: required", "ringPath: required");
    }

    @Test
    void badTestPatternIsASettingsError() throws Exception {
        Map<String, String> s = CaptureProcess.settings("pattern", "testsrc:size=big", rings.ring("pattern"));
        CaptureProcess p = CaptureProcess.start(s);
        processes.add(p);
        await().atMost(EXIT).until(() -> !p.isAlive());
        assertThat(p.exitValue()).isEqualTo(CaptureMain.EXIT_INVALID_SETTINGS);
        await().atMost(EXIT).until(() -> p.stderr().contains("[pattern] ERROR invalid settings: url: testsrc size"));
        assertThat(rings.isEmpty()).isTrue();
    }

    @Test
    void documentWithoutItsEmptyLineThenEndOfInput() throws Exception {
        CaptureProcess p = CaptureProcess.startWithDocument("cameraId=a\nurl=testsrc:\n", List.of());
        processes.add(p);
        p.closeStdin();
        await().atMost(EXIT).until(() -> !p.isAlive());
        assertThat(p.exitValue()).isEqualTo(CaptureMain.EXIT_INVALID_SETTINGS);
        await().atMost(EXIT).until(() -> p.stderr().contains("stdin ended before the empty line"));
    }

    @Test
    void binaryGarbageIsRejected() throws Exception {
        CaptureProcess p = run("\u0000\u00ff\u0001garbage\u0007 = \u0002\n\u00fe\n\n", List.of());
        assertThat(p.exitValue()).isEqualTo(CaptureMain.EXIT_INVALID_SETTINGS);
        assertThat(p.stderr()).contains("[capture] ERROR invalid settings:");
    }

    @Test
    void argumentsAreRefusedBecauseArgvIsPublic() throws Exception {
        CaptureProcess p = run("", List.of("--url", "rtsp://u:p@cam/x"));
        assertThat(p.exitValue()).isEqualTo(CaptureMain.EXIT_INVALID_SETTINGS);
        assertThat(p.stderr()).contains("no arguments are accepted");
    }

    @Test
    void unusableRingDirectoryIsExitCode3() throws Exception {
        java.nio.file.Path file = rings.dir().resolve("not-a-dir");
        java.nio.file.Files.writeString(file, "x");
        Map<String, String> s = CaptureProcess.settings("noring", "testsrc:", file.resolve("noring.ring"));
        CaptureProcess p = CaptureProcess.start(s);
        processes.add(p);
        await().atMost(EXIT).until(() -> !p.isAlive());
        assertThat(p.exitValue()).isEqualTo(CaptureMain.EXIT_RING_UNAVAILABLE);
        await().atMost(EXIT).until(() -> p.stderr().contains("[noring] ERROR cannot create the ring"));
    }
}
