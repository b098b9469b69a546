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
            assertThat(p.stderr()).contains("[slices] STREAMING 320x240 h264").doesNotContain("FFmpeg's RTSP client");
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
            assertThat(p.stderr()).contains("[hevc] STREAMING 320x240 hevc");
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
