package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import io.framebus.api.PixelFormat;
import io.framebus.capture.testing.CaptureProcess;
import io.framebus.capture.testing.RingFolder;
import io.framebus.contract.CaptureOutput;
import io.framebus.shm.RingState;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One capture process, one decode, several outputs: each output's ring, its geometry, its own rate, the scale modes
 * (fit's black bars, crop's cut-off) checked pixel by pixel against the default output's full-size picture of the
 * same source, and frames of two outputs paired by their capture times.
 */
class OutputsCaptureIT {
    private static final Duration SHORT = Duration.ofSeconds(10);
    /** FFmpeg's rgbtestsrc: six horizontal stripes (red, cyan, green, magenta, blue, yellow), brighter to the right. */
    private static final String PORTRAIT = "testsrc:pattern=rgbtestsrc:size=240x320:rate=25";

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

    @Test
    void fitAndCropAreTheSourcePictureScaledIntoTheRightRectangle() throws Exception {
        Path main = rings.ring("stripes");
        Map<String, String> s = CaptureProcess.settings("stripes", PORTRAIT, main);
        s.put("pixelFormat", "RGB24");
        s.put("outputs", "fit: 64x64 RGB24 fit fps=0; crop: 64x64 RGB24 crop fps=0; "
                + "fityuv: 64x64 YUV420P fit fps=0; stretch: 64x64 RGB24 fps=0");
        CaptureProcess p = start(s);
        try (RingProbe full = RingProbe.open(main, p);
             RingProbe fit = RingProbe.open(main.resolveSibling("stripes~fit.ring"), p);
             RingProbe crop = RingProbe.open(main.resolveSibling("stripes~crop.ring"), p);
             RingProbe fitYuv = RingProbe.open(main.resolveSibling("stripes~fityuv.ring"), p);
             RingProbe stretch = RingProbe.open(main.resolveSibling("stripes~stretch.ring"), p)) {
            full.awaitPublished(3, RingProbe.STARTUP);
            fit.awaitPublished(3, SHORT);
            crop.awaitPublished(3, SHORT);
            fitYuv.awaitPublished(3, SHORT);
            stretch.awaitPublished(3, SHORT);
            RingProbe.Frame src = full.latest(SHORT);
            assertThat(src.info().format()).isEqualTo(new FrameFormat(240, 320, PixelFormat.RGB24));

            // fit: 240x320 into 64x64 is 48x64 at x = 8, black columns 0-7 and 56-63
            RingProbe.Frame f = fit.latest(SHORT);
            assertThat(f.info().format()).isEqualTo(new FrameFormat(64, 64, PixelFormat.RGB24));
            int compared = 0;
            for (int y = 0; y < 64; y += 3) {
                for (int x = 0; x < 64; x++) {
                    if (x < 8 || x >= 56) {
                        assertRgb(f, x, y, 0, 0, 0, 0, "bar");
                    } else if (awayFromStripeEdge((y + 0.5) * 5)) {
                        assertRgbLike(f, x, y, src, (x - 8 + 0.5) * 5, (y + 0.5) * 5);
                        compared++;
                    }
                }
            }
            assertThat(compared).isGreaterThan(400);

            // crop: the middle 240x240 (rows 40-279) scaled to 64x64
            RingProbe.Frame c = crop.latest(SHORT);
            compared = 0;
            for (int y = 0; y < 64; y++) {
                double sy = 40 + (y + 0.5) * 3.75;
                if (!awayFromStripeEdge(sy)) {
                    continue;
                }
                for (int x = 2; x < 62; x += 5) {
                    assertRgbLike(c, x, y, src, (x + 0.5) * 3.75, sy);
                    compared++;
                }
            }
            assertThat(compared).isGreaterThan(400);
            // stretch is the whole source: rows from other stripes than crop's
            RingProbe.Frame st = stretch.latest(SHORT);
            int differing = 0;
            for (int y = 0; y < 64; y++) {
                if (awayFromStripeEdge((y + 0.5) * 5)) {
                    assertRgbLike(st, 40, y, src, 40.5 * 3.75, (y + 0.5) * 5);
                }
                int i = (y * 64 + 40) * 3;
                for (int k = 0; k < 3; k++) {
                    if (Math.abs(st.at(i + k) - c.at(i + k)) > 60) {
                        differing++;
                        break;
                    }
                }
            }
            assertThat(differing).as("rows where stretch and crop differ").isGreaterThan(5);

            // fit in YUV420P: bars are black in limited range (Y 16, U and V 128), the picture is not
            RingProbe.Frame fy = fitYuv.latest(SHORT);
            assertThat(fy.info().format()).isEqualTo(new FrameFormat(64, 64, PixelFormat.YUV420P));
            int luma = 64 * 64;
            for (int y = 0; y < 64; y++) {
                assertThat(fy.at(y * 64)).as("Y left bar row " + y).isEqualTo(16);
                assertThat(fy.at(y * 64 + 63)).as("Y right bar row " + y).isEqualTo(16);
            }
            for (int cy = 0; cy < 32; cy++) {
                for (int cx : new int[] {0, 3, 28, 31}) {
                    assertThat(fy.at(luma + cy * 32 + cx)).as("U bar").isEqualTo(128);
                    assertThat(fy.at(luma + 32 * 32 + cy * 32 + cx)).as("V bar").isEqualTo(128);
                }
            }
            // inside: the source's luma (BT.601, limited range) at the same place
            int inside = 0;
            for (int y = 0; y < 64; y += 3) {
                double sy = (y + 0.5) * 5;
                if (!awayFromStripeEdge(sy)) {
                    continue;
                }
                for (int x = 10; x < 56; x += 4) {
                    int si = ((int) sy * 240 + (int) ((x - 8 + 0.5) * 5)) * 3;
                    double expectedY = 16 + (65.481 * src.at(si) + 128.553 * src.at(si + 1)
                            + 24.966 * src.at(si + 2)) / 255;
                    assertThat(fy.at(y * 64 + x)).as("Y at (" + x + "," + y + ")")
                            .isCloseTo((int) Math.round(expectedY), within(12));
                    inside++;
                }
            }
            assertThat(inside).isGreaterThan(100);
        }
        assertThat(Files.exists(main.resolveSibling("stripes~fit.ring"))).isTrue();
    }

