package io.framebus.manager.internal;

import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import io.framebus.api.FrameSource;
import io.framebus.api.SourceState;
import io.framebus.api.SourceStatus;
import io.framebus.contract.CaptureExit;
import io.framebus.contract.CaptureLogLine;
import io.framebus.contract.CaptureSettings;
import io.framebus.contract.SecretMasker;
import io.framebus.manager.CaptureProbe;
import io.framebus.manager.SupervisedCamera;
import io.framebus.manager.SupervisionPolicy;
import io.framebus.manager.WatchdogReport;
import io.framebus.manager.placement.CameraHome;
import io.framebus.shm.RingDirectory;
import io.framebus.shm.RingReader;
import io.framebus.shm.RingStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.framebus.api.PixelFormat;
import io.framebus.contract.CaptureOutput;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.log.Logger;

/**
 * One configured camera at run time: its settings (or why they are invalid), its capture process, its ring
 * reader and its two services (FrameSource once the ring exists, SupervisedCamera while a process should run).
 * Lifecycle methods are synchronized; status and frame reads are lock-free.
 */
final class Camera implements SupervisedCamera {
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);
    private static final long RATE_WINDOW_NANOS = Duration.ofSeconds(2).toNanos();

    private final String configPid;
    private final String id;
    private final CameraSettings settings;   // null when invalid
    private final String invalidReason;      // null when valid
    private final CaptureRuntime runtime;
    private final BundleContext context;
    private final Logger log;
    private final Doorbell doorbell = new Doorbell();
    /** Every output, the default one ({@value CaptureOutput#DEFAULT_NAME}) first; just that one when invalid. */
    private final List<Output> outputs;
    private final AtomicLong restarts = new AtomicLong();
    private final SecretMasker masker;

    /** The capture process; replaced only under this object's monitor, by {@link #spawn}. */
    private volatile CaptureProcess process;
    private final Object tickLock = new Object();
    /** One restart at a time: a second request while one runs is the same restart. */
    private final AtomicBoolean restarting = new AtomicBoolean();
    private volatile WatchdogReport report;
    private volatile String lastRestartReason = "";
    private volatile String spawnError;
    private volatile boolean stopped;
    private long generation;
    private ServiceRegistration<SupervisedCamera> supervisedRegistration;
    /** Where the cluster placed it (set once, before the camera is published); null on a single host. */
    private volatile CameraHome home;

    /**
     * One output of the camera: its ring reader, its FrameSource service. The capture process writes every output's
     * ring; the manager reads each like a camera of its own.
     */
    final class Output {
        private final CaptureOutput spec;
        private final RingFrameSource frameSource;
        /** Set by the ticker thread only ({@link #tick} runs under {@link #tickLock}). */
        private volatile RingReader reader;
        private ServiceRegistration<FrameSource> registration;
        private FrameFormat registeredFormat;
        // the publish rate of an extra output (the watchdog measures the main ring only): frames published between
        // two status reads at least RATE_WINDOW_NANOS apart
        private long rateSequence = -1;
        private long rateNanos;
        private double rate;

        synchronized double rate(long published) {
            long now = System.nanoTime();
            if (rateSequence < 0 || published < rateSequence) {
                rateSequence = published; // first read, or a new capture process counting from 0
                rateNanos = now;
                rate = 0;
            } else if (now - rateNanos >= RATE_WINDOW_NANOS) {
                rate = (published - rateSequence) * 1e9 / (now - rateNanos);
                rateSequence = published;
                rateNanos = now;
            }
            return rate;
        }

        private Output(CaptureOutput spec) {
            this.spec = spec;
            this.frameSource = new RingFrameSource(this, (what, e) -> log.error("camera {} output {}: {}", id,
                    spec.name(), what, e));
        }

        String name() {
            return spec.name();
        }

        CaptureOutput spec() {
            return spec;
        }

        Camera camera() {
            return Camera.this;
        }

        String cameraId() {
            return id;
        }

        RingReader reader() {
            return reader;
        }

        RingFrameSource frameSource() {
            return frameSource;
        }

        Doorbell doorbell() {
            return doorbell;
        }

        /** Fixed output geometry, or null when it comes from the source. */
        FrameFormat fixedFormat() {
            return spec.fixedSize() ? spec.format(spec.width(), spec.height()) : null;
        }

        Path ringPath() {
            return CaptureOutput.ringPath(runtime.ringPath(id), spec.name());
        }

        boolean isDefault() {
            return spec.name().equals(CaptureOutput.DEFAULT_NAME);
        }

        SourceStatus status() {
            return Camera.this.status(this);
        }

        /** Whether the FrameSource service of this output is registered. */
        boolean hasService() {
            synchronized (Camera.this) {
                return registration != null;
            }
        }
    }

    private Camera(String configPid, String id, CameraSettings settings, String invalidReason, CaptureRuntime runtime,
                   BundleContext context, Logger log) {
        this.configPid = configPid;
        this.id = id;
        this.settings = settings;
        this.invalidReason = invalidReason;
        this.runtime = runtime;
        this.context = context;
        this.log = log;
        this.masker = settings == null ? new SecretMasker(null) : settings.masker();
        List<Output> all = new ArrayList<>();
        if (settings == null) {
            all.add(new Output(new CaptureOutput(CaptureOutput.DEFAULT_NAME, 0, 0, PixelFormat.BGR24, 0,
                    CaptureOutput.ScaleMode.STRETCH)));
        } else {
            settings.capture().allOutputs().forEach(o -> all.add(new Output(o)));
        }
        this.outputs = List.copyOf(all);
    }

    static Camera valid(String configPid, CameraSettings settings, CaptureRuntime runtime, BundleContext context,
                        Logger log) {
        return new Camera(configPid, settings.id(), settings, null, runtime, context, log);
    }

    /** A valid camera in a cluster: runs here when {@code home} says so, else only shows where it runs. */
    static Camera placed(String configPid, CameraSettings settings, CameraHome home, CaptureRuntime runtime,
                         BundleContext context, Logger log) {
        Camera c = new Camera(configPid, settings.id(), settings, null, runtime, context, log);
        c.home = home;
        return c;
    }

    static Camera invalid(String configPid, String displayId, String reason, CaptureRuntime runtime, Logger log) {
        return new Camera(configPid, displayId, null, reason, runtime, null, log);
    }

    @Override
    public String cameraId() {
        return id;
    }

    String configPid() {
        return configPid;
    }

    boolean isValid() {
        return settings != null;
    }

    /** Where the cluster placed it, or null on a single host. */
    CameraHome home() {
        return home;
    }

    /** Valid and enabled, but placed on another host or nowhere: nothing runs here. */
    boolean away() {
        CameraHome h = home;
        return h != null && h.where() != CameraHome.Where.HERE;
    }

    CameraSettings settings() {
        return settings;
    }

    Doorbell doorbell() {
        return doorbell;
    }

    /** The default output's ring reader. */
    RingReader reader() {
        return outputs.get(0).reader;
    }

    /** The default output's frame source. */
    FrameSource frameSource() {
        return outputs.get(0).frameSource;
    }

    /** Every output, the default one first. */
    List<Output> outputs() {
        return outputs;
    }

    /** The output named {@code name}. */
    Optional<Output> output(String name) {
        return outputs.stream().filter(o -> o.name().equals(name)).findFirst();
    }

    /** Whether the default output's FrameSource service is registered: the ring exists and has a real geometry. */
    synchronized boolean hasFrameSourceService() {
        return outputs.get(0).registration != null;
    }

    Path ringPath() {
        return runtime.ringPath(id);
    }

    /** Starts the capture process if the camera is valid and enabled. */
    synchronized void start() {
        if (settings == null) {
            log.error("{} (nothing started)", invalidReason);
            return;
        }
        if (!settings.enabled()) {
            log.info("camera {} is disabled", id);
            return;
        }
        if (away()) {
            log.info("camera {}: {}", id, home.where() == CameraHome.Where.ELSEWHERE ? "runs on host " + home.host()
                    : "runs on no host: " + home.reason());
            return;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(FrameSource.CAMERA_ID, id);
        supervisedRegistration = context.registerService(SupervisedCamera.class, this, props);
        spawn();
    }

    /** Starts a capture process, ending first whatever {@link #process} still holds. Under the monitor. */
    private void spawn() {
        CaptureProcess previous = process;
        if (previous != null && previous.alive()) {
            previous.kill();
        }
        generation++;
        try {
            process = runtime.startCapture(id, settings, settings.captureDocument(generation),
                    this::frameArrived, this::captureLog);
            spawnError = null;
            log.info("camera {}: capture process {} started for {}", id, process.pid(), settings.displayUrl());
        } catch (IOException | RuntimeException e) {
            process = null;
            spawnError = "cannot start the capture process: " + settings.masker().mask(e.getMessage());
            log.error("camera {}: {}", id, spawnError);
        }
    }

    private void frameArrived() {
        doorbell.ring();
        // one doorbell byte for every output that published from a decoded frame: each dispatcher looks
        outputs.forEach(o -> o.frameSource.frameArrived());
    }

    /** A line of the capture process's stderr, logged at the level it carries ({@link CaptureLogLine}). */
    private void captureLog(String line) {
        CaptureLogLine l = CaptureLogLine.parse(masker.mask(line), id);
        switch (l.level()) {
            case ERROR -> log.error("capture [{}] {}", l.cameraId(), l.message());
            case WARN -> log.warn("capture [{}] {}", l.cameraId(), l.message());
            case INFO -> log.info("capture [{}] {}", l.cameraId(), l.message());
            case DEBUG -> log.debug("capture [{}] {}", l.cameraId(), l.message());
        }
    }

    /**
     * Opens the ring once the capture process has created it, registers the FrameSource service, and keeps its
     * properties in step with the geometry. Called by the runtime's ticker.
     */
    void tick() {
        if (stopped || settings == null || !settings.enabled() || away()) {
            return;
        }
        synchronized (tickLock) {
            outputs.forEach(this::attachRing);
        }
    }

    private void attachRing(Output o) {
        RingReader r = o.reader;
        if (r == null) {
            Path ring = o.ringPath();
            if (!Files.exists(ring)) {
                return;
            }
            try {
                r = RingReader.open(ring);
            } catch (IOException notYet) {
                return; // being created (NOT_READY) or replaced right now: next tick
            }
            o.reader = r;
        } else {
            r.refresh();
        }
        FrameFormat format = r.format();
        synchronized (this) {
            if (stopped) {
                return;
            }
            if (o.registration == null && o.fixedFormat() == null && r.publishedSequence() == 0) {
                return; // the source's size is not known yet (the ring holds a placeholder geometry until it is)
            }
            if (o.registration == null) {
                o.registration = context.registerService(FrameSource.class, o.frameSource,
                        serviceProperties(o, format));
                o.registeredFormat = format;
                log.info("camera {}: FrameSource of output {} registered ({})", id, o.name(), format);
            } else if (!format.equals(o.registeredFormat) && (o.fixedFormat() != null || r.publishedSequence() > 0)) {
                o.registration.setProperties(serviceProperties(o, format));
                o.registeredFormat = format;
                log.info("camera {}: geometry of output {} is now {}", id, o.name(), format);
            }
        }
    }

    private Dictionary<String, Object> serviceProperties(Output o, FrameFormat format) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(FrameSource.CAMERA_ID, id);
        props.put(FrameSource.OUTPUT, o.name());
        props.put(FrameSource.CAMERA_NAME, settings.name());
        props.put(FrameSource.FRAME_WIDTH, format.width());
        props.put(FrameSource.FRAME_HEIGHT, format.height());
        props.put(FrameSource.FRAME_FORMAT, format.pixelFormat().name());
        props.put(FrameSource.FRAME_RATE, o.spec().fps());
        props.put("service.description", "framebus camera " + id + (o.isDefault() ? "" : " output " + o.name()));
        if (o.isDefault()) {
            // a reference that filters on camera.id alone (written before outputs existed) binds the main output
            props.put(org.osgi.framework.Constants.SERVICE_RANKING, 1);
        }
        return props;
    }

    /** Stops everything: services gone, process ended, ring file removed. */
    void stop() {
        CaptureProcess p;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            unregister();
            p = process;
        }
        outputs.forEach(o -> o.frameSource.closeSubscriptions());
        if (p != null) {
            p.stop(STOP_GRACE);
            log.info("camera {}: capture process {} stopped", id, p.pid());
        }
        synchronized (tickLock) {
            for (Output o : outputs) {
                RingReader r = o.reader;
                o.reader = null;
                if (r != null) {
                    r.close();
                }
            }
        }
        if (settings != null && settings.enabled()) {
            outputs.forEach(o -> removeOwnRing(o.ringPath(), p));
        }
    }

    /**
     * Deletes the camera's ring file only if it is ours: written by our last capture process, or by a writer that
     * is gone. A ring of a live process we did not start (another runtime sharing the directory) is left alone.
     */
    private void removeOwnRing(Path ring, CaptureProcess last) {
        try (RingReader r = RingReader.open(ring)) {
            long writer = r.status().writerPid();
            boolean ours = last != null && writer == last.pid();
            if (!ours && !RingDirectory.isStale(ring)) {
                log.warn("camera {}: ring {} belongs to live process {}, not ours: left in place", id, ring, writer);
                return;
            }
        } catch (IOException | RuntimeException unreadable) {
            // not a ring we can read (gone, half-created, corrupt): nobody can be using it as a ring
        }
        try {
            RingDirectory.deleteRing(ring);
        } catch (IOException e) {
            log.warn("camera {}: cannot remove its ring {}: {}", id, ring, e.getMessage());
        }
    }

    private void unregister() {
        List<ServiceRegistration<?>> regs = new ArrayList<>();
        outputs.forEach(o -> regs.add(o.registration));
        regs.add(supervisedRegistration);
        for (ServiceRegistration<?> reg : regs) {
            if (reg != null) {
                try {
                    reg.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the framework is shutting down and unregistered it already
                }
            }
        }
        outputs.forEach(o -> o.registration = null);
        supervisedRegistration = null;
    }

    @Override
    public SupervisionPolicy policy() {
        return new SupervisionPolicy(settings.stallTimeoutMillis(), settings.maxRestarts(), settings.restartWindowMillis());
    }

    /**
     * Restarts the capture process off the caller's thread (a kill can take seconds, and the caller may be the
     * watchdog's only thread or a web request). One restart at a time: a request while one runs joins it.
     */
    @Override
    public void restart(String reason) {
        if (stopped || settings == null || !settings.enabled() || away() || !restarting.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                restartNow(reason);
            } finally {
                restarting.set(false);
            }
        }, "framebus-restart-" + id);
        t.setDaemon(true);
        t.start();
    }

    private void restartNow(String reason) {
        CaptureProcess old = process;
        if (old != null) {
            old.kill(); // outside the monitor: status and frame reads go on meanwhile
        }
        synchronized (this) {
            if (stopped) {
                return;
            }
            restarts.incrementAndGet();
            lastRestartReason = reason;
            log.warn("camera {}: restarting the capture process ({})", id, reason);
            spawn();
        }
    }

    /** Restart asked for by a person (shell, web); counted like any other restart. */
    void restartOnDemand() {
        restart("restart requested");
    }

    @Override
    public void report(WatchdogReport report) {
        this.report = report;
    }

    @Override
    public CaptureProbe probe() {
        CaptureProcess p = process;
        boolean supervised = !stopped && settings != null && settings.enabled();
        if (supervised && restarting.get()) {
            p = null; // being restarted right now: nothing to judge until the new process runs
        }
        if (!supervised || p == null) {
            // no process: either none is wanted, or it is being spawned right now (nothing to judge yet), or the
            // spawn failed (a dead process to the watchdog, which retries with backoff)
            boolean failedSpawn = supervised && spawnError != null;
            return new CaptureProbe(failedSpawn, -1, false, failedSpawn ? CaptureExit.NOT_STARTED.code() : -1, 0, false, 0,
                    SourceState.STARTING, 0, 0, -1);
        }
        tick();
        RingReader r = reader();
        RingStatus rs = r == null ? null : r.status();
        boolean ours = rs != null && rs.writerPid() == p.pid() && !rs.replaced();
        long sinceSpawn = p.sinceStart().toNanos();
        return new CaptureProbe(true, p.pid(), p.alive(), p.exitCode(), sinceSpawn, ours,
                ours ? Math.min(rs.heartbeatAge().toNanos(), sinceSpawn) : sinceSpawn,
                ours ? map(rs) : SourceState.STARTING,
                ours ? rs.generation() : 0, ours ? rs.publishedSequence() : 0, p.cpuNanos());
    }

    /** The default output's status. */
    SourceStatus status() {
        return status(outputs.get(0));
    }

    /** The status of output {@code o}: the camera's state and process, the output's own frame counters. */
    SourceStatus status(Output o) {
        CaptureProcess p = process;
        RingReader r = o.reader;
        WatchdogReport w = report;
        if (settings == null) {
            return new SourceStatus(id, SourceState.INVALID, false, invalidReason, -1, 0, 0, 0, 0, 0, 0, null, -1, -1);
        }
        if (!settings.enabled() || stopped) {
            return new SourceStatus(id, SourceState.STOPPED, false, "", -1, restarts.get(), 0, 0, 0, 0, 0, null, -1, -1);
        }
        CameraHome placedAt = home;
        if (away()) {
            return placedAt.where() == CameraHome.Where.ELSEWHERE
                    ? new SourceStatus(id, SourceState.ELSEWHERE, false, "", -1, 0, 0, 0, 0, 0, 0, null, -1, -1, false, null,
                            placedAt.host())
                    : new SourceStatus(id, SourceState.UNPLACED, false, placedAt.reason(), -1, 0, 0, 0, 0, 0, 0, null, -1, -1);
        }
        RingStatus rs = r == null ? null : r.status();
        boolean ours = rs != null && p != null && rs.writerPid() == p.pid();
        SourceState state;
        if (w != null && w.override() != null) {
            state = w.override();
        } else if (p == null || !p.alive()) {
            state = spawnError != null ? SourceState.FAILED : SourceState.RESTARTING;
        } else if (!ours) {
            state = SourceState.STARTING;
        } else {
            state = map(rs);
        }
        String error = spawnError != null ? spawnError
                : w != null && w.override() != null && !w.reason().isEmpty() ? w.reason()
                : rs != null && !rs.errorText().isEmpty() ? rs.errorText()
                : lastRestartReason;
        FrameInfo newest = latestFrame(r);
        Duration age = newest == null ? null : newest.age();
        boolean live = state == SourceState.STREAMING && age != null
                && age.toMillis() < settings.stallTimeoutMillis();
        // an extra output's rate is its own (the watchdog measures the main ring only)
        double outputFps = !o.isDefault() ? (ours ? o.rate(rs.publishedSequence()) : 0) : w == null ? 0 : w.fps();
        boolean late = state == SourceState.STREAMING && age != null
                && age.toNanos() > LateFrames.overdueAfterNanos(o.spec().fps(),
                        settings.capture().decodeMode() == CaptureSettings.DecodeMode.KEYFRAMES,
                        ours ? rs.sourceFpsMilli() / 1000.0 : 0, outputFps);
        return new SourceStatus(id, state, live, masker.mask(error),
                p != null && p.alive() ? p.pid() : -1, restarts.get(),
                ours ? rs.decodedFrames() : 0, ours ? rs.publishedSequence() : 0, ours ? rs.droppedFrames() : 0,
                ours ? rs.reconnects() : 0, outputFps, age, w == null ? -1 : w.rssBytes(),
                w == null ? -1 : w.cpuPercent(), late, newest, placedAt == null ? "" : placedAt.host());
    }

    private static FrameInfo latestFrame(RingReader r) {
        if (r == null) {
            return null;
        }
        FrameInfo[] seen = new FrameInfo[1];
        for (int attempt = 0; attempt < 3; attempt++) {
            if (r.visitLatest((info, pixels) -> seen[0] = info)) {
                return seen[0];
            }
        }
        return null;
    }

    private static SourceState map(RingStatus rs) {
        return switch (rs.state()) {
            case STARTING -> SourceState.STARTING;
            case CONNECTING -> SourceState.CONNECTING;
            case STREAMING -> SourceState.STREAMING;
            case RECONNECTING -> SourceState.RECONNECTING;
            case STOPPED -> SourceState.STOPPED;
            case FAILED -> SourceState.FAILED;
        };
    }
}
