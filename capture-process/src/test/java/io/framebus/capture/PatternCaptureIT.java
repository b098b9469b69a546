package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import io.framebus.capture.testing.CaptureProcess;
import io.framebus.capture.testing.RingFolder;
import io.framebus.shm.RingDirectory;
import io.framebus.shm.RingState;
import io.framebus.shm.RingStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real capture process on FFmpeg's lavfi test sources ({@code testsrc:}): content and geometry of every pixel
 * format, the fps cap, timestamps, the doorbell, and the process lifecycle (stdin closed, SIGTERM, kill -9).
 */
class PatternCaptureIT {
    private static final Duration SHORT = Duration.ofSeconds(10);

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

    @ParameterizedTest
    @EnumSource(PixelFormat.class)
    void solidRedArrivesInEveryPixelFormat(PixelFormat format) throws Exception {
        Path ring = rings.ring("red");
        Map<String, String> s = CaptureProcess.settings("red", "testsrc:pattern=color:color=red:size=64x48:rate=25", ring);
        s.put("pixelFormat", format.name());
        CaptureProcess p = start(s);
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(3, RingProbe.STARTUP);
            RingProbe.Frame f = probe.latest(SHORT);
            assertThat(f.info().format()).isEqualTo(new FrameFormat(64, 48, format));
            assertThat(f.pixels().remaining()).isEqualTo(format.frameBytes(64, 48));
            int w = 64;
            int h = 48;
            int[] corners = {0, w - 1, (h - 1) * w, h * w - 1}; // pixel indices: every pixel of a solid frame
            for (int px : corners) {
                switch (format) {
                    case BGR24 -> assertPixel(f, px * 3, 0, 0, 255);
                    case RGB24 -> assertPixel(f, px * 3, 255, 0, 0);
                    case GRAY8 -> assertThat(f.at(px)).isCloseTo(76, within(8));
                    case YUV420P, NV12 -> assertThat(f.at(px)).as("Y").isCloseTo(81, within(6));
                }
            }
            int luma = w * h;
            int cw = w / 2;
            int ch = h / 2;
            if (format == PixelFormat.YUV420P) {
                assertThat(f.at(luma)).as("U").isCloseTo(90, within(6));
                assertThat(f.at(luma + cw * ch - 1)).as("U last").isCloseTo(90, within(6));
                assertThat(f.at(luma + cw * ch)).as("V").isCloseTo(240, within(6));
                assertThat(f.at(luma + 2 * cw * ch - 1)).as("V last").isCloseTo(240, within(6));
            } else if (format == PixelFormat.NV12) {
                assertThat(f.at(luma)).as("U").isCloseTo(90, within(6));
                assertThat(f.at(luma + 1)).as("V").isCloseTo(240, within(6));
                assertThat(f.at(luma + 2 * cw * ch - 1)).as("V last").isCloseTo(240, within(6));
            }
        }
    }

    private static void assertPixel(RingProbe.Frame f, int offset, int c0, int c1, int c2) {
        assertThat(new int[] {f.at(offset), f.at(offset + 1), f.at(offset + 2)})
                .as("pixel bytes at " + offset)
                .satisfies(px -> {
                    assertThat(px[0]).isCloseTo(c0, within(6));
                    assertThat(px[1]).isCloseTo(c1, within(6));
                    assertThat(px[2]).isCloseTo(c2, within(6));
                });
    }

    @Test
    void fpsCapDropsFramesAndPublishesAtMostTheCap() throws Exception {
        Path ring = rings.ring("capped");
        Map<String, String> s = CaptureProcess.settings("capped", "testsrc:size=160x120:rate=25", ring);
        s.put("fps", "5");
        CaptureProcess p = start(s);
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(2, RingProbe.STARTUP);
            RingStatus before = probe.status();
            long t0 = System.nanoTime();
            // a window of about 3 s, measured rather than slept: whatever it turns out to be, the counts must fit it
            await().atMost(SHORT).pollInterval(Duration.ofMillis(50))
                    .until(() -> probe.status().publishedSequence() >= before.publishedSequence() + 15);
            RingStatus after = probe.status();
            double seconds = (System.nanoTime() - t0) / 1e9;
            long published = after.publishedSequence() - before.publishedSequence();
            long decoded = after.decodedFrames() - before.decodedFrames();
            long dropped = after.droppedFrames() - before.droppedFrames();
            assertThat(published).isLessThanOrEqualTo((long) Math.ceil(seconds * 5 * 1.25) + 2);
            assertThat(decoded).as("read at the source's rate, not the cap's").isGreaterThan(2 * published);
            assertThat(dropped).isGreaterThan(0);
            assertThat(after.decodedFrames()).isEqualTo(after.publishedSequence() + after.droppedFrames());
        }
    }

    @Test
    void timestampsAreCaptureTimesAndIncrease() throws Exception {
        Path ring = rings.ring("clock");
        CaptureProcess p = start(CaptureProcess.settings("clock", "testsrc:size=64x48:rate=25", ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(2, RingProbe.STARTUP);
            RingProbe.Frame a = probe.latest(SHORT);
            RingProbe.until(p, SHORT, () -> probe.reader().publishedSequence() > a.info().sequence() + 2);
            RingProbe.Frame b = probe.latest(SHORT);
            long nowEpochNanos = System.currentTimeMillis() * 1_000_000L;
            assertThat(b.info().sequence()).isGreaterThan(a.info().sequence());
            assertThat(b.info().captureMonoNanos()).isGreaterThan(a.info().captureMonoNanos());
            assertThat(b.info().captureEpochNanos()).isGreaterThan(a.info().captureEpochNanos());
            assertThat(Math.abs(nowEpochNanos - b.info().captureEpochNanos())).isLessThan(5_000_000_000L);
            assertThat(b.info().age()).isLessThan(Duration.ofSeconds(5));
            assertThat(b.info().sourcePtsMicros()).isGreaterThan(a.info().sourcePtsMicros());
        }
    }

    @Test
    void doorbellRingsOncePerPublishedFrame() throws Exception {
        Path ring = rings.ring("bell");
        Map<String, String> s = CaptureProcess.settings("bell", "testsrc:size=64x48:rate=25", ring);
        s.put("fps", "10");
        CaptureProcess p = start(s);
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(10, RingProbe.STARTUP);
            RingProbe.until(p, SHORT, () -> p.doorbellBytes() >= 10);
            p.closeStdin();
            await().atMost(SHORT).until(() -> !p.isAlive());
            // after the exit every byte has arrived: one per published frame, nothing else on stdout
            await().atMost(SHORT).until(() -> p.doorbellBytes() == probe.status().publishedSequence());
        }
    }

    @Test
    void sourceSizedRingStartsWithPlaceholderAndFollowsTheSource() throws Exception {
        Path ring = rings.ring("sized");
        Map<String, String> s = CaptureProcess.settings("sized", "testsrc:size=320x240:rate=25", ring);
        s.put("width", "160"); // height 0: keep the aspect ratio
        s.put("generation", "7");
        CaptureProcess p = start(s);
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(1, RingProbe.STARTUP);
            RingProbe.Frame f = probe.latest(SHORT);
            assertThat(f.info().format()).isEqualTo(new FrameFormat(160, 120, PixelFormat.BGR24));
            assertThat(f.info().generation()).as("placeholder ring was generation 7, the real one the next")
                    .isEqualTo(8);
            RingStatus st = probe.status();
            assertThat(st.sourceWidth()).isEqualTo(320);
            assertThat(st.sourceHeight()).isEqualTo(240);
            assertThat(st.sourceFpsMilli()).isEqualTo(25_000);
            assertThat(st.state()).isEqualTo(RingState.STREAMING);
        }
    }

    @Test
    void closingStdinStopsTheProcessAndClosesTheRing() throws Exception {
        Path ring = rings.ring("orphan");
        CaptureProcess p = start(CaptureProcess.settings("orphan", "testsrc:size=64x48:rate=25", ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(2, RingProbe.STARTUP);
            p.closeStdin();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> !p.isAlive());
            assertThat(p.exitValue()).isEqualTo(CaptureMain.EXIT_STOPPED);
            RingStatus st = probe.status();
            assertThat(st.state()).isEqualTo(RingState.STOPPED);
            assertThat(st.closed()).isTrue();
            assertThat(RingDirectory.isStale(ring)).isTrue();
            assertThat(p.stderr()).contains("[orphan] INFO stdin closed");
        }
    }

    @Test
    void sigtermStopsTheProcessCleanly() throws Exception {
        Path ring = rings.ring("term");
        CaptureProcess p = start(CaptureProcess.settings("term", "testsrc:size=64x48:rate=25", ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(2, RingProbe.STARTUP);
            p.terminate();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> !p.isAlive());
            assertThat(p.exitValue()).as(p.stderr()).isEqualTo(143);
            assertThat(probe.status().state()).isEqualTo(RingState.STOPPED);
            assertThat(probe.status().closed()).isTrue();
        }
    }

    @Test
    void killMinus9LeavesARingThatReadersRecogniseAsStale() throws Exception {
        Path ring = rings.ring("killed");
        CaptureProcess p = start(CaptureProcess.settings("killed", "testsrc:size=64x48:rate=25", ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(2, RingProbe.STARTUP);
            assertThat(RingDirectory.isStale(ring)).isFalse();
            p.kill();
            await().atMost(SHORT).until(() -> !p.isAlive());
            assertThat(probe.status().closed()).as("no chance to close").isFalse();
            assertThat(probe.reader().writerAlive()).isFalse();
            assertThat(RingDirectory.isStale(ring)).isTrue();
        }
    }

    @Test
    void heartbeatKeepsBeatingWhileStreaming() throws Exception {
        Path ring = rings.ring("beat");
        Map<String, String> s = CaptureProcess.settings("beat", "testsrc:size=64x48:rate=25", ring);
        s.put("heartbeatMillis", "100");
        CaptureProcess p = start(s);
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(1, RingProbe.STARTUP);
            long first = probe.status().heartbeatNanos();
            RingProbe.until(p, SHORT, () -> probe.status().heartbeatNanos() > first);
            assertThat(probe.status().heartbeatAge()).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void ringFileIsPrivate() throws Exception {
        Path ring = rings.ring("private");
        CaptureProcess p = start(CaptureProcess.settings("private", "testsrc:size=64x48:rate=25", ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(ring)))
                    .isEqualTo("rw-------");
        }
    }
}
