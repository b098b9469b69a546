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
    /** A new standby starts this long after the last one was taken, not during the restart that took it. */
    private static final long STANDBY_DELAY_MILLIS = 2000;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private final Map<String, Camera> byConfigPid = new ConcurrentHashMap<>();
    private Path ringDirectory;
    private Path captureHome;
    private String captureHomeProblem;
    private Path java;
    private List<String> jvmArgs;
    private int maxCameras;
    private boolean requirePlacement;
    private volatile ClassDataArchive archive;
    private volatile ClassDataArchive archiveInProgress;
    private ScheduledExecutorService ticker;
    private BundleContext context;
    private boolean standbyWanted;
    private final Object standbyLock = new Object();
    /** The standby capture process, or null; guarded by {@link #standbyLock}. */
    private StandbyProcess standby;
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
        for (Path stale : RingDirectory.removeStale(ringDirectory)) {
            log.info("removed stale ring {}", stale);
        }
        captureHome = findCaptureHome(config.captureHome());
        java = config.javaExecutable().isBlank()
                ? Paths.get(System.getProperty("java.home"), "bin", "java") : Paths.get(config.javaExecutable().trim());
        String cache = config.nativeCacheDirectory().isBlank()
                ? Paths.get(System.getProperty("java.io.tmpdir"), "framebus-javacpp-" + System.getProperty("user.name")).toString()
                : config.nativeCacheDirectory().trim();
        List<String> args = new ArrayList<>(split(config.captureJvmArgs()));
        args.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        jvmArgs = List.copyOf(args);
        archive = null;
        if (config.classDataSharing() && captureHome != null) {
            prepareArchive(Paths.get(cache));
        }
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
        standbyWanted = config.standbyProcess() && captureHome != null;
        if (standbyWanted) {
            ticker.schedule(this::refillStandby, STANDBY_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        }
        log.info("framebus manager: rings in {}, capture program in {}", ringDirectory,
                captureHome != null ? captureHome : "(not found: " + captureHomeProblem + ")");
    }

    @Deactivate
    void deactivate() {
        active = false;
        ticker.shutdownNow();
        placementThread.shutdownNow();
        StandbyProcess idle;
        synchronized (standbyLock) {
            idle = standby;
            standby = null;
        }
        if (idle != null) {
            idle.stop();
        }
        ClassDataArchive making = archiveInProgress;
        if (making != null) {
            making.cancel();
        }
        // camera components depend on this one and are deactivated first; this is the safety net
        for (Camera c : byConfigPid.values()) {
            c.stop();
        }
        byConfigPid.clear();
    }

    /** Registers and starts the camera of one configuration; invalid ones are kept so status can show them. */
    Camera add(String configPid, CameraConfig config, BundleContext bundleContext) {
        String displayId = config.id() == null || config.id().isBlank() ? configPid : config.id().trim();
        Camera camera;
        synchronized (this) { // validation and registration together: two configs cannot both take one id
            try {
                CameraSettings settings = CameraSettings.validate(config, freeRingBytes());
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

    Path java() {
        return java;
    }

    Path captureHome() {
        return captureHome;
    }

    private void prepareArchive(Path cacheDir) {
        try {
            ClassDataArchive cds = ClassDataArchive.in(cacheDir, java, captureHome);
            if (cds.exists()) {
                archive = cds;
                return;
            }
            archiveInProgress = cds;
            Thread maker = new Thread(() -> {
                try {
                    cds.create(java, jvmArgs, captureHome, ringDirectory);
                    archive = cds; // cameras started from now on use it
                    log.info("class-data archive for capture processes: {}", cds);
                    ScheduledExecutorService t = ticker;
                    if (standbyWanted && active && t != null) {
                        t.execute(this::refillStandby); // replaces a standby started without the archive
                    }
                } catch (IOException | RuntimeException e) {
                    log.warn("no class-data archive for capture processes ({}); they start without", e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "framebus-cds");
            maker.setDaemon(true);
            maker.start();
        } catch (IOException e) {
            log.warn("no class-data archive for capture processes ({})", e.toString());
        }
    }

    /**
     * Starts the capture process of a camera: in the standby process when there is one that fits (and a new
     * standby a little later), else in a new JVM.
     */
    CaptureProcess startCapture(String cameraId, CameraSettings settings, String document, Runnable doorbell,
                                java.util.function.Consumer<String> captureLog) throws IOException {
        List<String> args = jvmArgs(settings);
        StandbyProcess taken = takeStandby(args);
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
        return CaptureProcess.start(cameraId, java, args, captureHome, document, doorbell, captureLog);
    }

    /**
     * The standby if it fits {@code args}, else null: a camera with JVM options of its own leaves it for the next
     * camera, and one that predates the class-data archive is replaced by {@link #refillStandby}, scheduled here.
     */
    private StandbyProcess takeStandby(List<String> args) {
        if (!standbyWanted) {
            return null;
        }
        StandbyProcess taken = null;
        synchronized (standbyLock) {
            if (standby != null && standby.fits(args)) {
                taken = standby;
                standby = null;
            }
        }
        ScheduledExecutorService t = ticker;
        if (active && t != null) {
            try {
                t.schedule(this::refillStandby, STANDBY_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // deactivated meanwhile
            }
        }
        return taken;
    }

    /** Ends an unused standby off the calling thread (a camera start, or the ticker that attaches rings). */
    private static void stopInBackground(StandbyProcess s) {
        Thread stopper = new Thread(s::stop, "framebus-standby-stop");
        stopper.setDaemon(true);
        stopper.start();
    }

    /** Starts a standby if there is none (or it died); on the ticker thread. */
    private void refillStandby() {
        List<String> args = standbyArgs();
        StandbyProcess stale = null;
        synchronized (standbyLock) {
            if (!active) {
                return;
            }
            if (standby != null && standby.fits(args)) {
                return;
            }
            stale = standby;
            standby = null;
        }
        if (stale != null) {
            stopInBackground(stale);
        }
        try {
            StandbyProcess started = StandbyProcess.start(java, args, captureHome);
            StandbyProcess surplus = null;
            synchronized (standbyLock) {
                if (active && standby == null) {
                    standby = started;
                } else {
                    surplus = started;
                }
            }
            if (surplus != null) {
                surplus.stop();
            } else {
                log.info("standby capture process {} started for the next camera start", started.pid());
            }
        } catch (IOException e) {
            log.warn("cannot start a standby capture process: {}", e.toString());
        }
    }

    /** The options of a camera without options of its own. */
    private List<String> standbyArgs() {
        List<String> all = new ArrayList<>(jvmArgs);
        ClassDataArchive cds = archive;
        if (cds != null) {
            all.add(cds.option());
        }
        return all;
    }

    List<String> jvmArgs(CameraSettings settings) {
        List<String> all = new ArrayList<>(jvmArgs);
        ClassDataArchive cds = archive;
        if (cds != null) {
            all.add(cds.option());
        }
        all.addAll(settings.jvmArgs());
        return all;
    }

    private void tick() {
        for (Camera c : byConfigPid.values()) {
            try {
                c.tick();
            } catch (RuntimeException e) {
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
                return p.toAbsolutePath();
            }
        }
        captureHomeProblem = "no lib/ folder in " + candidates
                + "; set captureHome in io.framebus.manager or the framework property framebus.capture.home";
        return null;
    }

    private static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        for (String a : s.trim().split("\\s+")) {
            if (!a.isEmpty()) {
                out.add(a);
            }
        }
        return out;
    }
}
