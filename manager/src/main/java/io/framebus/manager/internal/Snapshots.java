package io.framebus.manager.internal;

import io.framebus.api.FrameInfo;
import io.framebus.manager.image.FrameImages;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    /**
     * Opens the snapshot file for writing, never through a symbolic link: the runtime often runs as a service user
     * (or root), and a link planted where the file is to go (/tmp/snap.png -> a file of that user) would make the
     * command overwrite the link's target. Parent directories may be links; the file itself may not.
     */
    static OutputStream open(Path file) throws IOException {
        if (Files.isSymbolicLink(file)) {
            throw new IOException("refusing to write the snapshot through a symbolic link: " + file);
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("not a regular file: " + file);
        }
        try {
            // O_NOFOLLOW: a link created between the check above and the open fails here too
            return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (FileSystemException e) {
            if (Files.isSymbolicLink(file)) {
                throw new IOException("refusing to write the snapshot through a symbolic link: " + file, e);
            }
            throw e;
        }
    }

    static void write(FrameInfo info, ByteBuffer pixels, String imageFormat, OutputStream out) throws IOException {
        if (imageFormat.equals("jpeg")) {
            out.write(FrameImages.jpeg(FrameImages.toImage(info.format(), pixels, 1), 0.9f));
        } else if (!ImageIO.write(FrameImages.toImage(info.format(), pixels, 1), imageFormat, out)) {
            throw new IOException("no ImageIO writer for " + imageFormat);
        }
    }
}
