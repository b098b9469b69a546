package io.framebus.web.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The image limits and the MJPEG streams being served: a stream takes a slot for as long as its client stays. When
 * this component goes away (configuration change, bundle stop) no new stream starts and running ones end.
 */
@Component(service = PreviewStreams.class, configurationPid = PreviewConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PreviewConfig.class)
public final class PreviewStreams {
    /** The slowest preview: a frame at least every 2 s, as often as the keep-alive that finds a client gone. */
    static final double MIN_PREVIEW_FPS = 0.5;
    private final double maxFps;
    private final int maxWidth;
    private final int maxStreams;
    private final float jpegQuality;
    private final int snapshotMaxWidth;
    /** Snapshots being encoded: each holds a full-size frame and a JPEG encoder for its duration. */
    private final Semaphore snapshots;
    private final AtomicInteger active = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    @Activate
    public PreviewStreams(PreviewConfig config) {
        if (!(config.maxFps() > 0) || config.maxWidth() < 16 || config.maxStreams() < 0
                || config.jpegQuality() < 10 || config.jpegQuality() > 100) {
            throw new IllegalArgumentException(PreviewConfig.PID + ": maxFps must be > 0, maxWidth >= 16, "
                    + "maxStreams >= 0 and jpegQuality 10-100; got " + config.maxFps() + ", " + config.maxWidth()
                    + ", " + config.maxStreams() + ", " + config.jpegQuality());
        }
        if (config.snapshotMaxWidth() < 16 || config.maxSnapshots() < 1) {
            throw new IllegalArgumentException(PreviewConfig.PID + ": snapshotMaxWidth must be >= 16 and "
                    + "maxSnapshots >= 1; got " + config.snapshotMaxWidth() + ", " + config.maxSnapshots());
        }
        snapshotMaxWidth = config.snapshotMaxWidth();
        snapshots = new Semaphore(config.maxSnapshots());
        maxFps = config.maxFps();
        maxWidth = config.maxWidth();
        maxStreams = config.maxStreams();
        jpegQuality = config.jpegQuality() / 100f;
    }

    @Deactivate
    void deactivate() {
        closed.countDown();
    }

    /** A claimed stream slot; close it when the stream ends. */
    final class Slot implements AutoCloseable {
        private boolean released;

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                active.decrementAndGet();
            }
        }
    }

    /** @return a slot, or null when {@code maxStreams} streams are running */
    Slot open() {
        while (true) {
            int n = active.get();
            if (n >= maxStreams || closed.getCount() == 0) {
                return null;
            }
            if (active.compareAndSet(n, n + 1)) {
                return new Slot();
            }
        }
    }

    /**
     * The frame interval of a preview a client asked {@code requestedFps} for: at most {@code maxFps}, at least
     * {@link #MIN_PREVIEW_FPS} (or maxFps if that is lower). A tiny rate would hold a stream slot and its thread for
     * ages between frames (1e-9 fps) or overflow the interval into a busy loop (1e-300 fps).
     *
     * @return the interval in nanoseconds, or -1 for a rate that is no positive number
     */
    long previewIntervalNanos(double requestedFps) {
        if (!(requestedFps > 0)) {
            return -1; // 0, negative, NaN
        }
        double rate = Math.max(Math.min(MIN_PREVIEW_FPS, maxFps), Math.min(requestedFps, maxFps));
        return (long) (TimeUnit.SECONDS.toNanos(1) / rate);
    }

    /** The width a snapshot is scaled down to: what the client asked for ({@code <= 0}: nothing), at most the limit. */
    int snapshotWidth(int requested) {
        return requested <= 0 ? snapshotMaxWidth : Math.min(requested, snapshotMaxWidth);
    }

    /** @return true if a snapshot may be encoded now; then {@link #snapshotDone()} when it is */
    boolean startSnapshot() {
        return snapshots.tryAcquire();
    }

    void snapshotDone() {
        snapshots.release();
    }

    /** Streams running now. */
    int active() {
        return active.get();
    }

    boolean closing() {
        return closed.getCount() == 0;
    }

    double maxFps() {
        return maxFps;
    }

    int maxWidth() {
        return maxWidth;
    }

    float jpegQuality() {
        return jpegQuality;
    }
}
