package io.framebus.e2e;

import io.framebus.api.Frame;
import io.framebus.api.FrameInfo;
import io.framebus.api.FrameSource;
import io.framebus.api.Subscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The benchmark's consumer: subscribes to every {@link FrameSource} as it comes and goes and records, per camera,
 * frames received, capture-to-callback latency ({@code System.nanoTime()} in the callback minus
 * {@link FrameInfo#captureMonoNanos()}, which is taken when the capture process has decoded the frame, before the
 * conversion: so it is capture-to-consumer, conversion, publish, doorbell, copy and hand-off included), the
 * publish-to-callback part of it (when the ring directory is configured, from the slot's publish time), the age of
 * the newest frame sampled every few milliseconds, and the first frame of every generation. Every interval it
 * writes a {@link RecorderSummary} to {@code outputFile} (atomically: a temporary file renamed over it).
 *
 * <p>Only active with a configuration {@code io.framebus.e2e.recorder} (a file
 * {@code conf/io.framebus.e2e.recorder.cfg} in the Felix distribution) that names the output file.
 */
@Component(immediate = true, configurationPid = LatencyRecorder.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = LatencyRecorder.Config.class)
public final class LatencyRecorder {
    public static final String PID = "io.framebus.e2e.recorder";

    @ObjectClassDefinition(id = PID, name = "framebus e2e latency recorder")
    public @interface Config {
        @AttributeDefinition(description = "File the summary is written to (absolute path).")
        String outputFile();

        @AttributeDefinition(description = "The manager's ring directory: enables publish-to-callback latency.", required = false)
        String ringDirectory() default "";

        @AttributeDefinition(description = "Milliseconds between two summaries.", min = "100")
        int intervalMillis() default 1000;

        @AttributeDefinition(description = "Milliseconds between two samples of every camera's newest frame age.", min = "1")
        int ageSampleMillis() default 20;

        @AttributeDefinition(description = "Subscribe with a direct executor: the callback runs on the camera's "
                + "delivery thread (one thread hand-off less), instead of a thread pool.")
        boolean directDelivery() default false;

        @AttributeDefinition(description = "Subscribe in place (FrameSource.subscribeInPlace): no copy of each frame "
                + "into the runtime's heap; the recorder reads only the metadata either way.")
        boolean inPlace() default false;

        @AttributeDefinition(description = "If set, one line per frame is appended to this file: camera, generation, "
                + "sequence, capture, publish (0 if unknown) and callback System.nanoTime().", required = false)
        String traceFile() default "";
    }

    /** One camera's figures; guarded by its own monitor (callbacks of one camera are serialised anyway). */
    static final class CameraStats {
        final String id;
        PublishTimes publishTimes;
        boolean bound;
        long frames;
        long gaps;
        long generation = -1;
        long sequence = -1;
        long lastCallbackEpochMillis;
        long lastCaptureMonoNanos;
        final List<RecorderSummary.GenerationStart> generations = new ArrayList<>();
        final LogHistogram captureToCallback = new LogHistogram();
        final LogHistogram publishToCallback = new LogHistogram();
        final LogHistogram captureToPublish = new LogHistogram();
        final LogHistogram age = new LogHistogram();

        CameraStats(String id, PublishTimes publishTimes) {
            this.id = id;
            this.publishTimes = publishTimes;
        }

        /** The publish time of the last frame seen by {@link #onFrame}, 0 if unknown (for the trace). */
        long lastPublishMonoNanos;

        synchronized void onFrame(FrameInfo info, long nowNanos, long nowEpochMillis) {
            frames++;
            if (info.generation() != generation) {
                generations.add(new RecorderSummary.GenerationStart(info.generation(), nowEpochMillis,
                        info.captureEpochNanos() / 1_000_000));
                generation = info.generation();
            } else if (info.sequence() > sequence + 1) {
                gaps += info.sequence() - sequence - 1;
            }
            sequence = info.sequence();
            lastCallbackEpochMillis = nowEpochMillis;
            lastCaptureMonoNanos = info.captureMonoNanos();
            captureToCallback.record((nowNanos - info.captureMonoNanos()) / 1000);
            lastPublishMonoNanos = 0;
            if (publishTimes != null) {
                long published = publishTimes.publishMonoNanos(info.generation(), info.sequence());
                if (published > 0) {
                    lastPublishMonoNanos = published;
                    publishToCallback.record((nowNanos - published) / 1000);
                    captureToPublish.record((published - info.captureMonoNanos()) / 1000);
                }
            }
        }

        synchronized void sampleAge(long nowNanos) {
            if (frames > 0) {
                age.record((nowNanos - lastCaptureMonoNanos) / 1000);
            }
        }

        /** From the camera's FrameSource status, refreshed by the summary timer. */
        long decoded;
        long published;
        long restarts;

        synchronized RecorderSummary.Camera snapshot() {
            return new RecorderSummary.Camera(id, bound, frames, gaps, generation, sequence, lastCallbackEpochMillis,
                    lastCaptureMonoNanos, List.copyOf(generations), Map.of(
                            "captureToCallback", captureToCallback.copy(), "publishToCallback", publishToCallback.copy(),
                            "captureToPublish", captureToPublish.copy(), "age", age.copy()), decoded, published, restarts);
        }
    }

    private final Map<String, CameraStats> cameras = new ConcurrentHashMap<>();
    private final Map<FrameSource, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final AtomicInteger threads = new AtomicInteger();
    // listeners are cheap; a pool so that one camera's callback never waits for another's
    private final ExecutorService callbacks = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "e2e-recorder-" + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private volatile Path ringDirectory;
    private volatile java.util.concurrent.Executor delivery = callbacks;
    private volatile boolean inPlace;
    private volatile java.io.Writer trace;
    private ScheduledExecutorService timer;
    private Path output;

    @Activate
    void activate(Config config) {
        output = Paths.get(config.outputFile()).toAbsolutePath();
        ringDirectory = config.ringDirectory().isBlank() ? null : Paths.get(config.ringDirectory().trim());
        delivery = config.directDelivery() ? Runnable::run : callbacks;
        inPlace = config.inPlace();
        for (CameraStats s : cameras.values()) { // sources bound before activation
            synchronized (s) {
                if (s.publishTimes == null && ringDirectory != null) {
                    s.publishTimes = new PublishTimes(ringDirectory.resolve(s.id + ".ring"));
                }
            }
        }
        if (!config.traceFile().isBlank()) {
            try {
                trace = Files.newBufferedWriter(Paths.get(config.traceFile().trim()), StandardCharsets.US_ASCII,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                trace = null; // no trace then; the summary still works
            }
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "e2e-recorder-timer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sampleAges, config.ageSampleMillis(), config.ageSampleMillis(), TimeUnit.MILLISECONDS);
        timer.scheduleAtFixedRate(this::writeSummaryQuietly, 0, config.intervalMillis(), TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        subscriptions.values().forEach(Subscription::close);
        subscriptions.clear();
        callbacks.shutdownNow();
        writeSummaryQuietly();
        java.io.Writer t = trace;
        trace = null;
        if (t != null) {
            synchronized (t) {
                try {
                    t.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFrameSource(FrameSource source) {
        CameraStats stats = stats(source.id());
        synchronized (stats) {
            stats.bound = true;
        }
        subscriptions.put(source, inPlace
                ? source.subscribeInPlace(view -> onView(stats, view), delivery)
                : source.subscribe(frame -> onFrame(stats, frame), delivery));
    }

    private void onFrame(CameraStats stats, Frame frame) {
        long now = System.nanoTime(); // first: everything after this is the recorder's own cost
        FrameInfo info = frame.info();
        frame.close(); // only the metadata is needed: the copy goes back to the camera's pool
        record(stats, info, now);
    }

    private void onView(CameraStats stats, io.framebus.api.FrameView view) {
        long now = System.nanoTime();
        record(stats, view.info(), now); // metadata only, as with copies: no pixel is read either way
    }

    private void record(CameraStats stats, FrameInfo info, long now) {
        long published;
        synchronized (stats) {
            stats.onFrame(info, now, System.currentTimeMillis());
            published = stats.lastPublishMonoNanos;
        }
        java.io.Writer t = trace;
        if (t != null) {
            String line = info.cameraId() + ' ' + info.generation() + ' ' + info.sequence() + ' '
                    + info.captureMonoNanos() + ' ' + published + ' ' + now + '\n';
            synchronized (t) {
                try {
                    t.write(line);
                } catch (IOException e) {
                    trace = null;
                }
            }
        }
    }

    void removeFrameSource(FrameSource source) {
        Subscription s = subscriptions.remove(source);
        if (s != null) {
            s.close();
        }
        CameraStats stats = cameras.get(source.id());
        if (stats != null && subscriptions.keySet().stream().noneMatch(f -> f.id().equals(source.id()))) {
            synchronized (stats) {
                stats.bound = false;
            }
        }
    }

    private CameraStats stats(String id) {
        return cameras.computeIfAbsent(id, k -> {
            Path dir = ringDirectory;
            return new CameraStats(k, dir == null ? null : new PublishTimes(dir.resolve(k + ".ring")));
        });
    }

    private void sampleAges() {
        long now = System.nanoTime();
        for (CameraStats s : cameras.values()) {
            s.sampleAge(now);
        }
    }

    RecorderSummary summary() {
        for (FrameSource source : subscriptions.keySet()) {
            CameraStats stats = cameras.get(source.id());
            if (stats != null) {
                try {
                    io.framebus.api.SourceStatus st = source.status();
                    synchronized (stats) {
                        stats.decoded = st.decodedFrames();
                        stats.published = st.publishedFrames();
                        stats.restarts = st.restarts();
                    }
                } catch (RuntimeException goingAway) {
                    // the service is being unregistered
                }
            }
        }
        Map<String, RecorderSummary.Camera> snap = new TreeMap<>();
        for (CameraStats s : cameras.values()) {
            snap.put(s.id, s.snapshot());
        }
        return new RecorderSummary(System.currentTimeMillis(), System.nanoTime(), snap);
    }

    private void writeSummaryQuietly() {
        java.io.Writer t = trace;
        if (t != null) {
            synchronized (t) {
                try {
                    t.flush();
                } catch (IOException e) {
                    trace = null;
                }
            }
        }
        try {
            Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
            Files.writeString(tmp, summary().format(), StandardCharsets.UTF_8);
            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // the harness notices a summary that stops changing; nothing else to do from inside a timer
        }
    }
}
