package io.framebus.manager.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameImagesTest {
    /** A 4x2 frame: red, green, blue, white / black, gray, yellow, cyan. */
    private static final int[][] RGB = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255},
            {0, 0, 0}, {128, 128, 128}, {255, 255, 0}, {0, 255, 255}};

    private static ByteBuffer packed(boolean bgr) {
        ByteBuffer b = ByteBuffer.allocate(RGB.length * 3);
        for (int[] p : RGB) {
            if (bgr) {
                b.put((byte) p[2]).put((byte) p[1]).put((byte) p[0]);
            } else {
                b.put((byte) p[0]).put((byte) p[1]).put((byte) p[2]);
            }
        }
        return b.flip();
    }

    private static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xffffff;
    }

    private static int rgb(int[] p) {
        return p[0] << 16 | p[1] << 8 | p[2];
    }

    @Test
    void bgrAndRgbGiveTheSamePicture() {
        for (boolean bgr : new boolean[] {true, false}) {
            FrameFormat f = new FrameFormat(4, 2, bgr ? PixelFormat.BGR24 : PixelFormat.RGB24);
            BufferedImage img = FrameImages.toImage(f, packed(bgr), 1);
            assertThat(img.getWidth()).isEqualTo(4);
            assertThat(img.getHeight()).isEqualTo(2);
            for (int i = 0; i < RGB.length; i++) {
                assertThat(rgb(img, i % 4, i / 4)).as(f + " pixel " + i).isEqualTo(rgb(RGB[i]));
            }
        }
    }

    @Test
    void decimationTakesEveryStepthPixelOfEveryStepthRow() {
        BufferedImage img = FrameImages.toImage(new FrameFormat(4, 2, PixelFormat.BGR24), packed(true), 2);
        assertThat(img.getWidth()).isEqualTo(2);
        assertThat(img.getHeight()).isEqualTo(1);
        assertThat(rgb(img, 0, 0)).isEqualTo(rgb(RGB[0]));
        assertThat(rgb(img, 1, 0)).isEqualTo(rgb(RGB[2]));

        BufferedImage odd = FrameImages.toImage(new FrameFormat(4, 2, PixelFormat.RGB24), packed(false), 3);
        assertThat(odd.getWidth()).isEqualTo(2);
        assertThat(rgb(odd, 1, 0)).isEqualTo(rgb(RGB[3]));
    }

    @Test
    void grayStaysGray() {
        ByteBuffer px = ByteBuffer.wrap(new byte[] {0, 64, (byte) 128, (byte) 255, 10, 20, 30, 40, 50, 60, 70, 80});
        BufferedImage img = FrameImages.toImage(new FrameFormat(4, 3, PixelFormat.GRAY8), px, 1);
        assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        assertThat(img.getRaster().getSample(3, 0, 0)).isEqualTo(255);
        assertThat(img.getRaster().getSample(1, 2, 0)).isEqualTo(60);
        BufferedImage half = FrameImages.toImage(new FrameFormat(4, 3, PixelFormat.GRAY8), px, 2);
        assertThat(half.getWidth()).isEqualTo(2);
        assertThat(half.getHeight()).isEqualTo(2);
        assertThat(half.getRaster().getSample(1, 1, 0)).isEqualTo(70);
    }

    @ParameterizedTest
    @CsvSource({"YUV420P, 5, 3", "NV12, 5, 3", "YUV420P, 6, 4", "NV12, 2, 2"})
    void yuvMatchesBt601LimitedRange(PixelFormat format, int w, int h) {
        // uniform colour: Y=81 U=90 V=240 is BT.601 limited-range red (255, 0, 0) within rounding
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        ByteBuffer px = ByteBuffer.allocate((int) format.frameBytes(w, h));
        for (int i = 0; i < w * h; i++) {
            px.put((byte) 81);
        }
        for (int i = 0; i < cw * ch; i++) {
            if (format == PixelFormat.NV12) {
                px.put((byte) 90).put((byte) 240);
            }
        }
        if (format == PixelFormat.YUV420P) {
            for (int i = 0; i < cw * ch; i++) {
                px.put((byte) 90);
            }
            for (int i = 0; i < cw * ch; i++) {
                px.put((byte) 240);
            }
        }
        px.flip();
        for (int step : new int[] {1, 2}) {
            BufferedImage img = FrameImages.toImage(new FrameFormat(w, h, format), px, step);
            assertThat(img.getWidth()).isEqualTo(FrameImages.scaled(w, step));
            assertThat(img.getHeight()).isEqualTo(FrameImages.scaled(h, step));
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    int c = rgb(img, x, y);
                    assertThat(c >> 16).as("red").isGreaterThan(250);
                    assertThat(c >> 8 & 0xff).as("green").isLessThan(5);
                    assertThat(c & 0xff).as("blue").isLessThan(5);
                }
            }
        }
    }

    @Test
    void readsFromTheBuffersPositionAndLeavesItAlone() {
        ByteBuffer withHeader = ByteBuffer.allocate(5 + 24);
        withHeader.position(5);
        withHeader.put(packed(true));
        withHeader.position(5);
        BufferedImage img = FrameImages.toImage(new FrameFormat(4, 2, PixelFormat.BGR24), withHeader, 1);
        assertThat(rgb(img, 3, 1)).isEqualTo(rgb(RGB[7]));
        assertThat(withHeader.position()).isEqualTo(5);
    }

    @Test
    void stepKeepsImagesAtMostTheAskedWidth() {
        FrameFormat hd = new FrameFormat(1920, 1080, PixelFormat.BGR24);
        assertThat(FrameImages.stepFor(hd, 0)).isEqualTo(1);
        assertThat(FrameImages.stepFor(hd, 4000)).isEqualTo(1);
        assertThat(FrameImages.stepFor(hd, 1920)).isEqualTo(1);
        assertThat(FrameImages.stepFor(hd, 640)).isEqualTo(3);
        assertThat(FrameImages.stepFor(hd, 320)).isEqualTo(6);
        assertThat(FrameImages.stepFor(hd, 300)).isEqualTo(7);
        for (int max : new int[] {16, 100, 300, 320, 641, 959, 960, 1919}) {
            assertThat(FrameImages.scaled(1920, FrameImages.stepFor(hd, max))).as("max " + max).isLessThanOrEqualTo(max);
        }
    }

    @Test
    void jpegDecodesToTheSameSize() throws Exception {
        BufferedImage img = FrameImages.toImage(new FrameFormat(4, 2, PixelFormat.BGR24), packed(true), 1);
        byte[] jpeg = FrameImages.jpeg(img, 0.9f);
        assertThat(jpeg[0] & 0xff).isEqualTo(0xff);
        assertThat(jpeg[1] & 0xff).isEqualTo(0xd8);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertThat(back.getWidth()).isEqualTo(4);
        assertThat(back.getHeight()).isEqualTo(2);
    }
}
