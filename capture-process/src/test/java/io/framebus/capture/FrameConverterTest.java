package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import java.nio.ByteBuffer;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The conversion into ring memory, with the real swscale on real decoded frames (FFmpeg's lavfi sources): exact
 * plane layout, colours, and never a byte written past the frame (a slot's payload can end right where the next
 * slot's lock word begins).
 */
class FrameConverterTest {
    private static final int GUARD = 4096;
    private static final byte GUARD_BYTE = (byte) 0xA5;

    @BeforeAll
    static void natives() throws Exception {
        FFmpegFrameGrabber.tryLoad();
        org.bytedeco.ffmpeg.global.avutil.av_log_set_level(org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR);
    }

    /** Decodes one frame of a lavfi graph and converts it into a slot followed by a guard area. */
    private static ByteBuffer convert(String graph, FrameFormat out) throws Exception {
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(graph);
        g.setFormat("lavfi");
        g.setImageMode(FrameGrabber.ImageMode.RAW);
        g.start();
        try (FrameConverter converter = new FrameConverter()) {
            Frame f = g.grabImage();
            AVFrame av = (AVFrame) f.opaque;
            int bytes = (int) out.frameBytes();
            ByteBuffer memory = ByteBuffer.allocateDirect(bytes + GUARD);
            for (int i = 0; i < memory.capacity(); i++) {
                memory.put(i, GUARD_BYTE);
            }
            ByteBuffer slot = memory.slice(0, bytes);
            converter.convert(av, out, slot);
            // a second frame through the cached context, as in the capture loop
            converter.convert((AVFrame) g.grabImage().opaque, out, slot);
            for (int i = bytes; i < memory.capacity(); i++) {
                assertThat(memory.get(i)).as("byte %d past a %d-byte %s frame", i - bytes, bytes, out)
                        .isEqualTo(GUARD_BYTE);
            }
            return slot;
        } finally {
            g.release();
        }
    }

    private static int u(ByteBuffer b, int index) {
        return b.get(index) & 0xFF;
    }

    @ParameterizedTest(name = "{0} from {1}, {2}x{3} -> {4}x{5}")
    @CsvSource({
        "BGR24,   yuv420p, 64, 48, 64, 48",
        "BGR24,   yuv420p, 33, 17, 33, 17",
        "BGR24,   rgb24,   33, 17, 61, 23",
        "RGB24,   nv12,    64, 48, 31, 15",
        "GRAY8,   yuv420p, 33, 17, 33, 17",
        "YUV420P, yuv420p, 33, 17, 33, 17",
        "YUV420P, rgb24,   64, 48, 17, 9",
        "NV12,    yuv420p, 33, 17, 33, 17",
        "NV12,    gray,    64, 48, 95, 31",
        // 1280x720 BGR: 128 + 2764800 is a multiple of 4096, the payload ends exactly at the next slot
        "BGR24,   yuv420p, 320, 180, 1280, 720",
    })
    void convertsIntoExactlyTheFrameAndNothingBeyond(PixelFormat format, String srcFormat, int sw, int sh, int w,
                                                      int h) throws Exception {
        FrameFormat out = new FrameFormat(w, h, format);
        String color = srcFormat.equals("gray") ? "white" : "red";
        ByteBuffer slot = convert("color=c=" + color + ":size=" + sw + "x" + sh + ":rate=25,format=" + srcFormat, out);
        int last = w * h - 1;
        switch (format) {
            case BGR24 -> {
                for (int px : new int[] {0, last}) {
                    assertThat(u(slot, px * 3)).isCloseTo(0, within(6));
                    assertThat(u(slot, px * 3 + 2)).isCloseTo(255, within(6));
                }
            }
            case RGB24 -> {
                assertThat(u(slot, last * 3)).isCloseTo(255, within(6));
                assertThat(u(slot, last * 3 + 2)).isCloseTo(0, within(6));
            }
            case GRAY8 -> assertThat(u(slot, last)).isCloseTo(76, within(8));
            case YUV420P -> {
                int cw = (w + 1) / 2;
                int ch = (h + 1) / 2;
                assertThat(u(slot, last)).as("Y").isCloseTo(81, within(6));
                assertThat(u(slot, w * h + cw * ch - 1)).as("last U").isCloseTo(90, within(6));
                assertThat(u(slot, w * h + 2 * cw * ch - 1)).as("last V").isCloseTo(240, within(6));
            }
            case NV12 -> {
                int cw = (w + 1) / 2;
                int ch = (h + 1) / 2;
                int white = color.equals("white") ? 1 : 0;
                assertThat(u(slot, last)).as("Y").isCloseTo(white == 1 ? 235 : 81, within(6));
                assertThat(u(slot, w * h + 2 * cw * ch - 2)).as("last U").isCloseTo(white == 1 ? 128 : 90, within(6));
                assertThat(u(slot, w * h + 2 * cw * ch - 1)).as("last V").isCloseTo(white == 1 ? 128 : 240, within(6));
            }
        }
    }

    @Test
    void fullRangeSourcesAreNotWashedOut() throws Exception {
        // dark grey: limited-range decoding of full-range data would make it 56 instead of 64
        ByteBuffer slot = convert("color=c=0x404040:size=32x32:rate=25,format=yuvj420p",
                new FrameFormat(32, 32, PixelFormat.BGR24));
        assertThat(u(slot, 0)).isCloseTo(64, within(3));
        assertThat(u(slot, 32 * 32 * 3 - 1)).isCloseTo(64, within(3));
    }

    @Test
    void aSlotTooSmallIsRefused() throws Exception {
        FFmpegFrameGrabber g = new FFmpegFrameGrabber("color=c=red:size=16x16:rate=25");
        g.setFormat("lavfi");
        g.setImageMode(FrameGrabber.ImageMode.RAW);
        g.start();
        try (FrameConverter converter = new FrameConverter()) {
            AVFrame av = (AVFrame) g.grabImage().opaque;
            assertThatThrownBy(() -> converter.convert(av, new FrameFormat(16, 16, PixelFormat.BGR24),
                    ByteBuffer.allocateDirect(100))).isInstanceOf(FrameConverter.ConversionException.class);
        } finally {
            g.release();
        }
    }
}
