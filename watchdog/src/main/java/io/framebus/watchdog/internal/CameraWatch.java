package io.framebus.watchdog.internal;

import io.framebus.api.SourceState;
import io.framebus.contract.CaptureExit;
import io.framebus.manager.CaptureProbe;
import io.framebus.manager.SupervisionPolicy;
import io.framebus.manager.WatchdogReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The watchdog's memory of one camera: progress, fps window, CPU samples, restart budget and a pending restart.
 * {@link #check} turns one probe into a decision. Not thread-safe: the watchdog's single thread owns it.
 */
final class CameraWatch {
    /** What {@link #check} wants done. */
    record Decision(WatchdogReport report, String restartReason) {
    }

    private static final long FPS_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final RestartBudget budget = new RestartBudget();
    private final Deque<long[]> fpsSamples = new ArrayDeque<>(); // {nanos, generation, sequence}
    private long progressGeneration = -1;
    private long progressSequence = -1;
    private long progressSinceNanos;
    private long lastCpuNanos = -1;
    private long lastCpuAtNanos;
    private double cpuPercent = -1;
    private long pendingRestartAt;
    private String pendingReason;
    private SourceState pendingState;
    /** The problem found by the last {@link #problem} call is one that restarting cannot fix. */
    private boolean permanentProblem;

    /** When the pending restart is due (monotonic nanoseconds), or 0 when none is pending. */
    long pendingRestartAt() {
        return pendingRestartAt;
    }

    Decision check(CaptureProbe probe, SupervisionPolicy policy, WatchdogConfig config, long now) {
        if (!probe.supervised()) {
            pendingRestartAt = 0;
            return new Decision(new WatchdogReport(null, "", 0, -1, -1), null);
        }
        double fps = fps(probe, now);
        sampleCpu(probe, now);
        long rss = rssBytes(probe.pid());

        if (pendingRestartAt != 0) {
            if (now - pendingRestartAt >= 0) {
                String reason = pendingReason;
                pendingRestartAt = 0;
                budget.recordRestart(now);
                progressGeneration = -1;
                return new Decision(new WatchdogReport(SourceState.RESTARTING, reason, fps, cpuPercent, rss), reason);
            }
            return new Decision(new WatchdogReport(pendingState, pendingReason, fps, cpuPercent, rss), null);
        }

        permanentProblem = false;
        String problem = problem(probe, policy, config, now);
        if (problem == null) {
            budget.healthy(now, TimeUnit.MILLISECONDS.toNanos(config.stableRunMillis()));
            return new Decision(new WatchdogReport(null, "", fps, cpuPercent, rss), null);
        }
        long window = TimeUnit.MILLISECONDS.toNanos(policy.restartWindowMillis());
        boolean failed = permanentProblem || budget.exhausted(now, window, policy.maxRestarts());
        long delay = failed ? TimeUnit.MILLISECONDS.toNanos(config.failedRetryMillis())
                : budget.nextDelayNanos(TimeUnit.MILLISECONDS.toNanos(config.restartDelayMillis()),
                        TimeUnit.MILLISECONDS.toNanos(config.restartDelayMaxMillis()));
        pendingRestartAt = now + delay;
        pendingState = failed ? SourceState.FAILED
                : probe.processAlive() ? SourceState.STALLED : SourceState.RESTARTING;
        pendingReason = problem + (permanentProblem
                ? String.format(Locale.ROOT, "; a restart cannot fix this, retrying every %d s",
                        config.failedRetryMillis() / 1000)
                : failed
                ? String.format(Locale.ROOT, "; %d restarts within %d s, retrying every %d s", budget.restartsWithin(now, window),
                        policy.restartWindowMillis() / 1000, config.failedRetryMillis() / 1000)
                : String.format(Locale.ROOT, "; restarting in %d ms", TimeUnit.NANOSECONDS.toMillis(delay)));
        return new Decision(new WatchdogReport(pendingState, pendingReason, fps, cpuPercent, rss), null);
    }

    private String problem(CaptureProbe probe, SupervisionPolicy policy, WatchdogConfig config, long now) {
        if (!probe.processAlive()) {
            CaptureExit end = CaptureExit.of(probe.exitCode());
            permanentProblem = end.permanent();
            return end == CaptureExit.NOT_STARTED ? "the capture process could not be started"
                    : "capture process " + probe.pid() + ": " + CaptureExit.describe(probe.exitCode());
        }
        long stall = TimeUnit.MILLISECONDS.toNanos(policy.stallTimeoutMillis());
        if (!probe.ringOfThisProcess()) {
            long grace = stall + TimeUnit.MILLISECONDS.toNanos(config.startupGraceMillis());
            return probe.sinceSpawnNanos() > grace
                    ? "capture process " + probe.pid() + " created no ring within " + seconds(grace) : null;
        }
        // the heartbeat beats every 200 ms while the capture loop keeps its promises: seconds without one is a frozen
        // or hung process, detected as fast whatever the stall timeout (which is about frames, not the process)
        long frozen = Math.min(stall, TimeUnit.MILLISECONDS.toNanos(config.frozenTimeoutMillis()));
        if (probe.heartbeatAgeNanos() > frozen) {
            return "capture process " + probe.pid() + " stopped beating for " + seconds(probe.heartbeatAgeNanos())
                    + " (hung or frozen)";
        }
        if (probe.generation() != progressGeneration || probe.publishedSequence() != progressSequence
                || probe.ringState() != SourceState.STREAMING) {
            progressGeneration = probe.generation();
            progressSequence = probe.publishedSequence();
            progressSinceNanos = now;
            return null;
        }
        if (now - progressSinceNanos > stall) {
            if (probe.heartbeatAgeNanos() > stall / 2) {
                // frames and heartbeat both stopped: a frozen process (the frame check can trip first, since its
                // clock starts at the check that last saw a frame, before the process's last beat)
                return "capture process " + probe.pid() + " stopped beating for " + seconds(probe.heartbeatAgeNanos())
                        + " (hung or frozen)";
            }
            return "no new frame for " + seconds(now - progressSinceNanos) + " while STREAMING";
        }
        return null;
    }

    private double fps(CaptureProbe probe, long now) {
        fpsSamples.addLast(new long[] {now, probe.generation(), probe.publishedSequence()});
        while (fpsSamples.size() > 2 && now - fpsSamples.peekFirst()[0] > FPS_WINDOW_NANOS) {
            fpsSamples.removeFirst();
        }
        long[] first = null;
        for (long[] s : fpsSamples) { // the oldest sample of the current generation
            if (s[1] == probe.generation()) {
                first = s;
                break;
            }
        }
        if (first == null || now - first[0] <= 0) {
            return 0;
        }
        return (probe.publishedSequence() - first[2]) * 1e9 / (now - first[0]);
    }

    private void sampleCpu(CaptureProbe probe, long now) {
        if (probe.cpuNanos() < 0) {
            cpuPercent = -1;
            return;
        }
        if (lastCpuNanos >= 0 && probe.cpuNanos() >= lastCpuNanos && now - lastCpuAtNanos >= TimeUnit.SECONDS.toNanos(1)) {
            cpuPercent = (probe.cpuNanos() - lastCpuNanos) * 100.0 / (now - lastCpuAtNanos);
        } else if (lastCpuNanos >= 0 && now - lastCpuAtNanos < TimeUnit.SECONDS.toNanos(1)) {
            return; // keep accumulating: sub-second CPU deltas are mostly clock granularity
        }
        lastCpuNanos = probe.cpuNanos();
        lastCpuAtNanos = now;
    }

    /** Resident set of a process from /proc (Linux); -1 elsewhere or when it is gone. */
    static long rssBytes(long pid) {
        if (pid <= 0) {
            return -1;
        }
        Path statm = Paths.get("/proc", Long.toString(pid), "statm");
        try {
            String[] fields = Files.readString(statm).trim().split("\\s+");
            return Long.parseLong(fields[1]) * 4096L;
        } catch (Exception gone) {
            return -1;
        }
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
