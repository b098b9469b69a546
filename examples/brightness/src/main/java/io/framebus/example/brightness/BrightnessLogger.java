package io.framebus.example.brightness;

import io.framebus.api.FrameInfo;
import io.framebus.api.FrameSource;
import io.framebus.api.PixelFormat;
import io.framebus.api.Subscription;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * How to consume framebus frames: bind to {@link FrameSource} services as they come and go (dynamic, multiple),
 * subscribe, and do something with each frame, here: log the mean brightness of every camera every few seconds.
 *
 * <p>To watch only some cameras, set the standard DS target property in this component's configuration
 * ({@code io.framebus.example.brightness.cfg}): {@code FrameSource.target=(camera.id=front)}.
 */
@Component(immediate = true, configurationPid = "io.framebus.example.brightness",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = BrightnessLogger.Config.class)
public final class BrightnessLogger {

    @ObjectClassDefinition(id = "io.framebus.example.brightness", name = "framebus example: brightness logger")
    @interface Config {
        @AttributeDefinition(name = "Log interval (s)", description = "Seconds between two log lines per camera.", min = "1")
        int intervalSeconds() default 5;
    }

    private final Map<FrameSource, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final Map<String, Long> lastLogNanos = new ConcurrentHashMap<>();
    // one thread for all cameras: the analysis is cheap; a heavy consumer would use a pool
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "brightness-logger"));

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private volatile long intervalNanos;

    @Activate
    void activate(Config config) {
        intervalNanos = config.intervalSeconds() * 1_000_000_000L;
    }

    @Deactivate
    void deactivate() {
        subscriptions.values().forEach(Subscription::close);
        worker.shutdownNow();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFrameSource(FrameSource source) {
        log.info("watching camera {}", source.id());
        subscriptions.put(source, source.subscribe(frame -> {
            try (frame) { // closing lets framebus reuse the frame's memory for the next one
                long now = System.nanoTime();
                Long last = lastLogNanos.get(frame.cameraId());
                if (last != null && now - last < intervalNanos) {
                    return; // the subscription always hands us the newest frame; we just look at few of them
                }
                lastLogNanos.put(frame.cameraId(), now);
                log.info("camera {} brightness {} (frame {}, {}, {} ms old)", frame.cameraId(),
                        String.format(java.util.Locale.ROOT, "%.1f", meanBrightness(frame.info(), frame.pixels())),
                        frame.sequence(), frame.format(), frame.age().toMillis());
            }
        }, worker));
    }

    void removeFrameSource(FrameSource source) {
        Subscription s = subscriptions.remove(source);
        if (s != null) {
            s.close();
        }
        log.info("camera {} is gone", source.id());
    }

    /** Mean luma (0-255) over a sparse grid of pixels: enough to tell a dark scene from a bright one. */
    static double meanBrightness(FrameInfo info, ByteBuffer px) {
        int w = info.format().width();
        int h = info.format().height();
        PixelFormat pf = info.format().pixelFormat();
        int bytesPerPixel = pf == PixelFormat.BGR24 || pf == PixelFormat.RGB24 ? 3 : 1;
        long sum = 0;
        int n = 0;
        for (int y = 0; y < h; y += 8) {
            for (int x = 0; x < w; x += 8) {
                int i = (y * w + x) * bytesPerPixel;
                if (bytesPerPixel == 3) {
                    sum += ((px.get(i) & 0xff) + (px.get(i + 1) & 0xff) + (px.get(i + 2) & 0xff)) / 3;
                } else {
                    sum += px.get(i) & 0xff; // GRAY8, and the Y plane of YUV420P/NV12
                }
                n++;
            }
        }
        return n == 0 ? 0 : (double) sum / n;
    }
}
