package io.framebus.capture.testing;

import io.framebus.contract.CaptureSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real capture process for tests, started the way the manager starts it: {@code java -cp '<lib>/*'
 * io.framebus.capture.CaptureMain} with no arguments, the settings document written to its stdin, stdin then kept
 * open. It collects the process's stderr lines and counts the doorbell bytes on its stdout.
 *
 * <p>The test owns the process: {@link #close()} closes stdin (the process stops by itself within a second), then
 * destroys it, then destroys it forcibly, so nothing survives a failed test.
 *
 * <p>The capture lib folder comes from the system property {@code framebus.capture.lib} (set by this module's
 * failsafe configuration), else {@code capture-process/target/capture/lib} searched from the working directory up.
 */
public final class CaptureProcess implements AutoCloseable {
    /**
     * The JVM options the tests run capture processes with: the lean set docs/capture-process.md recommends (less
     * the class-data archive, which is specific to one JVM build).
     */
    public static final List<String> JVM_OPTIONS = List.of("-Xms8m", "-Xmx64m", "-Xss512k", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=warning:stderr");

    private final Process process;
    private final OutputStream stdin;
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final AtomicLong doorbell = new AtomicLong();

    private CaptureProcess(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        Thread err = new Thread(this::drainStderr, "capture-stderr-" + process.pid());
        err.setDaemon(true);
        err.start();
        Thread out = new Thread(this::countDoorbell, "capture-doorbell-" + process.pid());
        out.setDaemon(true);
        out.start();
    }

    /**
     * A settings document builder, in the order the keys are written; it publishes every frame ({@code fps=0})
     * unless a test sets {@code fps}, so that tests see the source's own rate.
     */
    public static Map<String, String> settings(String cameraId, String url, Path ringPath) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(CaptureSettings.CAMERA_ID, cameraId);
        s.put(CaptureSettings.URL, url);
        s.put(CaptureSettings.RING_PATH, ringPath.toString());
        s.put(CaptureSettings.FPS, "0");
        return s;
    }

    /** Starts a capture process and sends it {@code settings} (each value escaped as Properties text). */
    public static CaptureProcess start(Map<String, String> settings) throws IOException {
        StringBuilder doc = new StringBuilder();
        settings.forEach((k, v) -> doc.append(escape(k)).append('=').append(escape(v)).append('\n'));
        doc.append('\n');
        return startWithDocument(doc.toString(), List.of());
    }

    /**
     * Starts a capture process and writes {@code document} verbatim to its stdin (for malformed documents);
     * {@code args} are program arguments (the program refuses any).
     */
    public static CaptureProcess startWithDocument(String document, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_OPTIONS);
        cmd.add("-cp");
        cmd.add(libDir() + "/*");
        cmd.add("io.framebus.capture.CaptureMain");
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).start();
        CaptureProcess cp = new CaptureProcess(p);
        try {
            cp.stdin.write(document.getBytes(StandardCharsets.UTF_8));
            cp.stdin.flush();
        } catch (IOException processAlreadyGone) {
            // e.g. it refused its arguments before reading stdin; the exit code tells the test
        }
        return cp;
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code; only once the process has ended. */
    public int exitValue() {
        return process.exitValue();
    }

    /** Every stderr line so far. */
    public List<String> stderrLines() {
        return List.copyOf(stderr);
    }

    /** stderr so far as one text, for assertions and failure messages. */
    public String stderr() {
        return String.join("\n", stderr);
    }

    /** Doorbell bytes received on stdout so far. */
    public long doorbellBytes() {
        return doorbell.get();
    }

    /** CPU time the process has used, as the OS reports it. */
    public Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** Closes stdin: what the process sees when its parent dies. */
    public void closeStdin() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /**
     * SIGTERM, and nothing else. ({@link Process#destroy()} would also close the pipes, and the process would see
     * its stdin end at the same moment.)
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL: the process gets no chance to clean up. The pipes stay open on this side, as with a real kill -9. */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    /** Waits for the process to end; true when it did within {@code timeout}. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        closeStdin();
        if (!process.waitFor(3, TimeUnit.SECONDS)) {
            process.destroy();
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private void drainStderr() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                stderr.add(line);
            }
        } catch (IOException ignored) {
            // process gone
        }
    }

    private void countDoorbell() {
        byte[] buf = new byte[4096];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                doorbell.addAndGet(n);
            }
        } catch (IOException ignored) {
            // process gone
        }
    }

    static Path libDir() {
        String configured = System.getProperty("framebus.capture.lib");
        if (configured != null && Files.isDirectory(Paths.get(configured))) {
            return Paths.get(configured);
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : List.of(dir.resolve("target/capture/lib"),
                    dir.resolve("capture-process/target/capture/lib"))) {
                if (Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("capture lib folder not found: build capture-process (mvn package) or set "
                + "-Dframebus.capture.lib");
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '=', ':', '#', '!' -> sb.append('\\').append(c);
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
