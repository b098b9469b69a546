package io.framebus.benchmarks;

import io.framebus.api.FrameInfo;
import io.framebus.shm.RingFileException;
import io.framebus.shm.RingReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * True source-to-consumer latency of the capture process (issue 3, "Benchmarks", second bullet).
 *
 * <p>For each case (codec x source frame rate x publish cap): starts {@code tools/rtsp-test-server.py --timecode}
 * (1280x720 by default, H.264 or H.265, key frame every second) on a free 127.0.0.1 port, then a real capture process
 * ({@code java -cp 'distribution/target/framebus/capture/lib/*' io.framebus.capture.CaptureMain}, the lean JVM
 * options of docs/capture-process.md, settings on stdin) writing GRAY8 into a ring on /dev/shm. Two readers
 * in this JVM read every published frame: one wakes on the doorbell (the capture's stdout, one byte per frame, as
 * the manager does) and drains the ring with {@code readAfter}; the other loops {@code RingReader.awaitAfter}.
 * Each decodes the time code from the pixels ({@link Timecode}: the server's CLOCK_MONOTONIC when it produced the
 * frame) and records {@code System.nanoTime()} right after the frame was copied out of the ring minus that time.
 * Side by side, once the capture streams, {@code tools/rtsp-floor-client.py} (GStreamer: rtspsrc latency=0,
 * depayloader, avdec without frame threads, appsink) reads the same stream and the same time code: the floor, what
 * any client pays for server, network and decoding. The summary compares the capture's source-to-ring time (its
 * own capture stamp) with the floor, as a ratio and a difference of p99s (goal: at most floor + 15 ms).
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.framebus.benchmarks.SourceToConsumerLatency [--seconds 60]
 * [--warmup 5] [--codecs h264,h265] [--source-fps 2,6,25] [--rates 0] [--width 1280 --height 720] [--out DIR]
 * [--root DIR]}; {@code benchmarks/run.sh --only source-latency} runs it.
 * Everything it starts is stopped by pid, also on failure, and its ring directory is removed.
 */
