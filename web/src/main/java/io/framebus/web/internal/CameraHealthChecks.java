package io.framebus.web.internal;

import io.framebus.api.FrameSource;
import io.framebus.api.SourceStatus;
import io.framebus.manager.CameraRegistry;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * One Felix {@link HealthCheck} service per configured camera, invalid ones included, named
 * {@code framebus camera <id>} and tagged {@code framebus} and {@code camera}: the standard health-check servlet,
 * the {@code hc:exec} shell command and JMX then report each camera on its own, can select all cameras by tag, and
 * keep the status of each (a composite check over all cameras would have one status for all and name the broken
 * camera only in its log). Cameras come and go with their configurations and the registry has no listener, so the
 * set of checks follows {@link CameraRegistry#statuses()} once a second.
 */
@Component(immediate = true)
public final class CameraHealthChecks {
    /** Tags of every camera check. */
    static final String[] TAGS = {"framebus", "camera"};
    /** hc.name prefix; the camera id follows. */
    static final String NAME_PREFIX = "framebus camera ";
    /** hc.name of an extra output: {@code framebus camera <id> output <name>}. */
    static final String OUTPUT_INFIX = " output ";
    /** Tags of the check of an extra output. */
    static final String[] OUTPUT_TAGS = {"framebus", "camera", "output"};
    /** The default output, whose check is the camera's. */
    private static final String DEFAULT_OUTPUT = "main";
    private static final long SYNC_MILLIS = 1000;
    /** The executor's default result cache (2 s) would show a recovered camera as failing for longer than needed. */
    private static final long RESULT_CACHE_MILLIS = 500;

    private final CameraRegistry registry;
    private final BundleContext context;
    private final Logger log;
    private final Map<String, ServiceRegistration<HealthCheck>> checks = new HashMap<>(); // guarded by this
    private final ScheduledExecutorService sync;

    @Activate
    public CameraHealthChecks(@Reference CameraRegistry registry, @Reference(service = LoggerFactory.class) Logger log,
                              BundleContext context) {
        this.registry = registry;
        this.log = log;
        this.context = context;
        sync = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "framebus-health-checks");
            t.setDaemon(true);
            return t;
        });
        sync.scheduleWithFixedDelay(this::sync, 0, SYNC_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        sync.shutdownNow();
        sync.awaitTermination(5, TimeUnit.SECONDS);
        synchronized (this) {
            for (ServiceRegistration<HealthCheck> r : checks.values()) {
                unregister(r);
            }
            checks.clear();
        }
    }

    private synchronized void sync() {
        try {
            // keys: a camera id, or "<id> output <name>" for each output besides the default one
            Set<String> ids = new java.util.HashSet<>();
            for (SourceStatus s : registry.statuses()) {
                ids.add(s.cameraId());
                for (String output : registry.outputs(s.cameraId())) {
                    if (!output.equals(DEFAULT_OUTPUT)) {
                        ids.add(s.cameraId() + OUTPUT_INFIX + output);
                    }
                }
            }
            Iterator<Map.Entry<String, ServiceRegistration<HealthCheck>>> it = checks.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, ServiceRegistration<HealthCheck>> e = it.next();
                if (!ids.contains(e.getKey())) {
                    unregister(e.getValue());
                    it.remove();
                    log.debug("camera {}: health check removed", e.getKey());
                }
            }
            for (String id : ids) {
                if (!checks.containsKey(id) && !sync.isShutdown()) {
                    int infix = id.indexOf(OUTPUT_INFIX); // camera ids have no spaces
                    String cameraId = infix < 0 ? id : id.substring(0, infix);
                    String output = infix < 0 ? null : id.substring(infix + OUTPUT_INFIX.length());
                    Hashtable<String, Object> props = new Hashtable<>();
                    props.put(HealthCheck.NAME, NAME_PREFIX + id);
                    props.put(HealthCheck.TAGS, output == null ? TAGS.clone() : OUTPUT_TAGS.clone());
                    props.put(HealthCheck.RESULT_CACHE_TTL_IN_MS, RESULT_CACHE_MILLIS);
                    props.put(FrameSource.CAMERA_ID, cameraId);
                    if (output != null) {
                        props.put(FrameSource.OUTPUT, output);
                    }
                    checks.put(id, context.registerService(HealthCheck.class, new CameraCheck(cameraId, output), props));
                    log.debug("camera {}: health check registered", id);
                }
            }
        } catch (RuntimeException e) {
            // IllegalStateException once the bundle stops under us; anything else must not end the schedule
            log.warn("health checks of the cameras not updated: {}", e.toString(), e);
        }
    }

    private static void unregister(ServiceRegistration<HealthCheck> r) {
        try {
            r.unregister();
        } catch (IllegalStateException alreadyGone) {
            // unregistered with the bundle
        }
    }

    /**
     * The check of one camera, or of one of its extra outputs: evaluates the current status at every execution. An
     * output's status is its own frames' (fps, age) with the camera's process and state; while the output has no
     * frame source (the camera is not running), the camera's status stands for it.
     */
    private final class CameraCheck implements HealthCheck {
        private final String cameraId;
        private final String output;

        CameraCheck(String cameraId, String output) {
            this.cameraId = cameraId;
            this.output = output;
        }

        @Override
        public Result execute() {
            if (output != null) {
                java.util.Optional<SourceStatus> own = registry.source(cameraId, output).map(FrameSource::status);
                if (own.isPresent()) {
                    return CameraHealth.of(own.get());
                }
            }
            return registry.statuses().stream().filter(s -> s.cameraId().equals(cameraId)).findFirst()
                    .map(CameraHealth::of).orElseGet(() -> CameraHealth.missing(cameraId));
        }
    }
}
