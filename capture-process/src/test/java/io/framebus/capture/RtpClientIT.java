package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import io.framebus.api.PixelFormat;
import io.framebus.capture.testing.CaptureProcess;
import io.framebus.capture.testing.RingFolder;
import io.framebus.capture.testing.RtspTestServer;
import io.framebus.shm.RingState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * framebus's own RTSP client and RTP depacketizer (RtspSession, RtpDepacketizer, RtpCameraSource) against the real
 * GStreamer RTSP server: the frame shapes that the marker-bit assembly must get right (several slices per frame,
 * H.265), key-frame flags and timestamps, and the fallback to FFmpeg's client for what it does not do.
 */
class RtpClientIT {
    private static final Duration SHORT = Duration.ofSeconds(10);

    private RingFolder rings;
    private final List<AutoCloseable> owned = new ArrayList<>();

    @BeforeEach
    void folder() throws Exception {
        rings = RingFolder.create();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
            if (owned.get(i) instanceof CaptureProcess p) {
                System.out.println("---- capture process " + p.pid() + " (exit " + p.exitValue() + ") ----\n"
                        + p.stderr());
            }
        }
        rings.close();
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    private RtspTestServer camera(RtspTestServer.Options options) throws IOException {
        return own(RtspTestServer.start(options));
    }

    private CaptureProcess capture(Map<String, String> settings) throws IOException {
        return own(CaptureProcess.start(settings));
    }

    /** Every frame red from its first to its last row: no frame was handed on before its last slice. */
    private static void assertWholeRedFrames(CaptureProcess p, RingProbe probe, int width, int height, int frames) {
        ByteBuffer dst = ByteBuffer.allocate(width * height * 3);
        long generation = 0;
        long last = 0;
        for (int n = 0; n < frames; n++) {
            FrameInfo[] got = new FrameInfo[1];
            long g = generation;
            long l = last;
            RingProbe.until(p, SHORT, () -> {
                dst.clear();
                got[0] = probe.reader().readAfter(g, l, dst);
                return got[0] != null;
            });
            generation = got[0].generation();
            last = got[0].sequence();
            for (int row : new int[] {0, height / 4, height / 2, height * 3 / 4, height - 1}) {
                for (int col : new int[] {0, width / 2, width - 1}) {
                    int px = (row * width + col) * 3;
                    assertThat(dst.get(px) & 0xFF).as("B at %d,%d of frame %d", col, row, last).isCloseTo(0, within(24));
                    assertThat(dst.get(px + 2) & 0xFF).as("R at %d,%d of frame %d", col, row, last)
                            .isCloseTo(255, within(24));
                }
            }
        }
    }

