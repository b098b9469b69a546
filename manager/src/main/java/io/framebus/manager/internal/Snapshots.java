package io.framebus.manager.internal;

import io.framebus.api.FrameInfo;
import io.framebus.manager.image.FrameImages;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Frames as PNG or JPEG files for {@code framebus:snapshot}. */
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
        if (imageFormat.equals("jpeg")) {
            out.write(FrameImages.jpeg(FrameImages.toImage(info.format(), pixels, 1), 0.9f));
        } else if (!ImageIO.write(FrameImages.toImage(info.format(), pixels, 1), imageFormat, out)) {
            throw new IOException("no ImageIO writer for " + imageFormat);
        }
    }
}
