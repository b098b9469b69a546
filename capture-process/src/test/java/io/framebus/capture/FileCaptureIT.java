package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import io.framebus.capture.testing.CaptureProcess;
import io.framebus.capture.testing.RingFolder;
import io.framebus.shm.RingError;
import io.framebus.shm.RingState;
import io.framebus.shm.RingStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real capture process on H.264 files made for the test with Debian's ffmpeg CLI: playback at the file's own
 * pace, looping, end of file without looping, a mid-stream size change (new ring generation), key-frame-only
 * decoding, and a missing file.
 */
class FileCaptureIT {
    private static final Duration SHORT = Duration.ofSeconds(10);

    private static Path clips;
    private static Path mp4;        // 160x120, 25 fps, 1 s, a key frame every 5 frames
    private static Path sizeChange; // Annex B: 1 s at 160x120, then 1 s at 96x64

    private RingFolder rings;
    private final List<CaptureProcess> processes = new ArrayList<>();

    @BeforeAll
    static void makeClips() throws Exception {
        clips = Files.createTempDirectory("framebus-clips");
        mp4 = clips.resolve("clip.mp4");
        encode("testsrc2=size=160x120:rate=25", mp4, "mp4");
        Path a = clips.resolve("a.h264");
        Path b = clips.resolve("b.h264");
        encode("testsrc2=size=160x120:rate=25", a, "h264");
        encode("testsrc2=size=96x64:rate=25", b, "h264");
        sizeChange = clips.resolve("size-change.h264");
        Files.write(sizeChange, Files.readAllBytes(a));
        Files.write(sizeChange, Files.readAllBytes(b), java.nio.file.StandardOpenOption.APPEND);
    }

    private static void encode(String lavfi, Path out, String format) throws Exception {
        Process p = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                "-i", lavfi, "-t", "1", "-c:v", "libx264", "-g", "5", "-bf", "0", "-pix_fmt", "yuv420p",
                "-f", format, out.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("ffmpeg: " + output).isZero();
    }

    @AfterAll
    static void removeClips() throws IOException {
        try (var s = Files.walk(clips)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @BeforeEach
    void folder() throws Exception {
        rings = RingFolder.create();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (CaptureProcess p : processes) {
            p.close();
            System.out.println("---- capture process " + p.pid() + " (exit " + p.exitValue() + ") ----\n"
                    + p.stderr());
        }
        rings.close();
    }

    private CaptureProcess start(Map<String, String> settings) throws Exception {
        CaptureProcess p = CaptureProcess.start(settings);
        processes.add(p);
        return p;
    }

    @Test
    void fileIsPlayedAtItsOwnPaceAndLooped() throws Exception {
        Path ring = rings.ring("clip");
        CaptureProcess p = start(CaptureProcess.settings("clip", mp4.toString(), ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(1, RingProbe.STARTUP);
            assertThat(probe.reader().format()).isEqualTo(new FrameFormat(160, 120, PixelFormat.BGR24));
            long t0 = System.nanoTime();
            long seq0 = probe.reader().publishedSequence();
            // the clip has 25 frames: more than 40 means it was played again
            RingProbe.until(p, SHORT, () -> probe.reader().publishedSequence() >= seq0 + 40);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long frames = probe.reader().publishedSequence() - seq0;
            assertThat(frames / seconds).as("%d frames in %.2f s: paced at 25 fps, not decoded flat out",
                    frames, seconds).isLessThan(25 * 1.5);
            assertThat(probe.state()).isEqualTo(RingState.STREAMING);
            assertThat(probe.status().reconnects()).as("looping is not reconnecting").isZero();
        }
    }

    @Test
    void fileUrlWithoutLoopEndsInStoppedAndStaysAlive() throws Exception {
        Path ring = rings.ring("once");
        Map<String, String> s = CaptureProcess.settings("once", mp4.toUri().toString(), ring);
        s.put("loop", "false");
        CaptureProcess p = start(s);
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitState(RingState.STOPPED, RingProbe.STARTUP);
            RingStatus st = probe.status();
            assertThat(st.publishedSequence()).isEqualTo(25);
            assertThat(st.closed()).as("the ring stays open: the last frame is still there").isFalse();
            assertThat(p.isAlive()).isTrue();
            // the state is set first, then the line is logged: wait for it to come through the stderr pipe
            RingProbe.until(p, SHORT, () -> p.stderr().contains("[once] INFO end of file (loop=false)"));
        }
    }

    @Test
    void sizeChangeMidStreamStartsANewGeneration() throws Exception {
        Path ring = rings.ring("resize");
        CaptureProcess p = start(CaptureProcess.settings("resize", sizeChange.toString(), ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            RingProbe.until(p, RingProbe.STARTUP,
                    () -> probe.reader().format().equals(new FrameFormat(160, 120, PixelFormat.BGR24)));
            long first = probe.reader().generation();
            RingProbe.until(p, SHORT,
                    () -> probe.reader().format().equals(new FrameFormat(96, 64, PixelFormat.BGR24)));
            assertThat(probe.reader().generation()).isGreaterThan(first);
            probe.awaitPublished(2, SHORT);
            assertThat(probe.latest(SHORT).info().format().width()).isEqualTo(96);
            // the loop comes back to the first size: one more generation, same process
            RingProbe.until(p, SHORT, () -> probe.reader().format().width() == 160
                    && probe.reader().generation() > first + 1);
            assertThat(probe.status().decodedFrames()).as("counters carry over generations")
                    .isGreaterThan(probe.status().publishedSequence());
            assertThat(p.stderr()).contains("source size changed to 96x64");
        }
    }

    @Test
    void keyframesModeDecodesOnlyKeyFrames() throws Exception {
        Path ring = rings.ring("keys");
        Map<String, String> s = CaptureProcess.settings("keys", mp4.toString(), ring);
        s.put("decodeMode", "keyframes");
        CaptureProcess p = start(s);
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(1, RingProbe.STARTUP);
            // 25 frames, a key frame every 5: 5 per pass of the file
            RingProbe.until(p, SHORT, () -> probe.status().publishedSequence() >= 12);
            RingStatus st = probe.status();
            assertThat(st.decodedFrames()).isEqualTo(st.publishedSequence() + st.droppedFrames());
            assertThat(st.droppedFrames()).isZero();
            RingProbe.Frame f = probe.latest(SHORT);
            assertThat(f.info().keyframe()).isTrue();
            // 12+ key frames = 2+ passes of 1 s: the pace was kept, key frames 200 ms apart
            long passes = st.publishedSequence() / 5;
            assertThat(passes).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void missingFileIsNotFound() throws Exception {
        Path ring = rings.ring("missing");
        CaptureProcess p = start(CaptureProcess.settings("missing", clips.resolve("nope.mp4").toString(), ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitState(RingState.FAILED, RingProbe.STARTUP);
            assertThat(probe.status().errorCode()).isEqualTo(RingError.NOT_FOUND);
            assertThat(probe.status().errorText()).contains("nope.mp4");
        }
    }
}