public final class SourceToConsumerLatency {
    private static final String PYTHON = System.getProperty("framebus.python", "/usr/bin/python3");
    /** Frame size of the source and the ring (--width, --height; set once by main before anything runs). */
    private static int frameWidth = 1280;
    private static int frameHeight = 720;
    /** The lean JVM options of docs/capture-process.md (without the class-data archive), as the tests use them. */
    private static final List<String> CAPTURE_JVM = List.of("-Xms8m", "-Xmx64m", "-Xss512k", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=warning:stderr");

    private SourceToConsumerLatency() {
    }

    /** One frame as one reader saw it; times are CLOCK_MONOTONIC nanoseconds. */
    record Sample(long sequence, long encodedNanos, long captureMonoNanos, long readNanos) {
        long latency() {
            return readNanos - encodedNanos;
        }
    }

    /** What one run measures: the source's codec and frame rate, and the capture's publish cap (0: every frame). */
    record Case(String codec, int sourceFps, double publishFps) {
        String label() {
            return String.format(Locale.ROOT, "%s %d fps%s", codec.toUpperCase(Locale.ROOT), sourceFps,
                    publishFps == 0 ? "" : ", cap " + publishFps);
        }

        String file() {
            return codec + "-src" + sourceFps + "-cap" + publishFps;
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> a = List.of(args);
        int seconds = Integer.parseInt(option(a, "--seconds", "40"));
        int warmup = Integer.parseInt(option(a, "--warmup", "5"));
        frameWidth = Integer.parseInt(option(a, "--width", "1280"));
        frameHeight = Integer.parseInt(option(a, "--height", "720"));
        Path root = Paths.get(option(a, "--root", findRoot().toString())).toAbsolutePath();
        Path out = Paths.get(option(a, "--out", "benchmark-results")).toAbsolutePath();
        Files.createDirectories(out);
        Path lib = root.resolve("distribution/target/framebus/capture/lib");
        if (!Files.isDirectory(lib)) {
            lib = root.resolve("capture-process/target/capture/lib");
        }
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("no capture lib folder under " + root + ": run mvn -B -q install -DskipTests");
        }
        Path server = root.resolve("tools/rtsp-test-server.py");
        Path floor = root.resolve("tools/rtsp-floor-client.py");
        List<Case> cases = new ArrayList<>();
        for (String codec : option(a, "--codecs", "h264,h265").split(",")) {
            for (String src : option(a, "--source-fps", "2,6,25").split(",")) {
                for (String rate : option(a, "--rates", "0").split(",")) {
                    cases.add(new Case(codec, Integer.parseInt(src), Double.parseDouble(rate)));
                }
            }
        }

        StringBuilder summary = new StringBuilder();
        summary.append("# source-to-consumer latency, ").append(Instant.now()).append('\n')
                .append("source: ").append(server).append(" --timecode, ").append(frameWidth).append('x').append(frameHeight)
                .append(", key frame every second; capture: ").append(lib)
                .append(", GRAY8; floor: ").append(floor).append("; ").append(warmup).append(" s warm-up then ")
                .append(seconds).append(" s per case\n")
                .append("load average before: ").append(BenchmarkSuite.loadAverage()).append("\n\n");
        StringBuilder floorTable = new StringBuilder();
        floorTable.append("| source | floor p50 | floor p99 | framebus source → ring p50 | source → ring p99"
                + " | doorbell reader p99 | ratio ring/floor p99 | ring p99 − floor p99 | goal ≤ floor + 15 ms |\n");
        floorTable.append("|---|---|---|---|---|---|---|---|---|\n");
        summary.append("| case | reader | frames | p50 | p90 | p99 | max | first 10 s p50 / p99"
                + " | last 10 s p50 / p99 | slope | source → ring (capture stamp) p50 / p99 | ring → reader p50 / p99 |"
                + " undecodable | publish gaps |\n");
        summary.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Case c : cases) {
            RunResult r = runOnce(server, floor, lib, c, warmup, seconds, out);
            summary.append(row(c, "doorbell + readAfter", r.doorbell(), r.doorbellBad(), seconds));
            summary.append(row(c, "awaitAfter", r.polling(), r.pollingBad(), seconds));
            summary.append(row(c, "floor (GStreamer)", r.floor(), r.floorBad(), seconds));
            floorTable.append(floorRow(c, r));
            writeCsv(out.resolve("source-latency-" + c.file() + "-doorbell.csv"), r.doorbell());
            writeCsv(out.resolve("source-latency-" + c.file() + "-awaitafter.csv"), r.polling());
            writeCsv(out.resolve("source-latency-" + c.file() + "-floor.csv"), r.floor());
            System.out.print(floorTable);
        }
        summary.append("\n").append(floorTable);
        summary.append("\nload average after: ").append(BenchmarkSuite.loadAverage()).append('\n');
        Files.writeString(out.resolve("source-latency.md"), summary, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(summary);
        System.out.println("(written to " + out.resolve("source-latency.md") + ", one CSV per series next to it)");
    }

    record RunResult(List<Sample> doorbell, int doorbellBad, List<Sample> polling, int pollingBad,
                     List<Sample> floor, int floorBad) {
    }

    /** One row of the floor comparison: the capture's source-to-ring time against the floor client's. */
    static String floorRow(Case c, RunResult r) {
        if (r.doorbell().isEmpty() || r.floor().isEmpty()) {
            return "| " + c.label() + " | no frames | | | | | | | |\n";
        }
        LatencyStats floor = stats(r.floor(), Sample::latency);
        LatencyStats toRing = stats(r.doorbell(), x -> x.captureMonoNanos() - x.encodedNanos());
        LatencyStats reader = stats(r.doorbell(), Sample::latency);
        long excess = toRing.p99Nanos() - floor.p99Nanos();
        return String.format(Locale.ROOT, "| %s | %s | %s | %s | **%s** | %s | %.2f | %s | %s |%n", c.label(),
                ms(floor.p50Nanos()), ms(floor.p99Nanos()), ms(toRing.p50Nanos()), ms(toRing.p99Nanos()),
                ms(reader.p99Nanos()), (double) toRing.p99Nanos() / Math.max(1, floor.p99Nanos()), ms(excess),
                excess <= 15_000_000L ? "met" : "not met");
    }

    private static RunResult runOnce(Path serverScript, Path floorScript, Path lib, Case c, int warmup, int seconds,
                                     Path out) throws Exception {
        double fps = c.publishFps();
        System.out.printf(Locale.ROOT, "== %s: %d s warm-up, %d s measured%n", c.label(), warmup, seconds);
        List<Process> started = new ArrayList<>();
        Thread hook = new Thread(() -> started.forEach(SourceToConsumerLatency::stop), "source-latency-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> readers = new ArrayList<>();
        try (ScratchDirectory scratch = ScratchDirectory.create()) {
            int port = freePort();
            Process server = new ProcessBuilder(PYTHON, serverScript.toString(), "--port", Integer.toString(port),
                    "--width", Integer.toString(frameWidth), "--height", Integer.toString(frameHeight),
                    "--fps", Integer.toString(c.sourceFps()), "--codec", c.codec(), "--timecode", "--exit-on-eof")
                    .redirectError(out.resolve("rtsp-server-" + c.file() + ".log").toFile()).start();
            started.add(server);
            awaitReady(server);
            String url = "rtsp://127.0.0.1:" + port + "/test";

            Path ring = scratch.resolve("srclat.ring");
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(CAPTURE_JVM);
            command.addAll(List.of("-cp", lib + "/*", "io.framebus.capture.CaptureMain"));
            Process capture = new ProcessBuilder(command)
                    .redirectError(out.resolve("capture-" + c.file() + ".log").toFile()).start();
            started.add(capture);
            String settings = "cameraId=srclat\n"
                    + "url=rtsp\\://127.0.0.1\\:" + port + "/test\n"
                    + "ringPath=" + ring + "\n"
                    + "width=" + frameWidth + "\nheight=" + frameHeight + "\npixelFormat=GRAY8\n"
                    + "fps=" + fps + "\n\n";
            OutputStream stdin = capture.getOutputStream();
            stdin.write(settings.getBytes(StandardCharsets.UTF_8));
            stdin.flush(); // and stays open: its end would stop the capture

            List<Sample> doorbell = new ArrayList<>();
            List<Sample> polling = new ArrayList<>();
            List<Sample> floor = new ArrayList<>();
            int[] bad = new int[3];
            CompletableFuture<Void> firstFrame = new CompletableFuture<>();
            Thread bell = new Thread(() -> doorbellLoop(capture.getInputStream(), ring, doorbell, bad, 0, firstFrame,
                    running), "doorbell-reader");
            Thread poll = new Thread(() -> pollingLoop(ring, polling, bad, firstFrame, running), "awaitafter-reader");
            readers.add(bell);
            readers.add(poll);
            bell.setDaemon(true);
            poll.setDaemon(true);
            bell.start();
            poll.start();

            firstFrame.get(30, TimeUnit.SECONDS);
            // the floor client joins once the capture streams, so that neither pays for the other's session setup
            Process floorClient = new ProcessBuilder(PYTHON, floorScript.toString(), "--url", url, "--codec",
                    c.codec(), "--width", Integer.toString(frameWidth), "--height", Integer.toString(frameHeight),
                    "--exit-on-eof").redirectError(out.resolve("floor-" + c.file() + ".log").toFile()).start();
            started.add(floorClient);
            Thread floorReader = new Thread(() -> floorLoop(floorClient.getInputStream(), floor, bad, running),
                    "floor-reader");
            floorReader.setDaemon(true);
            floorReader.start();
            readers.add(floorReader);
            long start = System.nanoTime();
            System.out.println("first frame read; warming up");
            Thread.sleep(warmup * 1000L);
            long measureFrom = System.nanoTime();
            int lastBad0;
            int lastBad1;
            int lastBad2;
            synchronized (bad) {
                lastBad0 = bad[0];
                lastBad1 = bad[1];
                lastBad2 = bad[2];
            }
            Thread.sleep(seconds * 1000L);
            long measureTo = System.nanoTime();
            running.set(false);
            if (!capture.isAlive()) {
                throw new IllegalStateException("capture process exited with " + capture.exitValue());
            }
            if (!floorClient.isAlive()) {
                throw new IllegalStateException("floor client exited with " + floorClient.exitValue());
            }
            stop(floorClient);
            stop(capture);
            for (Thread t : readers) {
                t.join(3000);
            }
            System.out.printf(Locale.ROOT, "measured %.1f s after %.1f s warm-up%n", (measureTo - measureFrom) / 1e9,
                    (measureFrom - start) / 1e9);
            synchronized (bad) {
                return new RunResult(window(doorbell, measureFrom, measureTo), bad[0] - lastBad0,
                        window(polling, measureFrom, measureTo), bad[1] - lastBad1,
                        window(floor, measureFrom, measureTo), bad[2] - lastBad2);
            }
        } finally {
            running.set(false);
            for (int i = started.size() - 1; i >= 0; i--) {
                stop(started.get(i));
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook stops them anyway
            }
        }
    }

    private static List<Sample> window(List<Sample> all, long from, long to) {
        synchronized (all) {
            return all.stream().filter(s -> s.readNanos() - from >= 0 && to - s.readNanos() > 0).toList();
        }
    }

    /** The manager's path: block on the doorbell pipe, then drain every frame published since the last read. */
    private static void doorbellLoop(InputStream bellPipe, Path ring, List<Sample> samples, int[] bad, int badIndex,
                                     CompletableFuture<Void> first, AtomicBoolean running) {
        byte[] bytes = new byte[256];
        ByteBuffer buf = ByteBuffer.allocateDirect(frameWidth * frameHeight);
        RingReader reader = null;
        long generation = 0;
        long last = 0;
        try {
            while (running.get()) {
                int n = bellPipe.read(bytes);
                if (n < 0) {
                    return;
                }
                if (reader == null) {
                    reader = openRing(ring);
                }
                FrameInfo info;
                buf.clear();
                while ((info = reader.readAfter(generation, last, buf)) != null) {
                    long now = System.nanoTime();
                    generation = info.generation();
                    last = info.sequence();
                    record(info, buf, now, samples, bad, badIndex, first);
                    buf.clear();
                }
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (running.get()) {
                e.printStackTrace();
                first.completeExceptionally(e);
            }
        } finally {
            if (reader != null) {
                reader.close();
            }
        }
    }

    /** The floor client's lines: {@code FRAME <time code micros> <arrival CLOCK_MONOTONIC nanos>}. */
    private static void floorLoop(InputStream lines, List<Sample> samples, int[] bad, AtomicBoolean running) {
        BufferedReader in = new BufferedReader(new InputStreamReader(lines, StandardCharsets.UTF_8));
        long n = 0;
        try {
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split(" ");
                if (f.length != 3 || !f[0].equals("FRAME")) {
                    continue;
                }
                long micros = Long.parseLong(f[1]);
                long arrived = Long.parseLong(f[2]);
                if (micros < 0) {
                    synchronized (bad) {
                        bad[2]++;
                    }
                    continue;
                }
                synchronized (samples) {
                    // no ring here: the arrival time stands for both the capture stamp and the read
                    samples.add(new Sample(++n, micros * 1000, arrived, arrived));
                }
            }
        } catch (IOException | RuntimeException e) {
            if (running.get()) {
                e.printStackTrace();
            }
        }
    }

    /** A reader in another process without the doorbell: {@code awaitAfter} in a loop. */
    private static void pollingLoop(Path ring, List<Sample> samples, int[] bad, CompletableFuture<Void> first,
                                    AtomicBoolean running) {
        ByteBuffer buf = ByteBuffer.allocateDirect(frameWidth * frameHeight);
        try {
            while (running.get() && !Files.exists(ring)) {
                Thread.sleep(10);
            }
            if (!running.get()) {
                return;
            }
            try (RingReader reader = openRing(ring)) {
                long generation = 0;
                long last = 0;
                while (running.get()) {
                    buf.clear();
                    FrameInfo info = reader.awaitAfter(generation, last, buf, 200_000_000L);
                    long now = System.nanoTime();
                    if (info != null) {
                        generation = info.generation();
                        last = info.sequence();
                        record(info, buf, now, samples, bad, 1, first);
                    }
                }
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (running.get()) {
                e.printStackTrace();
                first.completeExceptionally(e);
            }
        }
    }

    private static void record(FrameInfo info, ByteBuffer buf, long readNanos, List<Sample> samples, int[] bad,
                               int badIndex, CompletableFuture<Void> first) {
        long micros = Timecode.decode(buf, frameWidth, frameHeight, 1, frameWidth);
        if (micros == Timecode.INVALID) {
            synchronized (bad) {
                bad[badIndex]++;
            }
            return;
        }
        synchronized (samples) {
            samples.add(new Sample(info.sequence(), micros * 1000, info.captureMonoNanos(), readNanos));
        }
        first.complete(null);
    }

    private static RingReader openRing(Path ring) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                return RingReader.open(ring);
            } catch (RingFileException | java.nio.file.NoSuchFileException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }

    static String row(Case c, String reader, List<Sample> s, int undecodable, int seconds) {
        if (s.isEmpty()) {
            return String.format(Locale.ROOT, "| %s | %s | 0 | | | | | | | | | | %d | |%n",
                    c.label(), reader, undecodable);
        }
        double fps = c.publishFps() == 0 ? c.sourceFps() : Math.min(c.publishFps(), c.sourceFps());
        long interval = Math.round(1e9 / fps);
        LatencyStats all = stats(s, Sample::latency);
        long t0 = s.get(0).readNanos();
        long tEnd = s.get(s.size() - 1).readNanos();
        List<Sample> firstTen = s.stream().filter(x -> x.readNanos() - t0 < 10_000_000_000L).toList();
        List<Sample> lastTen = s.stream().filter(x -> tEnd - x.readNanos() < 10_000_000_000L).toList();
        LatencyStats f = stats(firstTen, Sample::latency);
        LatencyStats l = stats(lastTen, Sample::latency);
        LatencyStats toRing = stats(s, x -> x.captureMonoNanos() - x.encodedNanos());
        LatencyStats ringToReader = stats(s, x -> x.readNanos() - x.captureMonoNanos());
        // frames missing between consecutive reads, judged by the source's own time (capture drops, reader laps)
        int gaps = 0;
        for (int i = 1; i < s.size(); i++) {
            if (s.get(i).encodedNanos() - s.get(i - 1).encodedNanos() > interval * 3 / 2) {
                gaps++;
            }
        }
        double expected = seconds * fps;
        return String.format(Locale.ROOT,
                "| %s | %s | %d (of ~%.0f) | %s | %s | **%s** | %s | %s / %s | %s / %s | %+.2f ms/min | %s / %s"
                        + " | %s / %s | %d | %d |%n",
                c.label(), reader, all.count(), expected, ms(all.p50Nanos()), ms(all.p90Nanos()),
                ms(all.p99Nanos()), ms(all.maxNanos()),
                ms(f.p50Nanos()), ms(f.p99Nanos()), ms(l.p50Nanos()), ms(l.p99Nanos()), slopeMsPerMinute(s),
                ms(toRing.p50Nanos()), ms(toRing.p99Nanos()), ms(ringToReader.p50Nanos()),
                ms(ringToReader.p99Nanos()), undecodable, gaps);
    }

    /** Least-squares slope of latency over read time: growth in ms per minute. */
    static double slopeMsPerMinute(List<Sample> s) {
        if (s.size() < 2) {
            return 0;
        }
        double t0 = s.get(0).readNanos();
        double mx = 0;
        double my = 0;
        for (Sample x : s) {
            mx += (x.readNanos() - t0) / 1e9;
            my += x.latency() / 1e6;
        }
        mx /= s.size();
        my /= s.size();
        double sxy = 0;
        double sxx = 0;
        for (Sample x : s) {
            double dx = (x.readNanos() - t0) / 1e9 - mx;
            sxy += dx * (x.latency() / 1e6 - my);
            sxx += dx * dx;
        }
        return sxx == 0 ? 0 : sxy / sxx * 60;
    }

    private static LatencyStats stats(List<Sample> s, java.util.function.ToLongFunction<Sample> f) {
        long[] v = s.stream().mapToLong(f).toArray();
        return LatencyStats.of(v, v.length);
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    private static void writeCsv(Path file, List<Sample> s) throws IOException {
        StringBuilder csv = new StringBuilder("sequence,encoded_mono_nanos,capture_mono_nanos,read_mono_nanos,latency_nanos\n");
        for (Sample x : s) {
            csv.append(x.sequence()).append(',').append(x.encodedNanos()).append(',').append(x.captureMonoNanos())
                    .append(',').append(x.readNanos()).append(',').append(x.latency()).append('\n');
        }
        Files.writeString(file, csv, StandardCharsets.UTF_8);
    }

    private static void awaitReady(Process server) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                return lines.readLine();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String line = ready.get(15, TimeUnit.SECONDS);
        if (line == null || !line.startsWith("READY")) {
            throw new IllegalStateException("RTSP test server did not start: " + line);
        }
    }

    /** Stops a process by its pid: its stdin closed, then SIGTERM, then SIGKILL. */
    private static void stop(Process p) {
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroy();
                if (!p.waitFor(3, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Path findRoot() {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("tools/rtsp-test-server.py"))) {
                return p;
            }
        }
        return Paths.get("").toAbsolutePath();
    }

    private static String option(List<String> a, String name, String fallback) {
        int i = a.indexOf(name);
        return i >= 0 && i + 1 < a.size() ? a.get(i + 1) : fallback;
    }
}
