package io.framebus.e2e.harness;

import io.framebus.e2e.RecorderSummary;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One run of the real system: a fresh copy of the Felix distribution with the recorder bundle added, the demo and
 * sample cameras, the console status lines and the example consumer removed, its own ring directory and HTTP port,
 * started with bin/framebus like a user does; cameras are added as conf/io.framebus.camera-&lt;id&gt;.cfg files.
 */
final class FelixRun implements AutoCloseable {
    static final String TRACE = "trace.txt";
    static final String SAFEPOINTS = "safepoints.log";
    private final Path home;
    private final Path rings;
    private final Path summaryFile;
    private Process felix;

    private FelixRun(Path home, Path rings) {
        this.home = home;
        this.rings = rings;
        this.summaryFile = home.resolve("recorder.summary");
    }

    /**
     * @param home        where the copy goes; emptied first. The capture program's class-data archive is only valid
     *                    for the class path that made it, so every run uses the same home
     * @param nativeCache the manager's nativeCacheDirectory (JavaCPP's unpacked FFmpeg and the class-data archive)
     * @param javaOpts    extra options of the runtime JVM (bin/framebus's FRAMEBUS_JAVA_OPTS), e.g. for JFR
     * @param directDelivery the recorder subscribes with a direct executor (its callback runs on the camera's
     *                    delivery thread) instead of a thread pool
     * @param inPlace     the recorder subscribes in place ({@code FrameSource.subscribeInPlace}): no frame copies
     */
    static FelixRun start(Path dist, Path recorderBundle, Path home, Path rings, Path nativeCache, String javaOpts,
                          boolean directDelivery, boolean inPlace) throws IOException {
        FelixRun run = new FelixRun(home, rings);
        deleteTree(home);
        copyTree(dist, home);
        Path conf = home.resolve("conf");
        for (String drop : List.of("io.framebus.camera-demo.cfg", "io.framebus.camera-sample.cfg",
                "io.framebus.example.brightness.cfg")) {
            Files.deleteIfExists(conf.resolve(drop));
        }
        // the log on the terminal (felix.log here), without the status lines
        Files.writeString(conf.resolve("io.framebus.console.cfg"), "statusIntervalSeconds = 0\nlogLevel = INFO\n");
        try (Stream<Path> s = Files.list(home.resolve("bundle"))) {
            for (Path b : s.filter(p -> p.getFileName().toString().startsWith("io.framebus.example.")).toList()) {
                Files.delete(b);
            }
        }
        Files.copy(recorderBundle, home.resolve("bundle").resolve(recorderBundle.getFileName()),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(conf.resolve("io.framebus.manager.cfg"), "ringDirectory = " + rings + "\n"
                + "nativeCacheDirectory = " + nativeCache + "\n");
        // a free port for the web bundle: 8080 may be taken (the launcher's default, before FileInstall's cfg)
        int port = freePort();
        Path props = home.resolve("etc/felix.properties");
        Files.writeString(props, Files.readString(props).replace("org.osgi.service.http.port=8080",
                "org.osgi.service.http.port=" + port));
        Files.writeString(conf.resolve("org.apache.felix.http.cfg"), "org.osgi.service.http.port = " + port + "\n");
        Files.writeString(conf.resolve("io.framebus.e2e.recorder.cfg"), "outputFile = " + run.summaryFile + "\n"
                + "ringDirectory = " + rings + "\n" + "intervalMillis = 1000\n" + "ageSampleMillis = 20\n"
                + "traceFile = " + home.resolve(TRACE) + "\n" + "directDelivery = " + directDelivery + "\n"
                + "inPlace = " + inPlace + "\n");
        // every stop-the-world pause of the runtime JVM, on the monotonic clock of the trace (cheap: a line per pause)
        String opts = ("-Xlog:safepoint=info:file=" + home.resolve(SAFEPOINTS) + ":timenanos " + javaOpts).trim();
        // the Gogo shell reads stdin: the pipe stays open for the whole run (its end would stop the framework)
        run.felix = Children.start(List.of("bash", home.resolve("bin/framebus").toString()), home,
                home.resolve("felix.log"), null, Map.of("FRAMEBUS_JAVA_OPTS", opts));
        return run;
    }

    Path home() {
        return home;
    }

    Path rings() {
        return rings;
    }

    long pid() {
        return felix.pid();
    }

    boolean alive() {
        return felix.isAlive();
    }

    /** Writes the camera's cfg file (atomically: FileInstall must never see half a file); returns when, epoch ms. */
    long addCamera(String id, String url, double fps) throws IOException {
        Path conf = home.resolve("conf");
        Path tmp = conf.resolve("." + id + ".tmp");
        Files.writeString(tmp, "id = " + id + "\nname = e2e " + id + "\nurl = " + url + "\nfps = " + fps + "\n");
        long now = System.currentTimeMillis();
        Files.move(tmp, conf.resolve("io.framebus.camera-" + id + ".cfg"), StandardCopyOption.ATOMIC_MOVE);
        return now;
    }

    /** The recorder's newest summary, or null before the first one (or if it could not be read). */
    RecorderSummary summary() {
        try {
            return Files.exists(summaryFile) ? RecorderSummary.read(summaryFile) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * camera id -> pid of its capture process: the writer pid in the header of each ring (docs/shm-format.md, offset
     * 56), not the command line, since a camera that took the standby capture process has no
     * {@code -Dframebus.camera=<id>} there. Only pids that are this runtime's children count.
     */
    Map<String, Long> capturePids() {
        java.util.Set<Long> children = felix.descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
        Map<String, Long> pids = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(rings)) {
            for (Path ring : s.filter(p -> p.getFileName().toString().endsWith(".ring")).sorted().toList()) {
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(ring, StandardOpenOption.READ)) {
                    java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(64 + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    ch.read(header, 0);
                    long pid = header.getLong(56);
                    if (children.contains(pid)) {
                        String name = ring.getFileName().toString();
                        pids.put(name.substring(0, name.length() - ".ring".length()), pid);
                    }
                } catch (IOException | RuntimeException beingReplaced) {
                    // a ring being created or removed right now
                }
            }
        } catch (IOException noRingsYet) {
            // the directory is made by the manager
        }
        return pids;
    }

    /** Capture processes of this copy of the distribution still alive anywhere (after the runtime stopped: orphans). */
    List<ProcessHandle> captureProcessesAnywhere() {
        String marker = home.resolve("capture").toString();
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains("io.framebus.capture.CaptureMain")
                        && c.contains(marker)).orElse(false))
                .collect(Collectors.toList());
    }

