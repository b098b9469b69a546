package io.framebus.manager.internal;

import io.framebus.contract.CaptureLogLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One running capture JVM and its three pipes: stdin carries the settings and then stays open (its EOF tells the
 * child that we died), stdout is the doorbell (one byte per published frame), stderr is the child's log.
 */
final class CaptureProcess {
    /** The environment variables a capture process inherits from the runtime; every other one is dropped. */
    static final java.util.Set<String> CHILD_ENVIRONMENT = java.util.Set.of("PATH", "HOME", "USER", "LOGNAME", "LANG",
            "TZ", "TMPDIR", "LD_LIBRARY_PATH");
    /** USER_HZ, the unit of /proc's CPU times: 100 on every Linux architecture Java runs on. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private final String cameraId;
    private final Process process;
    private final OutputStream stdin;
    private final Thread doorbellThread;
    private final Thread logThread;
    private final long startedNanos = System.nanoTime();

    private CaptureProcess(String cameraId, Process process, Runnable doorbell, Consumer<String> log) {
        this.cameraId = cameraId;
        this.process = process;
        this.stdin = process.getOutputStream();
        this.doorbellThread = new Thread(() -> pumpDoorbell(process.getInputStream(), doorbell, log),
                "framebus-doorbell-" + cameraId);
        this.logThread = new Thread(() -> pumpLog(process.getErrorStream(), log), "framebus-log-" + cameraId);
        doorbellThread.setDaemon(true);
        logThread.setDaemon(true);
        doorbellThread.start();
        logThread.start();
    }

    /**
     * Starts {@code java [jvmArgs] -Dframebus.camera=<id> -cp <home>/lib/* io.framebus.capture.CaptureMain} (an
     * argument list, no shell) and writes {@code settings} to its stdin. Nothing secret is on the command line.
     */
    static CaptureProcess start(String cameraId, Path java, List<String> jvmArgs, Path captureHome,
                                String settings, Runnable doorbell, Consumer<String> log) throws IOException {
        // -Dframebus.camera lets `ps` and pgrep tell capture processes apart
        Process p = launch(java, jvmArgs, "-Dframebus.camera=" + cameraId, captureHome);
        return adopt(cameraId, p, settings, doorbell, log);
    }

    /** Starts the capture program; it waits for its settings on stdin. */
    static Process launch(Path java, List<String> jvmArgs, String marker, Path captureHome) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(jvmArgs);
        cmd.add(marker);
        cmd.add("-cp");
        cmd.add(captureHome.resolve("lib").toString() + "/*"); // expanded by the java launcher, not a shell
        cmd.add("io.framebus.capture.CaptureMain");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // only what a JVM and FFmpeg need: a secret passed to the runtime as $[env:NAME] stays out of the capture
        // processes' /proc/<pid>/environ
        pb.environment().keySet().removeIf(k -> !CHILD_ENVIRONMENT.contains(k) && !k.startsWith("LC_"));
        return pb.start();
    }

    /** Makes a started capture program (new, or a {@link StandbyProcess}) the camera's: writes its settings. */
    static CaptureProcess adopt(String cameraId, Process p, String settings, Runnable doorbell, Consumer<String> log)
            throws IOException {
        CaptureProcess cp = new CaptureProcess(cameraId, p, doorbell, log);
        try {
            cp.stdin.write(settings.getBytes(StandardCharsets.UTF_8));
            cp.stdin.flush();
        } catch (IOException e) {
            cp.kill();
            throw new IOException("capture process of " + cameraId + " exited before it read its settings", e);
        }
        return cp;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Exit code, or -1 while running. */
    int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    Duration sinceStart() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    long cpuNanos() {
        long fromProc = procCpuNanos(Path.of("/proc", Long.toString(process.pid()), "stat"));
        return fromProc >= 0 ? fromProc : process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /**
     * utime + stime of {@code /proc/<pid>/stat}, or -1. The watchdog asks 4 times a second per camera;
     * {@code ProcessHandle.info()} reads four /proc files and resolves the user name each time (measured: the
     * watchdog thread at 1 % of a core for 16 cameras), this reads one.
     */
    static long procCpuNanos(Path stat) {
        try {
            String s = Files.readString(stat, StandardCharsets.US_ASCII);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15: utime, stime
            return ticks * (TimeUnit.SECONDS.toNanos(1) / CLOCK_TICKS_PER_SECOND);
        } catch (IOException | RuntimeException notLinuxOrGone) {
            return -1;
        }
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    /**
     * Graceful stop: close stdin (the child closes its ring and exits within a second), then SIGTERM, then
     * SIGKILL, each after a bounded wait.
     */
    void stop(Duration grace) {
        closeStdin();
        if (!waitFor(grace)) {
            process.destroy();
            if (!waitFor(grace)) {
                kill();
            }
        }
        joinPumps();
    }

    /** SIGKILL now (also works on a SIGSTOPped process), and wait for it to be gone. */
    void kill() {
        closeStdin();
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
        joinPumps();
    }

    private void closeStdin() {
        try {
            stdin.close();
        } catch (IOException alreadyGone) {
            // the child is gone or going: nothing to tell it
        }
    }

    private boolean waitFor(Duration d) {
        try {
            return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private void joinPumps() {
        try {
            doorbellThread.join(2000);
            logThread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pumpDoorbell(InputStream in, Runnable doorbell, Consumer<String> log) {
        byte[] buf = new byte[256];
        try (in) {
            // blocks on the pipe: an idle camera costs nothing; a burst of bytes is one wake-up
            while (in.read(buf) >= 0) {
                try {
                    doorbell.run();
                } catch (RuntimeException e) {
                    // a consumer's failure must not stop the camera's deliveries: report it and go on
                    log.accept(CaptureLogLine.format(cameraId, CaptureLogLine.Level.ERROR,
                            "frame delivery failed: " + e));
                }
            }
        } catch (IOException closed) {
            // the process ended
        }
    }

    private static void pumpLog(InputStream err, Consumer<String> log) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    log.accept(line);
                }
            }
        } catch (IOException closed) {
            // the process ended
        }
    }

    @Override
    public String toString() {
        return "capture process " + process.pid() + " of " + cameraId;
    }
}
