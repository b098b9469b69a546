package io.framebus.manager.internal;

import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Frames as PNG or JPEG images (ImageIO from the JDK: no extra library). */
final class Snapshots {
    private Snapshots() {
    }

    /** The image format for a file name: "png" or "jpeg". */
    static String formatFor(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".png")) {
            return "png";
        }
        if (lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
            return "jpeg";
        }
        throw new IllegalArgumentException("snapshot file must end in .png, .jpg or .jpeg: " + fileName);
    }

    static void write(FrameInfo info, ByteBuffer pixels, String imageFormat, OutputStream out) throws IOException {
        if (!ImageIO.write(toImage(info.format(), pixels), imageFormat, out)) {
            throw new IOException("no ImageIO writer for " + imageFormat);
        }
    }

    static BufferedImage toImage(FrameFormat f, ByteBuffer src) {
        int w = f.width();
        int h = f.height();
        ByteBuffer px = src.duplicate();
        switch (f.pixelFormat()) {
            case GRAY8: {
                BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
                px.get(((DataBufferByte) img.getRaster().getDataBuffer()).getData(), 0, w * h);
                return img;
            }
            case BGR24: {
                BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
                px.get(((DataBufferByte) img.getRaster().getDataBuffer()).getData(), 0, w * h * 3);
                return img;
            }
            case RGB24: {
                BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
                byte[] d = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
                px.get(d, 0, w * h * 3);
                for (int i = 0; i < d.length; i += 3) {
                    byte r = d[i];
                    d[i] = d[i + 2];
                    d[i + 2] = r;
                }
                return img;
            }
            default:
                return fromYuv(f, px);
        }
    }

    /** BT.601 limited-range YUV 4:2:0 (planar or NV12) to BGR. */
    private static BufferedImage fromYuv(FrameFormat f, ByteBuffer px) {
        int w = f.width();
        int h = f.height();
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        boolean nv12 = f.pixelFormat() == io.framebus.api.PixelFormat.NV12;
        int uBase = w * h;
        int vBase = uBase + cw * ch;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] d = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int c = (y / 2) * cw + x / 2;
                int yy = (px.get(y * w + x) & 0xff) - 16;
                int u = (nv12 ? px.get(uBase + 2 * c) : px.get(uBase + c)) & 0xff;
                int v = (nv12 ? px.get(uBase + 2 * c + 1) : px.get(vBase + c)) & 0xff;
                u -= 128;
                v -= 128;
                int r = clamp((298 * yy + 409 * v + 128) >> 8);
                int g = clamp((298 * yy - 100 * u - 208 * v + 128) >> 8);
                int b = clamp((298 * yy + 516 * u + 128) >> 8);
                int i = (y * w + x) * 3;
                d[i] = (byte) b;
                d[i + 1] = (byte) g;
                d[i + 2] = (byte) r;
            }
        }
        return img;
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(255, v);
    }
}
