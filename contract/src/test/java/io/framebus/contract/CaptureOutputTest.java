package io.framebus.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import io.framebus.contract.CaptureOutput.ScaleMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CaptureOutputTest {

    private static List<CaptureOutput> parse(List<String> problems, String... texts) {
        return CaptureOutput.parseAll(texts, 6, problems);
    }

    @Test
    void grammarWithDefaultsAndAnyOrder() {
        List<String> problems = new ArrayList<>();
        List<CaptureOutput> outs = parse(problems, "detect: 640x640 RGB24 fps=2 fit",
                "view: source; thumb: crop gray8 320x0 fps=0.5");
        assertThat(problems).isEmpty();
        assertThat(outs).containsExactly(
                new CaptureOutput("detect", 640, 640, PixelFormat.RGB24, 2, ScaleMode.FIT),
                new CaptureOutput("view", 0, 0, PixelFormat.BGR24, 6, ScaleMode.STRETCH),
                new CaptureOutput("thumb", 320, 0, PixelFormat.GRAY8, 0.5, ScaleMode.CROP));
        assertThat(outs.get(2).format(1280, 720)).isEqualTo(new FrameFormat(320, 180, PixelFormat.GRAY8));
        assertThat(outs.get(1).format(1280, 720)).isEqualTo(new FrameFormat(1280, 720, PixelFormat.BGR24));
        assertThat(CaptureOutput.join(outs))
                .isEqualTo("detect: 640x640 RGB24 fps=2 fit; view: source BGR24 fps=6 stretch; "
                        + "thumb: 320x0 GRAY8 fps=0.5 crop");
        assertThat(parse(problems, CaptureOutput.join(outs))).isEqualTo(outs);
        assertThat(problems).isEmpty();
    }

    @Test
    void everyBadValueIsNamed() {
        List<String> problems = new ArrayList<>();
        parse(problems, "Detect: 640x640", "main: 10x10", "a: 640x640 RGB32", "b: 1x99999", "c: fps=-1",
                "d: fit crop", "no colon here", "e: 2x2; e: 4x4", "f: 2x2 2x2", "g: BGR24 nv12", "h: fps=x",
                "i: 0x0");
        assertThat(problems).containsExactly(
                "output name 'Detect' must be 1-32 characters of a-z 0-9 _ -",
                "output name 'main' is the default output's (width, height, pixelFormat, fps); choose another name",
                "output 'a': 'RGB32' is not a size (WxH or source), a pixel format (BGR24, RGB24, GRAY8, YUV420P, "
                        + "NV12), fps=N or a scale mode (stretch, fit, crop)",
                "output 'b': size '1x99999' must have sides 2..16384 (0 for one side keeps the source's aspect; "
                        + "'source' for the source's size)",
                "output 'c': fps must be a number 0..1000, got '-1'",
                "output 'd': two scale modes ('crop')",
                "output 'no colon here' must start with a name and a colon, as in 'detect: 640x640 RGB24 fps=2 fit'",
                "output 'e' is defined twice",
                "output 'f': two sizes ('2x2')",
                "output 'g': two pixel formats ('nv12')",
                "output 'h': fps must be a number 0..1000, got 'x'",
                "output 'i': size '0x0' must have sides 2..16384 (0 for one side keeps the source's aspect; "
                        + "'source' for the source's size)");
    }

    @Test
    void atMostEightExtraOutputs() {
        List<String> problems = new ArrayList<>();
        String[] nine = new String[9];
        for (int i = 0; i < 9; i++) {
            nine[i] = "o" + i + ": 64x64";
        }
        parse(problems, nine);
        assertThat(problems).containsExactly("at most 8 outputs besides 'main', got 9");
    }

    @Test
    void ringFilesSitNextToTheDefaultOne() {
        Path main = Path.of("/dev/shm/framebus-x/front.cam.ring");
        assertThat(CaptureOutput.ringPath(main, "main")).isEqualTo(main);
        assertThat(CaptureOutput.ringPath(main, "detect")).isEqualTo(Path.of("/dev/shm/framebus-x/front.cam~detect.ring"));
    }

    @Test
    void settingsDocumentCarriesTheOutputs() throws Exception {
        Properties p = new Properties();
        p.setProperty("cameraId", "front");
        p.setProperty("url", "testsrc:");
        p.setProperty("ringPath", "/dev/shm/framebus-test/front.ring");
        p.setProperty("width", "1280");
        p.setProperty("height", "720");
        p.setProperty("fps", "6");
        p.setProperty("outputs", "detect: 640x640 RGB24 fps=2 fit");
        CaptureSettings s = CaptureSettings.parse(p);
        assertThat(s.allOutputs()).extracting(CaptureOutput::name).containsExactly("main", "detect");
        assertThat(s.allOutputs().get(0)).isEqualTo(
                new CaptureOutput("main", 1280, 720, PixelFormat.BGR24, 6, ScaleMode.STRETCH));
        assertThat(s.ringPath("detect")).isEqualTo(Path.of("/dev/shm/framebus-test/front~detect.ring"));
        CaptureSettings again = CaptureSettings.parse(SettingsReader.read(
                new java.io.ByteArrayInputStream(s.document().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        assertThat(again).isEqualTo(s);

        p.setProperty("outputs", "detect: 640x640 RGB24 fps=2 fit; x: 9x9 blue");
        InvalidSettingsException e = catchThrowableOfType(() -> CaptureSettings.parse(p), InvalidSettingsException.class);
        assertThat(e.problems()).extracting(InvalidSettingsException.Problem::key).containsExactly("outputs");
        assertThat(e.getMessage()).contains("output 'x': 'blue' is not a size");
    }
}