    @Test
    void eachOutputPublishesAtItsOwnRateAndFramesPairByCaptureTime() throws Exception {
        Path main = rings.ring("pair");
        Map<String, String> s = CaptureProcess.settings("pair", "testsrc:size=320x240:rate=25", main);
        s.put("slots", "16");
        s.put("fps", "10"); // the main output is capped too: detect's frames must be a subset of its frames
        s.put("outputs", "detect: 64x64 RGB24 fps=3 fit");
        CaptureProcess p = start(s);
        try (RingProbe all = RingProbe.open(main, p);
             RingProbe detect = RingProbe.open(CaptureOutput.ringPath(main, "detect"), p)) {
            detect.awaitPublished(6, RingProbe.STARTUP);
            assertThat(detect.reader().format()).isEqualTo(new FrameFormat(64, 64, PixelFormat.RGB24));
            assertThat(all.reader().format()).isEqualTo(new FrameFormat(320, 240, PixelFormat.BGR24));
            assertThat(detect.state()).isEqualTo(RingState.STREAMING);
            // one decode: both rings count the same decoded frames; the capped one drops what it does not publish
            var a = all.status();
            var d = detect.status();
            assertThat(d.decodedFrames()).isCloseTo(a.decodedFrames(), within(2L));
            assertThat(d.droppedFrames()).isGreaterThan(d.publishedSequence());
            assertThat(a.publishedSequence()).isGreaterThan(d.publishedSequence());

            for (int round = 0; round < 3; round++) {
                long after = detect.reader().publishedSequence();
                detect.awaitPublished(after + 1, SHORT);
                RingProbe.Frame small = detect.latest(SHORT);
                FrameInfo match = null;
                ByteBuffer dst = ByteBuffer.allocate((int) all.reader().format().frameBytes());
                long newest = all.reader().publishedSequence();
                for (long seq = newest; seq > Math.max(0, newest - 15) && match == null; seq--) {
                    dst.clear();
                    FrameInfo info = all.reader().readAfter(all.reader().generation(), seq - 1, dst);
                    if (info != null && info.sequence() == seq
                            && info.captureMonoNanos() == small.info().captureMonoNanos()) {
                        match = info;
                    }
                }
                assertThat(match).as("the full-size frame of the same decode as detect's " + small.info()).isNotNull();
                assertThat(match.captureEpochNanos()).isEqualTo(small.info().captureEpochNanos());
                assertThat(match.sourcePtsMicros()).isEqualTo(small.info().sourcePtsMicros());
                assertThat(match.sourceSequence()).as("the decoded picture's number, the same in both outputs")
                        .isEqualTo(small.info().sourceSequence()).isPositive();
            }
        }
    }

    /** Rows of the 320-row rgbtestsrc this far from a stripe edge have one colour in every scaled picture. */
    private static boolean awayFromStripeEdge(double sourceRow) {
        double edge = 320 / 6.0;
        double into = sourceRow % edge;
        return into > 7 && into < edge - 7;
    }

    private static void assertRgbLike(RingProbe.Frame f, int x, int y, RingProbe.Frame src, double sx, double sy) {
        int w = f.info().format().width();
        int sw = src.info().format().width();
        int i = (y * w + x) * 3;
        int si = ((int) sy * sw + (int) sx) * 3;
        for (int k = 0; k < 3; k++) {
            assertThat(f.at(i + k)).as("channel " + k + " at (" + x + "," + y + ") vs source (" + (int) sx + ","
                    + (int) sy + ")").isCloseTo(src.at(si + k), within(24));
        }
    }

    private static void assertRgb(RingProbe.Frame f, int x, int y, int r, int g, int b, int tolerance, String what) {
        int i = (y * f.info().format().width() + x) * 3;
        assertThat(new int[] {f.at(i), f.at(i + 1), f.at(i + 2)}).as(what + " at (" + x + "," + y + ")")
                .satisfies(px -> {
                    assertThat(px[0]).isCloseTo(r, within(tolerance));
                    assertThat(px[1]).isCloseTo(g, within(tolerance));
                    assertThat(px[2]).isCloseTo(b, within(tolerance));
                });
    }
}
