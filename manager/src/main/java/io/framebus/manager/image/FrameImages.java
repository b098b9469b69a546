package io.framebus.manager.image;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Frames to JPEG with the JDK's ImageIO. Reads the pixels where they are (a zero-copy view of the ring slot is fine)
 * and only every {@code step}-th pixel of every {@code step}-th row, so a thumbnail of a 1920x1080 frame touches one
 * pixel in 36 and converts nothing else.
 *
 * <p>BGR24/RGB24/GRAY8 are byte copies; YUV420P and NV12 are converted as BT.601 limited-range YUV 4:2:0. Used by
 * the shell's {@code framebus:snapshot} and by the web bundle's snapshots and previews.
 */
public final class FrameImages {
    private FrameImages() {
    }

    /** The decimation step that makes a frame at most {@code maxWidth} wide; 1 for full size (maxWidth <= 0). */
    public static int stepFor(FrameFormat f, int maxWidth) {
        if (maxWidth <= 0 || f.width() <= maxWidth) {
            return 1;
        }
        return (f.width() + maxWidth - 1) / maxWidth;
    }

    /** Width or height of the image that {@code step} makes of a frame {@code size} pixels wide or high. */
    public static int scaled(int size, int step) {
        return (size + step - 1) / step;
    }

    /** The frame as an image, taking the pixel at (x*step, y*step) for each output pixel. */
    public static BufferedImage toImage(FrameFormat f, ByteBuffer src, int step) {
        if (step < 1) {
            throw new IllegalArgumentException("step must be at least 1: " + step);
        }
        int w = f.width();
        int h = f.height();
        int ow = scaled(w, step);
        int oh = scaled(h, step);
        ByteBuffer px = src.slice(); // the frame starts at src's position
        PixelFormat pf = f.pixelFormat();
        BufferedImage img = new BufferedImage(ow, oh,
                pf == PixelFormat.GRAY8 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        byte[] d = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        switch (pf) {
            case GRAY8 -> packed(px, d, w, ow, oh, step, 1, false);
            case BGR24 -> packed(px, d, w, ow, oh, step, 3, false);
            case RGB24 -> packed(px, d, w, ow, oh, step, 3, true);
            case YUV420P, NV12 -> yuv(px, d, w, h, ow, oh, step, pf == PixelFormat.NV12);
        }
        return img;
    }

    /** JPEG bytes of an image; quality 0..1. */
    public static byte[] jpeg(BufferedImage img, float quality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("this JVM has no ImageIO JPEG writer");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(4096, img.getWidth() * img.getHeight() / 4));
        // a memory cache: ImageIO's default for plain streams is a temporary file per image
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // memory only: cannot happen short of a JDK bug
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static void packed(ByteBuffer px, byte[] d, int w, int ow, int oh, int step, int bpp, boolean swapRb) {
        if (step == 1) {
            px.get(d, 0, d.length);
        } else {
            int i = 0;
            for (int y = 0; y < oh; y++) {
                int row = y * step * w * bpp;
                for (int x = 0; x < ow; x++) {
                    int s = row + x * step * bpp;
                    for (int b = 0; b < bpp; b++) {
                        d[i++] = px.get(s + b);
                    }
                }
            }
        }
        if (swapRb) {
            for (int i = 0; i < d.length; i += 3) {
                byte r = d[i];
                d[i] = d[i + 2];
                d[i + 2] = r;
            }
        }
    }

    /** BT.601 limited-range YUV 4:2:0, planar (U plane then V plane) or NV12 (interleaved U/V), to BGR. */
    private static void yuv(ByteBuffer px, byte[] d, int w, int h, int ow, int oh, int step, boolean nv12) {
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        int uBase = w * h;
        int vBase = uBase + cw * ch;
        int i = 0;
        for (int oy = 0; oy < oh; oy++) {
            int y = oy * step;
            for (int ox = 0; ox < ow; ox++) {
                int x = ox * step;
                int c = (y / 2) * cw + x / 2;
                int yy = (px.get(y * w + x) & 0xff) - 16;
                int u = (nv12 ? px.get(uBase + 2 * c) : px.get(uBase + c)) & 0xff;
                int v = (nv12 ? px.get(uBase + 2 * c + 1) : px.get(vBase + c)) & 0xff;
                u -= 128;
                v -= 128;
                d[i++] = (byte) clamp((298 * yy + 516 * u + 128) >> 8);
                d[i++] = (byte) clamp((298 * yy - 100 * u - 208 * v + 128) >> 8);
                d[i++] = (byte) clamp((298 * yy + 409 * v + 128) >> 8);
            }
        }
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(255, v);
    }
}
