package io.framebus.watchdog.internal;

import io.framebus.manager.SupervisedCamera;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Checks every supervised camera on one thread: process alive, heartbeat fresh, frames advancing while
 * streaming; restarts what is dead, hung or stalled, paced by each camera's {@link RestartBudget}.
 */
@Component(immediate = true, configurationPid = WatchdogConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = WatchdogConfig.class)
public final class CaptureWatchdog {
    private final Map<SupervisedCamera, CameraWatch> cameras = new ConcurrentHashMap<>();

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private WatchdogConfig config;
    private ScheduledExecutorService ticker;

    @Activate
    void activate(WatchdogConfig config) {
        this.config = config;
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "framebus-watchdog");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::checkAll, config.intervalMillis(), config.intervalMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        ticker.shutdownNow();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addCamera(SupervisedCamera camera) {
        cameras.put(camera, new CameraWatch());
    }

    void removeCamera(SupervisedCamera camera) {
        cameras.remove(camera);
    }

    /** On the watchdog's thread; whatever one round throws is logged, and the next round runs all the same. */
    private void checkAll() {
        try {
            checkAllOnce();
        } catch (RuntimeException | Error e) {
            log.error("watchdog round failed: {}", e.toString(), e);
        }
    }

    private void checkAllOnce() {
        long nextDue = 0;
        for (Map.Entry<SupervisedCamera, CameraWatch> e : cameras.entrySet()) {
            SupervisedCamera camera = e.getKey();
            try {
                CameraWatch.Decision d = e.getValue().check(camera.probe(), camera.policy(), config, System.nanoTime());
                camera.report(d.report());
                if (d.restartReason() != null) {
                    log.warn("camera {}: {}", camera.cameraId(), d.restartReason());
                    camera.restart(d.restartReason());
                } else if (d.report().override() != null && !d.report().reason().isEmpty()) {
                    log.debug("camera {}: {}", camera.cameraId(), d.report().reason());
                }
            } catch (RuntimeException | Error ex) {
                log.error("camera {}: watchdog check failed: {}", camera.cameraId(), ex.toString(), ex);
            }
            long due = e.getValue().pendingRestartAt();
            if (due != 0 && (nextDue == 0 || due - nextDue < 0)) {
                nextDue = due;
            }
        }
        if (nextDue != 0) {
            // a restart is due before the next regular check: an extra check at its time, not up to an interval late
            long in = nextDue - System.nanoTime();
            if (in < TimeUnit.MILLISECONDS.toNanos(config.intervalMillis())) {
                try {
                    ticker.schedule(this::checkAll, Math.max(0, in), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    // deactivated
                }
            }
        }
    }
}
