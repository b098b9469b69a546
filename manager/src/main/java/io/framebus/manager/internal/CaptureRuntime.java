package io.framebus.manager.internal;

import io.framebus.api.FrameSource;
import io.framebus.api.SourceStatus;
import io.framebus.manager.CameraRegistry;
import io.framebus.manager.placement.CameraHome;
import io.framebus.manager.placement.CameraPlacement;
import io.framebus.shm.RingDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The manager-wide part: where rings and the capture program are, the registry of cameras (valid or not), and
 * one ticker thread that attaches rings as capture processes create them.
 */
@Component(service = {CaptureRuntime.class, CameraRegistry.class}, configurationPid = ManagerConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = ManagerConfig.class)
public final class CaptureRuntime implements CameraRegistry {
    private static final long TICK_MILLIS = 100;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private final Map<String, Camera> byConfigPid = new ConcurrentHashMap<>();
    private Path ringDirectory;
    private Path captureHome;
    private String captureHomeProblem;
    private CaptureJvm jvm;
    private int maxCameras;
    private ScheduledExecutorService ticker;
    private BundleContext context;
    private RingDirectoryLock directoryLock;
    private CaptureInstallation.NativeCache nativeCache;
    /** The standby pool, or null when standby processes are off. */
    private volatile StandbyPool standby;
    private boolean requirePlacement;
    private volatile boolean active;
    /** The cluster's placement, or null on a single host (every camera runs here). */
    private volatile CameraPlacement placement;
    private final Runnable placementChanged = this::followPlacementSoon;
    private final AtomicBoolean placementPending = new AtomicBoolean();
    /** Starts and stops cameras as the placement moves them, off the ticker (a stop waits for the process). */
    private ScheduledExecutorService placementThread;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindPlacement(CameraPlacement p) {
        placement = p;
        p.addListener(placementChanged);
        followPlacementSoon();
    }

    void unbindPlacement(CameraPlacement p) {
        p.removeListener(placementChanged);
        if (placement == p) {
            placement = null;
        }
        followPlacementSoon();
    }

    @Activate
    void activate(BundleContext context, ManagerConfig config) throws IOException {
        this.context = context;
        ringDirectory = config.ringDirectory().isBlank() ? RingDirectory.defaultDirectory()
                : Paths.get(config.ringDirectory().trim());
        RingDirectory.ensure(ringDirectory);
        directoryLock = RingDirectoryLock.acquire(ringDirectory); // before touching any ring in it
        try {
            start(config);
        } catch (IOException | RuntimeException e) {
            directoryLock.release();
            throw e;
        }
    }

