package io.framebus.web.internal;

import io.framebus.manager.image.FrameImages;

import io.framebus.api.Frame;
import io.framebus.api.FrameInfo;
import io.framebus.api.FrameSource;
import java.awt.image.BufferedImage;
import java.util.Optional;

/** Takes the newest frame of a source as an image, converting straight from shared memory. */
final class FrameGrabber {
    /** A converted frame. */
    record Grab(FrameInfo info, BufferedImage image) {
    }

    /** Returned when the newest frame is the one the caller already has. */
    static final Grab SAME = new Grab(null, null);

    /** Zero-copy reads that may be overwritten mid-conversion before falling back to a copy. */
    private static final int ZERO_COPY_ATTEMPTS = 3;

    private FrameGrabber() {
    }

    /**
     * @param maxWidth  scale down (by an integer step) to at most this width; 0 = full size
     * @param unlessSameAs the frame the caller has; {@link #SAME} is returned when it is still the newest
     * @return the image, {@link #SAME}, or null when the source has no frame
     */
    static Grab grab(FrameSource source, int maxWidth, FrameInfo unlessSameAs) {
        for (int attempt = 0; attempt < ZERO_COPY_ATTEMPTS; attempt++) {
            Grab[] out = new Grab[1];
            boolean intact = source.readLatest((info, pixels) -> {
                if (same(info, unlessSameAs)) {
                    out[0] = SAME;
                } else {
                    out[0] = new Grab(info, FrameImages.toImage(info.format(), pixels,
                            FrameImages.stepFor(info.format(), maxWidth)));
                }
            });
            if (out[0] == null) {
                return null; // the visitor was not called: no frame
            }
            if (intact) {
                return out[0];
            }
            // the writer lapped us during the conversion: what we converted may be torn, try the newer frame
        }
        Optional<Frame> copy = source.latest(); // a validated private copy: slower, never torn
        if (copy.isEmpty()) {
            return null;
        }
        try (Frame f = copy.get()) {
            if (same(f.info(), unlessSameAs)) {
                return SAME;
            }
            int step = FrameImages.stepFor(f.format(), maxWidth);
            return new Grab(f.info(), FrameImages.toImage(f.format(), f.pixels(), step));
        }
    }

    private static boolean same(FrameInfo a, FrameInfo b) {
        return b != null && a.generation() == b.generation() && a.sequence() == b.sequence()
                && a.cameraId().equals(b.cameraId());
    }
}
