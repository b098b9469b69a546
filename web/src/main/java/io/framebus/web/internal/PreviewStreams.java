package io.framebus.web.internal;

import java.util.concurrent.CountDownLatch;
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
    private final double maxFps;
    private final int maxWidth;
    private final int maxStreams;
    private final float jpegQuality;
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
