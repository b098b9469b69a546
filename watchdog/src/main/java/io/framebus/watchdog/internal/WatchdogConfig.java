package io.framebus.watchdog.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Watchdog settings, PID {@code io.framebus.watchdog}; per-camera limits come from each camera's configuration. */
@ObjectClassDefinition(id = WatchdogConfig.PID, name = "framebus watchdog",
        description = "How often capture processes are checked and how restarts are paced.")
@interface WatchdogConfig {
    String PID = "io.framebus.watchdog";

    @AttributeDefinition(name = "Check interval (ms)", description = "How often every camera is checked.",
            min = "50", max = "60000")
    int intervalMillis() default 250;

    @AttributeDefinition(name = "Frozen process timeout (ms)", description = "A capture process whose heartbeat "
            + "(every 200 ms while its loop keeps its promises) is older than this is hung or frozen (SIGSTOP, a "
            + "deadlock, stuck in native code) and is restarted, whatever the camera's stall timeout says; the stall "
            + "timeout is for a stream that stops while its process lives. The smaller of the two applies.",
            min = "300", max = "600000")
    int frozenTimeoutMillis() default 1500;

    @AttributeDefinition(name = "First restart delay (ms)", description = "Wait before the first restart; doubles "
            + "(with jitter) for each further restart without a stable run in between.", min = "0", max = "600000")
    int restartDelayMillis() default 100;

    @AttributeDefinition(name = "Maximum restart delay (ms)", description = "Cap of the restart backoff.",
            min = "0", max = "3600000")
    int restartDelayMaxMillis() default 30000;

    @AttributeDefinition(name = "Stable run (ms)", description = "A capture process healthy this long resets the "
            + "backoff.", min = "1000", max = "86400000")
    int stableRunMillis() default 60000;

    @AttributeDefinition(name = "FAILED retry interval (ms)", description = "How often a FAILED camera (too many "
            + "restarts within its restart window) is still retried.", min = "1000", max = "86400000")
    int failedRetryMillis() default 60000;

    @AttributeDefinition(name = "Startup grace (ms)", description = "Added to the stall timeout for a capture process "
            + "that has not created its ring yet (JVM start, first unpacking of FFmpeg's libraries).",
            min = "0", max = "600000")
    int startupGraceMillis() default 15000;
}