    List<Path> filesInRingDirectory() {
        if (!Files.isDirectory(rings)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(rings)) {
            // the manager's lock file stays after a kill -9 of the runtime (the kernel drops the lock itself)
            return s.filter(p -> !p.getFileName().toString().equals(".framebus-manager.lock")).collect(Collectors.toList());
        } catch (IOException e) {
            return List.of();
        }
    }

    /** SIGTERM (what Ctrl-C does) and wait: the runtime stops every capture process and deletes its rings. */
    boolean stop(long graceMillis) {
        Children.terminate(felix, graceMillis);
        return !felix.isAlive();
    }

    /** Keeps the logs, configuration and the summary of this run in {@code dir}. */
    void keepRecords(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String f : List.of("felix.log", "recorder.summary", TRACE, SAFEPOINTS)) {
            if (Files.exists(home.resolve(f))) {
                Files.copy(home.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        copyTree(home.resolve("conf"), dir.resolve("conf"));
    }

    @Override
    public void close() {
        if (felix != null && felix.isAlive()) {
            Children.terminate(felix, 30_000);
        }
        for (ProcessHandle p : captureProcessesAnywhere()) {
            p.destroyForcibly();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(from)) {
            all = s.filter(p -> !from.relativize(p).toString().startsWith("felix-cache")).collect(Collectors.toList());
        }
        for (Path p : all) {
            Path target = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
                Files.createDirectories(target);
            } else {
                Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort
        }
    }

    static List<String> tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return new ArrayList<>(all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return List.of();
        }
    }
}