    private void start(ManagerConfig config) throws IOException {
        for (Path stale : RingDirectory.removeStale(ringDirectory)) {
            log.info("removed stale ring {}", stale);
        }
        captureHome = findCaptureHome(config.captureHome());
        Path java = CaptureInstallation.java(config.javaExecutable(), log);
        nativeCache = CaptureInstallation.nativeCache(config.nativeCacheDirectory(), log);
        Path cache = nativeCache.dir();
        List<String> configured = JvmOptions.split(config.captureJvmArgs());
        String refused = JvmOptions.problem(configured);
        if (refused != null) {
            log.error("captureJvmArgs in {} {}; using the default options instead", ManagerConfig.PID, refused);
            configured = JvmOptions.split(ManagerConfig.DEFAULT_CAPTURE_JVM_ARGS);
        }
        List<String> args = new ArrayList<>(configured);
        args.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        jvm = new CaptureJvm(java, args, captureHome);
        maxCameras = config.maxCameras();
        requirePlacement = config.requirePlacement();
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "framebus-manager");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        placementThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "framebus-placement");
            t.setDaemon(true);
            return t;
        });
        // the listener is the fast path; this catches up should a change ever slip between two looks
        placementThread.scheduleWithFixedDelay(this::followPlacementSoon, 2, 2, TimeUnit.SECONDS);
        active = true;
        StandbyPool pool = config.standbyProcess() && captureHome != null ? new StandbyPool(jvm, ticker, log) : null;
        standby = pool;
        if (config.classDataSharing() && captureHome != null) {
            // a standby started before the archive existed is replaced by one that maps it
            jvm.prepareArchive(cache, ringDirectory, log, pool == null ? () -> { } : () -> ticker.execute(pool::refill));
        }
        log.info("framebus manager: rings in {}, capture program in {}", ringDirectory,
                captureHome != null ? captureHome : "(not found: " + captureHomeProblem + ")");
    }

    @Deactivate
    void deactivate() {
        active = false;
        ticker.shutdownNow();
        placementThread.shutdownNow();
        StandbyPool pool = standby;
        if (pool != null) {
            pool.close();
        }
        jvm.cancelArchive();
        // camera components depend on this one and are deactivated first; this is the safety net
        for (Camera c : byConfigPid.values()) {
            c.stop();
        }
        byConfigPid.clear();
        if (nativeCache.temporary()) {
            deleteTree(nativeCache.dir());
        }
        directoryLock.release();
    }

    /** Registers and starts the camera of one configuration; invalid ones are kept so status can show them. */
    Camera add(String configPid, CameraConfig config, BundleContext bundleContext) {
        String displayId = config.id() == null || config.id().isBlank() ? configPid : config.id().trim();
        Camera camera;
        synchronized (this) { // validation and registration together: two configs cannot both take one id
            try {
                CameraSettings settings = CameraSettings.validate(config, ringDirectory, freeRingBytes());
                CameraHome home = settings.enabled() ? homeOf(settings.id(), placement) : null;
                String problem = conflict(configPid, settings.id(), home == null || home.where() == CameraHome.Where.HERE);
                camera = problem != null ? Camera.invalid(configPid, displayId, problem, this, log)
                        : home == null ? Camera.valid(configPid, settings, this, bundleContext, log)
                        : Camera.placed(configPid, settings, home, this, bundleContext, log);
            } catch (CameraSettings.InvalidCameraException e) {
                camera = Camera.invalid(configPid, displayId, e.getMessage(), this, log);
            }
            byConfigPid.put(configPid, camera);
        }
        camera.start();
        return camera;
    }

    void remove(Camera camera) {
        Camera current;
        synchronized (this) {
            current = byConfigPid.remove(camera.configPid());
        }
        camera.stop();
        if (current != null && current != camera) {
            current.stop(); // the placement replaced the component's camera meanwhile
        }
    }

    private void followPlacementSoon() {
        ScheduledExecutorService t = placementThread;
        if (active && t != null && placementPending.compareAndSet(false, true)) {
            try {
                t.execute(this::followPlacement);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                placementPending.set(false);
            }
        }
    }

    /**
     * Starts the cameras the placement gives this host and stops those it gives away; with no placement (the
     * cluster bundle left) every camera runs here again, except while the framework shuts down, when starting
     * cameras would only leave work for the shutdown.
     */
    private void followPlacement() {
        placementPending.set(false);
        if (!active || context.getBundle(Constants.SYSTEM_BUNDLE_ID).getState() == Bundle.STOPPING) {
            return;
        }
        CameraPlacement p = placement;
        for (Camera c : List.copyOf(byConfigPid.values())) {
            if (!c.isValid() || !c.settings().enabled()) {
                continue;
            }
            CameraHome want;
            try {
                want = homeOf(c.cameraId(), p);
            } catch (RuntimeException placementGone) {
                continue; // unregistered meanwhile: the unbind schedules another pass
            }
            if (!Objects.equals(c.home(), want)) {
                replace(c, want);
            }
        }
    }

    private CameraHome homeOf(String cameraId, CameraPlacement p) {
        if (p != null) {
            return p.home(cameraId);
        }
        return requirePlacement ? CameraHome.nowhere("waiting for the cluster placement (requirePlacement is set)") : null;
    }

    private void replace(Camera old, CameraHome want) {
        Camera next;
        synchronized (this) {
            if (!active || byConfigPid.get(old.configPid()) != old) {
                return; // removed or replaced meanwhile
            }
            CameraSettings s = old.settings();
            String problem = want == null || want.where() == CameraHome.Where.HERE ? conflict(old.configPid(), s.id(), true)
                    : null;
            next = problem != null ? Camera.invalid(old.configPid(), s.id(), problem, this, log)
                    : want == null ? Camera.valid(old.configPid(), s, this, context, log)
                    : Camera.placed(old.configPid(), s, want, this, context, log);
            byConfigPid.put(old.configPid(), next);
        }
        log.info("camera {}: placement {} -> {}", old.cameraId(), describe(old.home()), describe(want));
        old.stop(); // first, so that a camera moving here never meets its own old ring
        next.start();
    }

    private static String describe(CameraHome h) {
        return h == null ? "single host" : switch (h.where()) {
            case HERE -> "here (" + h.host() + ")";
            case ELSEWHERE -> "host " + h.host();
            case NOWHERE -> "no host";
        };
    }

    private String conflict(String configPid, String id, boolean runsHere) {
        if (captureHome == null) {
            return "camera '" + id + "': the capture program is missing (" + captureHomeProblem + ")";
        }
        for (Camera other : byConfigPid.values()) {
            if (other.isValid() && other.cameraId().equals(id) && !other.configPid().equals(configPid)) {
                return "camera '" + id + "': id is already used by configuration " + other.configPid();
            }
        }
        long running = byConfigPid.values().stream()
                .filter(c -> c.isValid() && !c.away() && !c.configPid().equals(configPid)).count();
        if (runsHere && running >= maxCameras) {
            return "camera '" + id + "': maxCameras (" + maxCameras + ") reached";
        }
        return null;
    }

    /** Every configured camera, valid or not, by id. */
    Collection<Camera> cameras() {
        List<Camera> out = new ArrayList<>(byConfigPid.values());
        out.sort(Comparator.comparing(Camera::cameraId));
        return out;
    }

    @Override
    public List<SourceStatus> statuses() {
        List<SourceStatus> out = new ArrayList<>();
        for (Camera c : cameras()) {
            out.add(c.status());
        }
        return out;
    }

    @Override
    public Optional<FrameSource> source(String cameraId) {
        return camera(cameraId).filter(Camera::hasFrameSourceService).map(Camera::frameSource);
    }

    @Override
    public List<String> outputs(String cameraId) {
        return camera(cameraId).map(c -> c.outputs().stream().map(Camera.Output::name).toList()).orElse(List.of());
    }

    @Override
    public Optional<FrameSource> source(String cameraId, String output) {
        return camera(cameraId).flatMap(c -> c.output(output)).filter(Camera.Output::hasService)
                .map(Camera.Output::frameSource);
    }

    @Override
    public boolean restart(String cameraId) {
        Optional<Camera> c = camera(cameraId).filter(Camera::isValid);
        c.ifPresent(Camera::restartOnDemand);
        return c.isPresent();
    }

    Optional<Camera> camera(String id) {
        return byConfigPid.values().stream().filter(c -> c.cameraId().equals(id)).findFirst();
    }

    Path ringPath(String id) {
        return RingDirectory.ringPath(ringDirectory, id);
    }

    Path ringDirectory() {
        return ringDirectory;
    }

    /**
     * Starts the capture process of a camera: in the standby process when there is one that fits (and a new
     * standby a little later), else in a new JVM.
     */
    CaptureProcess startCapture(String cameraId, CameraSettings settings, String document, Runnable doorbell,
                                java.util.function.Consumer<String> captureLog) throws IOException {
        List<String> args = jvm.args(settings.jvmArgs());
        StandbyPool pool = standby;
        StandbyProcess taken = pool == null ? null : pool.take(args);
        if (taken != null) {
            try {
                CaptureProcess p = CaptureProcess.adopt(cameraId, taken.process(), document, doorbell, captureLog);
                log.info("camera {}: runs in the standby capture process {}", cameraId, taken.pid());
                return p;
            } catch (IOException standbyDied) {
                log.info("camera {}: the standby capture process {} had exited; starting a new one", cameraId,
                        taken.pid());
            }
        }
        return jvm.start(cameraId, args, document, doorbell, captureLog);
    }

    /** On the ticker: an exception or error of one camera is logged and the others go on (and so does the ticker). */
    private void tick() {
        for (Camera c : byConfigPid.values()) {
            try {
                c.tick();
            } catch (RuntimeException | Error e) {
                log.error("camera {}: {}", c.cameraId(), e.toString(), e);
            }
        }
    }

    private long freeRingBytes() {
        try {
            return RingDirectory.usableBytes(ringDirectory);
        } catch (IOException e) {
            return -1;
        }
    }

    private Path findCaptureHome(String configured) {
        List<Path> candidates = new ArrayList<>();
        if (!configured.isBlank()) {
            candidates.add(Paths.get(configured.trim()));
        } else {
            String prop = context.getProperty("framebus.capture.home");
            if (prop != null && !prop.isBlank()) {
                candidates.add(Paths.get(prop.trim()));
            }
            for (String base : new String[] {"karaf.base", "karaf.home"}) {
                String dir = System.getProperty(base);
                if (dir != null) {
                    candidates.add(Paths.get(dir, "framebus", "capture"));
                }
            }
            candidates.add(Paths.get("capture"));
        }
        for (Path p : candidates) {
            if (Files.isDirectory(p.resolve("lib"))) {
                String unsafe = CaptureInstallation.writableByOthers(p.toAbsolutePath());
                if (unsafe != null) {
                    captureHomeProblem = unsafe;
                    return null;
                }
                return p.toAbsolutePath();
            }
        }
        captureHomeProblem = "no lib/ folder in " + candidates
                + "; set captureHome in io.framebus.manager or the framework property framebus.capture.home";
        return null;
    }


    private void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("cannot remove the temporary native library cache {}: {}", dir, e.toString());
        }
    }
}