    @Test
    void framesOfSeveralSlicesArriveWhole() throws Exception {
        RtspTestServer camera = camera(RtspTestServer.options().size(320, 240).fps(10).pattern("red").slices(4));
        Path ring = rings.ring("slices");
        CaptureProcess p = capture(CaptureProcess.settings("slices", camera.url(), ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(1, RingProbe.STARTUP);
            assertWholeRedFrames(p, probe, 320, 240, 20);
            assertThat(p.stderr()).contains("[slices] INFO STREAMING 320x240 h264").doesNotContain("FFmpeg's RTSP client");
        }
    }

    @Test
    void h265StreamsWithKeyFrameFlagsAndTimestamps() throws Exception {
        RtspTestServer camera = camera(RtspTestServer.options().codec("h265").size(320, 240).fps(10).keyint(5)
                .pattern("red"));
        Path ring = rings.ring("hevc");
        CaptureProcess p = capture(CaptureProcess.settings("hevc", camera.url(), ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(1, RingProbe.STARTUP);
            assertWholeRedFrames(p, probe, 320, 240, 3);
            // every frame is published (fps=0): with a key frame every 5 frames both kinds must show, in order
            ByteBuffer dst = ByteBuffer.allocate(320 * 240 * 3);
            List<FrameInfo> seen = new ArrayList<>();
            RingProbe.until(p, SHORT, () -> {
                dst.clear();
                long after = seen.isEmpty() ? 0 : seen.get(seen.size() - 1).sequence();
                long gen = seen.isEmpty() ? 0 : seen.get(seen.size() - 1).generation();
                FrameInfo f = probe.reader().readAfter(gen, after, dst);
                if (f != null) {
                    seen.add(f);
                }
                return seen.size() >= 12;
            });
            assertThat(seen).extracting(FrameInfo::keyframe).contains(true, false);
            assertThat(seen.get(0).format()).isEqualTo(new FrameFormat(320, 240, PixelFormat.BGR24));
            for (int i = 1; i < seen.size(); i++) {
                assertThat(seen.get(i).sourcePtsMicros()).as("pts grow").isGreaterThan(seen.get(i - 1).sourcePtsMicros());
            }
            assertThat(probe.state()).isEqualTo(RingState.STREAMING);
            assertThat(probe.status().sourceFpsMilli()).isEqualTo(10_000);
            assertThat(p.stderr()).contains("[hevc] INFO STREAMING 320x240 hevc");
        }
    }

    /**
     * An outage of several seconds with the default reconnect settings: the young outage is retried about every
     * second, so frames flow again soon after the server is back. Prints the time from the server's READY to the
     * first new frame (docs/benchmarks.md); asserts no time, only that the same process streams again.
     */
    @Test
    void afterAnOutageFramesFlowAgainInTheSameProcess() throws Exception {
        RtspTestServer camera = camera(RtspTestServer.options().size(320, 240).fps(25).pattern("red"));
        Path ring = rings.ring("outage");
        CaptureProcess p = capture(CaptureProcess.settings("outage", camera.url(), ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(5, RingProbe.STARTUP);
            camera.stop();
            long downAt = System.nanoTime();
            probe.awaitState(RingState.RECONNECTING, SHORT);
            // an outage of about 8 s: the count of attempts, not a clock, says when it is long enough
            RingProbe.until(p, Duration.ofSeconds(60), () -> probe.status().reconnects() >= 8);
            long attempts = probe.status().reconnects();
            double outageSeconds = (System.nanoTime() - downAt) / 1e9;
            long before = probe.reader().publishedSequence();
            camera.restart();
            long backAt = System.nanoTime();
            RingProbe.until(p, Duration.ofSeconds(30), () -> probe.reader().publishedSequence() > before);
            long firstFrameNanos = System.nanoTime() - backAt;
            System.out.printf(java.util.Locale.ROOT, "RECONNECT outage %.1f s, %d attempts (%.2f per second); "
                    + "first frame %.0f ms after the server was back%n", outageSeconds, attempts,
                    attempts / outageSeconds, firstFrameNanos / 1e6);
            assertThat(probe.state()).isEqualTo(RingState.STREAMING);
            assertThat(p.isAlive()).isTrue();
        }
    }

    /**
     * GStreamer's RTSP server sends RTCP sender reports that map its RTP timestamps to its NTP wall clock (the host's
     * clock here): every frame after the first report carries the camera's capture time, spaced exactly one frame
     * interval apart by the RTP timestamps, just before the frame was decoded; and the decoded picture's number.
     */
    @Test
    void rtcpSenderReportsGiveTheCameraCaptureTime() throws Exception {
        RtspTestServer camera = camera(RtspTestServer.options().size(320, 240).fps(10).pattern("red"));
        Path ring = rings.ring("ntp");
        CaptureProcess p = capture(CaptureProcess.settings("ntp", camera.url(), ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(1, RingProbe.STARTUP);
            ByteBuffer dst = ByteBuffer.allocate(320 * 240 * 3);
            List<FrameInfo> timed = new ArrayList<>();
            FrameInfo[] last = new FrameInfo[1];
            RingProbe.until(p, Duration.ofSeconds(30), () -> {
                dst.clear();
                FrameInfo f = probe.reader().readAfter(last[0] == null ? 0 : last[0].generation(),
                        last[0] == null ? 0 : last[0].sequence(), dst);
                if (f == null) {
                    return false;
                }
                if (f.captureTimeSource() == io.framebus.api.CaptureTimeSource.RTCP) {
                    if (!timed.isEmpty() && f.sequence() != timed.get(timed.size() - 1).sequence() + 1) {
                        timed.clear(); // consecutive frames only
                    }
                    timed.add(f);
                }
                last[0] = f;
                return timed.size() >= 10;
            });
            for (int i = 1; i < timed.size(); i++) {
                FrameInfo a = timed.get(i - 1);
                FrameInfo b = timed.get(i);
                assertThat(b.sourceCaptureEpochNanos() - a.sourceCaptureEpochNanos()).as("one RTP interval at 10 fps")
                        .isBetween(99_000_000L, 101_000_000L);
                assertThat(b.sourceSequence()).as("every decoded picture is published (fps=0)")
                        .isEqualTo(a.sourceSequence() + 1);
            }
            for (FrameInfo f : timed) {
                long lead = f.captureEpochNanos() - f.sourceCaptureEpochNanos();
                assertThat(lead).as("captured by the camera's clock (the host's here) shortly before it was decoded")
                        .isBetween(-50_000_000L, 2_000_000_000L);
                assertThat(f.sourceClockReset()).isFalse();
                assertThat(f.sourceCaptureTime()).isPresent();
            }
            System.out.printf(java.util.Locale.ROOT, "RTCP capture time: decoded %.1f ms after the camera's capture "
                    + "time (first of %d frames)%n", (timed.get(0).captureEpochNanos()
                    - timed.get(0).sourceCaptureEpochNanos()) / 1e6, timed.size());
        }
    }

    /**
     * A camera whose clock runs an hour ahead of the host's (the server's sender reports use a clock offset by
     * exactly that): the frames' capture times are an hour ahead of their decode times, give or take the usual
     * sub-second path, which shows they come from the camera's clock through the RTCP mapping, not from the host.
     */
    @Test
    void theCaptureTimeFollowsTheCamerasClockNotTheHosts() throws Exception {
        long offsetMillis = 3_600_000;
        RtspTestServer camera = camera(RtspTestServer.options().size(320, 240).fps(10).pattern("red")
                .ntpOffsetMillis(offsetMillis));
        Path ring = rings.ring("ahead");
        CaptureProcess p = capture(CaptureProcess.settings("ahead", camera.url(), ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(1, RingProbe.STARTUP);
            ByteBuffer dst = ByteBuffer.allocate(320 * 240 * 3);
            FrameInfo[] timed = new FrameInfo[1];
            RingProbe.until(p, Duration.ofSeconds(30), () -> {
                dst.clear();
                FrameInfo f = probe.reader().readLatest(dst);
                if (f != null && f.captureTimeSource() == io.framebus.api.CaptureTimeSource.RTCP) {
                    timed[0] = f;
                }
                return timed[0] != null;
            });
            long aheadNanos = timed[0].sourceCaptureEpochNanos() - timed[0].captureEpochNanos();
            System.out.printf(java.util.Locale.ROOT, "RTCP camera clock %d ms ahead: frame's capture time %.1f ms "
                    + "ahead of its decode time%n", offsetMillis, aheadNanos / 1e6);
            assertThat(aheadNanos).isBetween((offsetMillis - 2000) * 1_000_000L, offsetMillis * 1_000_000L);
        }
    }

    @Test
    void keyFramesModeOverTheOwnClientPublishesOnlyKeyFrames() throws Exception {
        RtspTestServer camera = camera(RtspTestServer.options().size(320, 240).fps(10).keyint(5).pattern("red"));
        Path ring = rings.ring("keys");
        Map<String, String> s = CaptureProcess.settings("keys", camera.url(), ring);
        s.put("decodeMode", "keyframes");
        CaptureProcess p = capture(s);
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(4, RingProbe.STARTUP);
            ByteBuffer dst = ByteBuffer.allocate(320 * 240 * 3);
            for (int i = 0; i < 3; i++) {
                dst.clear();
                FrameInfo f = probe.reader().readLatest(dst);
                assertThat(f.keyframe()).isTrue();
            }
            assertThat(p.stderr()).doesNotContain("FFmpeg's RTSP client");
        }
    }
}
