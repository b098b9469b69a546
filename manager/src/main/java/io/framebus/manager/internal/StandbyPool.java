package io.framebus.manager.internal;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.log.Logger;

/**
 * Keeps at most one {@link StandbyProcess} ready for the next camera start. All of its state is under one lock;
 * processes are started and ended outside it (a start takes a fork, an end up to a second).
 */
final class StandbyPool {
    /** A new standby starts this long after the last one was taken, not during the restart that took it. */
    static final long REFILL_DELAY_MILLIS = 2000;

    private final CaptureJvm jvm;
    private final ScheduledExecutorService scheduler;
    private final Logger log;
    private final Object lock = new Object();
    /** The standby, or null; guarded by {@link #lock}. */
    private StandbyProcess standby;
    /** Guarded by {@link #lock}: false once closed, and no standby is started from then on. */
    private boolean open = true;

    StandbyPool(CaptureJvm jvm, ScheduledExecutorService scheduler, Logger log) {
        this.jvm = jvm;
        this.scheduler = scheduler;
        this.log = log;
        refillLater();
    }

    /**
     * The standby if it fits {@code args}, else null: a camera with JVM options of its own leaves it for the next
     * camera, and one that predates the class-data archive is replaced by {@link #refill}, scheduled here.
     */
    StandbyProcess take(List<String> args) {
        StandbyProcess taken = null;
        synchronized (lock) {
            if (standby != null && standby.fits(args)) {
                taken = standby;
                standby = null;
            }
        }
        refillLater();
        return taken;
    }

    /** Starts a standby if there is none, or replaces one that no longer fits (the archive came, it died). */
    void refill() {
        List<String> args = jvm.standbyArgs();
        StandbyProcess stale;
        synchronized (lock) {
            if (!open || (standby != null && standby.fits(args))) {
                return;
            }
            stale = standby;
            standby = null;
        }
        if (stale != null) {
            stopInBackground(stale);
        }
        try {
            StandbyProcess started = jvm.startStandby(args);
            StandbyProcess surplus = null;
            synchronized (lock) {
                if (open && standby == null) {
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

    /** Ends the standby; none is started afterwards. */
    void close() {
        StandbyProcess idle;
        synchronized (lock) {
            open = false;
            idle = standby;
            standby = null;
        }
        if (idle != null) {
            idle.stop();
        }
    }

    private void refillLater() {
        try {
            scheduler.schedule(this::refill, REFILL_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the runtime is deactivating
        }
    }

    /** Ends an unused standby off the calling thread (a camera start, or the ticker that attaches rings). */
    private static void stopInBackground(StandbyProcess s) {
        Thread stopper = new Thread(s::stop, "framebus-standby-stop");
        stopper.setDaemon(true);
        stopper.start();
    }
}
