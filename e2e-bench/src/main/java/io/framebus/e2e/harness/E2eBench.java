package io.framebus.e2e.harness;

import io.framebus.e2e.LogHistogram;
import io.framebus.e2e.RecorderSummary;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The end-to-end benchmark and soak of docs/benchmarks.md ("End to end"). Run by e2e-bench/run.sh:
 *
 * <pre>
 * e2e-bench/run.sh [bench] [--ns 1,4,16] [--no-search] [--window 30] [--warmup 10] [--floor-window 20] [--kills 3]
 * e2e-bench/run.sh soak [minutes]   # default 30
 * </pre>
 *
 * <p>bench: makes the test media once (Debian ffmpeg), starts tools/rtsp-file-server.py, then for each N the
 * decode-only floor (N {@link DecodeFloor} processes; for N = 1 also the ffmpeg CLI) and the real system (a copy of
 * the Felix distribution with N camera cfg files and the {@link io.framebus.e2e.LatencyRecorder} bundle), then
 * searches upward for the largest N each of them sustains, and writes report.md.
 *
 * <p>soak: 8 cameras; every minute a kill -9 of a random capture process and a restart of the RTSP server; at the
 * end stuck cameras, orphan processes, leaked ring files, runtime RSS growth.
 *
 * <p>Every process it starts is ended by pid when it ends (also on failure or Ctrl-C); its ring directories
 * (/dev/shm/framebus-e2e-*) are removed.
 */
public final class E2eBench {
    /** Minutes of a soak before its runtime RSS counts as warmed up. */
    private static final int WARM_UP_MINUTES = 5;

    static final double SOURCE_FPS = 25;
    static final double PUBLISH_FPS = 6;
    private static final Set<Path> RING_DIRECTORIES = ConcurrentHashMap.newKeySet();

    private final Path root;
    private final Path target;
    private final Path work;
    private final String java;
    private final String python;
    private Path dist;
    private Path recorderBundle;
    private Path media;
    private Path felixHome;
    private Path nativeCache;
    private final StringBuilder report = new StringBuilder();

    // options
    private List<Integer> ns = List.of(1, 4, 16);
    private boolean search = true;
    private int searchStep = 4;
    private int maxN = 64;
    private int warmupSeconds = 10;
    private int windowSeconds = 30;
    private int floorWarmupSeconds = 5;
    private int floorWindowSeconds = 20;
    private int kills = 3;
    private boolean live;
    private boolean floor = true;
    private String runtimeOpts = "";
    private boolean directDelivery;
    private boolean inPlace;
    private int soakMinutes = 30;
    private int soakCameras = 8;
    private long seed = System.nanoTime();

    private E2eBench(Path root, String mode) {
        this.root = root;
        this.target = root.resolve("e2e-bench/target");
        this.work = target.resolve("e2e-runs").resolve(mode + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        String javaHome = System.getProperty("java.home");
        this.java = Paths.get(javaHome, "bin", "java").toString();
        this.python = System.getProperty("framebus.python", "/usr/bin/python3");
    }

    public static void main(String[] args) throws Exception {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        String mode = !a.isEmpty() && !a.get(0).startsWith("--") ? a.remove(0) : "bench";
        if (mode.equals("summary") && a.size() == 1) {
            printSummary(Paths.get(a.get(0)));
            return;
        }
        if (!mode.equals("bench") && !mode.equals("soak") && !mode.equals("delivery")) {
            System.err.println("usage: run.sh [bench [options]] | soak [minutes] | delivery [--ns 16] "
                    + "| summary <recorder.summary>");
            System.exit(2);
        }
        String ownJar = System.getProperty("framebus.e2e.jar");
        if (ownJar != null) {
            new File(ownJar).deleteOnExit(); // run.sh's private copy of this module's jar
        }
        Path root = Paths.get(System.getProperty("framebus.root", ".")).toAbsolutePath().normalize();
        E2eBench b = new E2eBench(root, mode);
        b.options(mode, a);
        Children.installShutdownHook();
        int status = 0;
        try {
            b.prepare();
            if (mode.equals("bench")) {
                b.bench();
            } else if (mode.equals("delivery")) {
                b.delivery();
            } else {
                status = b.soak() ? 0 : 1;
            }
        } finally {
            Children.endAll();
            if (b.dist != null) {
                FelixRun.deleteTree(b.dist); // the run's snapshot of the distribution; logs and reports stay
            }
        }
        System.exit(status);
    }

    private void options(String mode, List<String> a) {
        for (int i = 0; i < a.size(); i++) {
            String o = a.get(i);
            switch (o) {
                case "--ns" -> ns = Arrays.stream(a.get(++i).split(",")).map(String::trim).map(Integer::valueOf).toList();
                case "--no-search" -> search = false;
                case "--step" -> searchStep = Integer.parseInt(a.get(++i));
                case "--max-n" -> maxN = Integer.parseInt(a.get(++i));
                case "--warmup" -> warmupSeconds = Integer.parseInt(a.get(++i));
                case "--window" -> windowSeconds = Integer.parseInt(a.get(++i));
                case "--floor-warmup" -> floorWarmupSeconds = Integer.parseInt(a.get(++i));
                case "--floor-window" -> floorWindowSeconds = Integer.parseInt(a.get(++i));
                case "--kills" -> kills = Integer.parseInt(a.get(++i));
                case "--live" -> live = true;
                case "--no-floor" -> floor = false;
                case "--runtime-opts" -> runtimeOpts = a.get(++i);
                case "--direct-delivery" -> directDelivery = true;
                case "--in-place" -> inPlace = true;
                case "--cameras" -> soakCameras = Integer.parseInt(a.get(++i));
                case "--seed" -> seed = Long.parseLong(a.get(++i));
                default -> {
                    if (mode.equals("soak") && o.matches("\\d+")) {
                        soakMinutes = Integer.parseInt(o);
                    } else {
                        throw new IllegalArgumentException("unknown option " + o);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ preparation

    private void prepare() throws Exception {
        Files.createDirectories(work);
        log("work directory " + work);
        Path built = root.resolve("distribution/target/framebus");
        if (!Files.isRegularFile(built.resolve("bin/felix.jar"))) {
            throw new IllegalStateException(built + " is missing: run mvn -B -q install -DskipTests from " + root);
        }
        // a private snapshot: other builds may rebuild distribution/target while this runs
        dist = work.resolve("dist");
        FelixRun.copyTree(built, dist);
        // the bundle is this module's jar; a copy, since a reactor build elsewhere may rewrite target/ meanwhile
        Path jar = System.getProperty("framebus.e2e.jar") != null ? Paths.get(System.getProperty("framebus.e2e.jar")) : null;
        if (jar == null) {
            try (var s = Files.list(target)) {
                jar = s.filter(p -> p.getFileName().toString().matches("io\\.framebus\\.e2e-.*\\.jar"))
                        .filter(p -> !p.getFileName().toString().contains("sources"))
                        .findFirst().orElseThrow(() -> new IllegalStateException("no bundle jar in " + target
                                + ": mvn -B -q -pl e2e-bench package -DskipTests"));
            }
        }
        recorderBundle = work.resolve("io.framebus.e2e.jar");
        Files.copy(jar, recorderBundle);
        media = ensureMedia(target.resolve("media"));
        felixHome = target.resolve("e2e-felix");
        nativeCache = target.resolve("javacpp-cache");
        prime();
    }

    /**
     * One start of the distribution before anything is measured, as an installation has it after its first
     * start: FFmpeg unpacked into the native cache, the capture program's class-data archive made (in the
     * background, by the manager) for the class path of {@link #felixHome}, which every run uses.
     */
    private void prime() throws Exception {
        Path rings = ringDirectory("prime");
        try (FelixRun felix = FelixRun.start(dist, recorderBundle, felixHome, rings, nativeCache, runtimeOpts, directDelivery, inPlace)) {
            boolean made = await(() -> {
                try (var s = Files.list(nativeCache)) {
                    return s.anyMatch(p -> p.getFileName().toString().matches("capture-[0-9a-f]+\\.jsa"));
                } catch (IOException e) {
                    return false;
                }
            }, 180_000);
            log("primed " + felixHome + ": native cache and class-data archive " + (made ? "ready" : "NOT made in 180 s")
                    + " in " + nativeCache);
            felix.stop(60_000);
        } finally {
            FelixRun.deleteTree(rings);
        }
    }

    /** 60 s of 1280x720 25 fps H.264 that costs a decoder what a busy scene does; made once, cached. */
    private Path ensureMedia(Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve("testsrc2-noise-720p25-4M-gop50.h264");
        if (Files.isRegularFile(file) && Files.size(file) > 1_000_000) {
            return file;
        }
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        List<String> cmd = List.of("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
                "-vf", "noise=alls=12:allf=t+u", "-t", "60",
                "-c:v", "libx264", "-preset", "veryfast", "-b:v", "4M", "-maxrate", "4M", "-bufsize", "8M",
                "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-bf", "0", "-pix_fmt", "yuv420p",
                "-f", "h264", tmp.toString());
        log("making the test media (once): " + String.join(" ", cmd));
        Process p = Children.start(cmd, null, dir.resolve("ffmpeg.log"), null);
        if (p.waitFor() != 0) {
            throw new IOException("ffmpeg failed, see " + dir.resolve("ffmpeg.log"));
        }
        Files.writeString(dir.resolve("media-command.txt"), String.join(" ", cmd) + "\n");
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private FileServer startServer(int mounts, String name) throws IOException, InterruptedException {
        Path script = root.resolve("tools/rtsp-file-server.py");
        FileServer s = FileServer.start(python, script, media, mounts, live, work.resolve(name + ".log"));
        log("RTSP file server on port " + s.port() + " (pid " + s.pid() + ", " + mounts + " mounts"
                + (live ? ", live" : ", on demand") + ")");
        return s;
    }

    // ---------------------------------------------------------------------------------------------- the benchmark

    /**
     * Copying against in-place subscribers, in one run: for each N (default 16) the system once with the recorder
     * subscribing with {@code subscribe} (a copy of every frame into the runtime's heap) and once with
     * {@code subscribeInPlace}; the runtime's CPU per camera of each, and their ratio. No floor, no search.
     */
    private void delivery() throws Exception {
        List<Integer> sizes = ns.equals(List.of(1, 4, 16)) ? List.of(16) : ns;
        StringBuilder r = new StringBuilder("# Copying against in-place push delivery\n\n");
        r.append("- host: ").append(Runtime.getRuntime().availableProcessors()).append(" cores; load at start ")
                .append(Procs.loadAverage()).append("; system windows ").append(windowSeconds).append(" s after ")
                .append(warmupSeconds).append(" s warm-up; the consumer reads only each frame's metadata\n\n");
        r.append("| N | delivery | every camera at 6 fps? | fps delivered min / mean | runtime CPU | runtime CPU per "
                + "camera | runtime RSS | publish -> consumer p50 / p99 |\n|---|---|---|---|---|---|---|---|\n");
        try (FileServer server = startServer(64, "rtsp-file-server")) {
            for (int n : sizes) {
                double[] perCamera = new double[2];
                for (int pass = 0; pass < 2; pass++) {
                    inPlace = pass == 1;
                    Results.SystemRun s = runSystem(server, n);
                    perCamera[pass] = s.runtimeCpuPct() / n;
                    LogHistogram p2c = s.cameras().isEmpty() ? null : s.merged(Results.Camera::publishToCallback);
                    r.append(String.format(Locale.ROOT, "| %d | %s | %s | %.2f / %.2f | %.1f %% | %.2f %% | %.0f MB | %s |%n",
                            n, inPlace ? "subscribeInPlace" : "subscribe (copy)", s.pass() ? "yes" : "**no**: " + s.failure(),
                            s.minFps(), s.meanFps(), s.runtimeCpuPct(), perCamera[pass], s.runtimeRssKb() / 1024.0,
                            p2c == null ? "-" : ms(p2c.percentile(0.5)) + " / " + ms(p2c.percentile(0.99)) + " ms"));
                }
                r.append(String.format(Locale.ROOT, "| %d | in place / copy | | | | **%.2f x** | | |%n", n,
                        perCamera[1] / perCamera[0]));
            }
        }
        inPlace = false;
        Path out = work.resolve("report.md");
        Files.writeString(out, r.toString());
        log("report: " + out + "\n" + r);
    }

    private void bench() throws Exception {
        List<Results.Floor> floors = new ArrayList<>();
        List<Results.SystemRun> systems = new ArrayList<>();
        Results.FfmpegReference ffmpeg;
        String loadAtStart = Procs.loadAverage();
        try (FileServer server = startServer(Math.max(maxN, 64), "rtsp-file-server")) {
            ffmpeg = floor ? runFfmpegReference(server) : new Results.FfmpegReference(Double.NaN, Double.NaN);
            int floorMax = 0;
            int sysMax = 0;
            boolean floorFailed = false;
            boolean sysFailed = false;
            List<Integer> ladder = new ArrayList<>(ns);
            for (int n : ladder) {
                Results.Floor f = floor ? runFloor(server, n) : skippedFloor(n);
                floors.add(f);
                if (f.pass() && !floorFailed) {
                    floorMax = n;
                } else {
                    floorFailed = true;
                }
                Results.SystemRun s = runSystem(server, n);
                systems.add(s);
                if (s.pass() && !sysFailed) {
                    sysMax = n;
                } else {
                    sysFailed = true;
                }
            }
            if (search) {
                int last = ladder.get(ladder.size() - 1);
                for (int n = last + searchStep; n <= maxN && (!floorFailed || !sysFailed); n += searchStep) {
                    if (!floorFailed && floor) {
                        Results.Floor f = runFloor(server, n);
                        floors.add(f);
                        if (f.pass()) {
                            floorMax = n;
                        } else {
                            floorFailed = true;
                        }
                    }
                    if (!sysFailed) {
                        Results.SystemRun s = runSystem(server, n);
                        systems.add(s);
                        if (s.pass()) {
                            sysMax = n;
                        } else {
                            sysFailed = true;
                        }
                    }
                }
                // a failure below the last ladder step: look between the last pass and the first failure
                floorMax = refine(floorMax, floors.stream().map(Results.Floor::n).toList(),
                        n -> { Results.Floor f = runFloor(server, n); floors.add(f); return f.pass(); });
                sysMax = refine(sysMax, systems.stream().map(Results.SystemRun::n).toList(), n -> {
                    if (floor && floors.stream().noneMatch(f -> f.n() == n)) {
                        floors.add(runFloor(server, n)); // for the ratios at this N
                    }
                    Results.SystemRun s = runSystem(server, n);
                    systems.add(s);
                    return s.pass();
                });
            }
            report(floors, systems, ffmpeg, floorMax, sysMax, loadAtStart);
        }
    }

    private interface Trial {
        boolean pass(int n) throws Exception;
    }

    /** Steps up from {@code max} by searchStep until the next tried N, as long as each step passes. */
    private int refine(int max, List<Integer> tried, Trial trial) throws Exception {
        Integer firstFail = tried.stream().filter(n -> n > max).min(Integer::compare).orElse(null);
        if (firstFail == null) {
            return max;
        }
        int best = max;
        for (int n = max + searchStep; n < firstFail; n += searchStep) {
            if (trial.pass(n)) {
                best = n;
            } else {
                break;
            }
        }
        return best;
    }

    private List<String> leanJvm() {
        String cache = nativeCache.toString(); // the one the runtime's capture processes use
        return List.of("-Xms8m", "-Xmx64m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=warning:stderr", "-Dorg.bytedeco.javacpp.cachedir=" + cache);
    }

    private Results.Floor runFloor(FileServer server, int n) throws Exception {
        log("floor N=" + n + ": " + n + " decode-only processes (load " + Procs.loadAverage() + ")");
        Path dir = work.resolve("floor-" + n);
        Files.createDirectories(dir);
        String cp = dist.resolve("capture/lib") + File.separator + "*" + File.pathSeparator
                + System.getProperty("java.class.path");
        List<Process> ps = new ArrayList<>();
        long[] first = new long[n];
        long[] lastNanos = new long[n];
        long[] lastFrames = new long[n];
        String[] error = new String[n];
        try {
            for (int i = 0; i < n; i++) {
                int k = i;
                List<String> cmd = new ArrayList<>();
                cmd.add(java);
                cmd.addAll(leanJvm());
                cmd.addAll(List.of("-cp", cp, DecodeFloor.class.getName(), server.url(i)));
                ps.add(Children.start(cmd, null, dir.resolve("floor-" + i + ".log"), line -> {
                    synchronized (first) {
                        if (line.startsWith("FIRST ")) {
                            first[k] = Long.parseLong(line.substring(6).trim());
                        } else if (line.startsWith("FRAMES ")) {
                            String[] f = line.split(" ");
                            lastNanos[k] = Long.parseLong(f[1]);
                            lastFrames[k] = Long.parseLong(f[2]);
                        } else if (line.startsWith("ERROR ")) {
                            error[k] = line;
                        }
                    }
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60 + 3L * n);
            while (System.nanoTime() < deadline) {
                synchronized (first) {
                    if (Arrays.stream(first).allMatch(t -> t > 0) || Arrays.stream(error).anyMatch(e -> e != null)) {
                        break;
                    }
                }
                Thread.sleep(200);
            }
            synchronized (first) {
                if (!Arrays.stream(first).allMatch(t -> t > 0)) {
                    String why = Arrays.stream(error).filter(e -> e != null).findFirst().orElse("no first frame in time");
                    log("floor N=" + n + " failed to start: " + why);
                    return new Results.Floor(n, false, why, new double[0], new double[0], new long[0], new long[0],
                            Double.NaN, Double.NaN, Double.NaN, Procs.loadAverage(), 0);
                }
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(floorWarmupSeconds) + 1100);
            long[] fA = new long[n];
            long[] nA = new long[n];
            long[] tA = new long[n];
            synchronized (first) {
                System.arraycopy(lastFrames, 0, fA, 0, n);
                System.arraycopy(lastNanos, 0, nA, 0, n);
            }
            for (int i = 0; i < n; i++) {
                tA[i] = Procs.cpuTicks(ps.get(i).pid());
            }
            long sA = Procs.cpuTicks(server.pid());
            double mA = Procs.machineBusySeconds();
            long t0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(floorWindowSeconds));
            double seconds = (System.nanoTime() - t0) / 1e9;
            double[] fps = new double[n];
            double[] cpu = new double[n];
            long[] rss = new long[n];
            long[] pss = new long[n];
            for (int i = 0; i < n; i++) {
                long pid = ps.get(i).pid();
                cpu[i] = 100.0 * (Procs.cpuTicks(pid) - tA[i]) / Procs.CLK_TCK / seconds;
                rss[i] = Procs.rssKb(pid);
                pss[i] = Procs.pssKb(pid);
            }
            double serverCpu = 100.0 * (Procs.cpuTicks(server.pid()) - sA) / Procs.CLK_TCK / seconds;
            double machine = 100.0 * (Procs.machineBusySeconds() - mA) / seconds;
            String load = Procs.loadAverage();
            boolean alive = ps.stream().allMatch(Process::isAlive);
            synchronized (first) {
                for (int i = 0; i < n; i++) {
                    double dt = (lastNanos[i] - nA[i]) / 1e9;
                    fps[i] = dt <= 0 ? 0 : (lastFrames[i] - fA[i]) / dt;
                }
            }
            double min = Arrays.stream(fps).min().orElse(0);
            boolean pass = alive && min >= 0.95 * SOURCE_FPS;
            String failure = !alive ? "a decoder exited" : pass ? "" : String.format(Locale.ROOT,
                    "slowest stream %.1f fps < %.2f", min, 0.95 * SOURCE_FPS);
            double others = Math.max(0, machine - Arrays.stream(cpu).sum() - serverCpu);
            Results.Floor f = new Results.Floor(n, pass, failure, fps, cpu, rss, pss, serverCpu, machine, others, load, seconds);
            log(String.format(Locale.ROOT, "floor N=%d: %s; fps min %.2f mean %.2f; CPU %.1f %% per stream; RSS %.0f MB;"
                            + " server %.1f %%; machine busy %.0f %% of %d00 %% (other processes %.0f %%); load %s", n,
                    pass ? "real time" : "FAILS: " + failure, f.minFps(), f.meanFps(), f.meanCpu(), f.meanRssMb(), serverCpu,
                    machine, Runtime.getRuntime().availableProcessors(), others, load));
            return f;
        } finally {
            for (Process p : ps) {
                Children.stop(p, 2000);
            }
        }
    }

    private static Results.Floor skippedFloor(int n) {
        return new Results.Floor(n, false, "not run (--no-floor)", new double[0], new double[0], new long[0], new long[0],
                Double.NaN, Double.NaN, Double.NaN, "-", 0);
    }

    private Results.FfmpegReference runFfmpegReference(FileServer server) throws Exception {
        log("reference: Debian ffmpeg CLI decoding /cam0 to the null muxer");
        int total = floorWarmupSeconds + floorWindowSeconds + 30;
        List<String> cmd = List.of("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp",
                "-i", server.url(0), "-t", Integer.toString(total), "-f", "null", "-", "-progress", "pipe:1",
                "-stats_period", "1");
        AtomicLong frames = new AtomicLong();
        AtomicLong framesAt = new AtomicLong();
        Process p = Children.start(cmd, null, work.resolve("ffmpeg-reference.log"), line -> {
            if (line.startsWith("frame=")) {
                frames.set(Long.parseLong(line.substring(6).trim()));
                framesAt.set(System.nanoTime());
            }
        });
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (frames.get() == 0 && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(floorWarmupSeconds));
            long fA = frames.get();
            long nA = framesAt.get();
            long tA = Procs.cpuTicks(p.pid());
            long t0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(floorWindowSeconds));
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpu = 100.0 * (Procs.cpuTicks(p.pid()) - tA) / Procs.CLK_TCK / seconds;
            double fps = (frames.get() - fA) / ((framesAt.get() - nA) / 1e9);
            log(String.format(Locale.ROOT, "reference: ffmpeg CLI %.1f %% of a core at %.2f fps", cpu, fps));
            return new Results.FfmpegReference(cpu, fps);
        } finally {
            Children.terminate(p, 2000);
        }
    }

    private Path ringDirectory(String name) {
        Path dir = Paths.get("/dev/shm", "framebus-e2e-" + ProcessHandle.current().pid() + "-" + name);
        RING_DIRECTORIES.add(dir);
        return dir;
    }

    /** Removes the ring directories of this harness (normally already empty: the runtime deletes its rings). */
    static void cleanRingDirectories() {
        for (Path d : RING_DIRECTORIES) {
            FelixRun.deleteTree(d);
        }
    }

    private static String cameraId(int i) {
        return "cam" + i;
    }

    private Results.SystemRun runSystem(FileServer server, int n) throws Exception {
        log("system N=" + n + ": Felix distribution with " + n + " cameras at " + PUBLISH_FPS + " fps (load "
                + Procs.loadAverage() + ")");
        Path records = work.resolve("system-" + n);
        Path rings = ringDirectory("s" + n);
        FelixRun run = null;
        try (FelixRun felix = FelixRun.start(dist, recorderBundle, felixHome, rings, nativeCache, runtimeOpts, directDelivery, inPlace)) {
            run = felix;
            if (!await(() -> felix.summary() != null, 120_000)) {
                return failedSystem(n, "the recorder wrote no summary within 120 s (see " + records.resolve("felix.log") + ")");
            }
            Thread.sleep(5000); // a running runtime: the cameras are added to a framework that has settled
            Map<String, Long> written = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                written.put(cameraId(i), felix.addCamera(cameraId(i), server.url(i), PUBLISH_FPS));
            }
            log("system N=" + n + ": " + n + " cfg file(s) written");
            boolean started = await(() -> {
                RecorderSummary s = felix.summary();
                return s != null && written.keySet().stream().allMatch(id -> s.camera(id) != null && s.camera(id).frames() > 0);
            }, 60_000 + 4000L * n);
            RecorderSummary s0 = felix.summary();
            List<Long> startup = new ArrayList<>();
            for (var e : written.entrySet()) {
                RecorderSummary.Camera c = s0 == null ? null : s0.camera(e.getKey());
                if (c != null && !c.generations().isEmpty()) {
                    startup.add(c.generations().get(0).firstCallbackEpochMillis() - e.getValue());
                }
            }
            Collections.sort(startup);
            if (!started) {
                long streaming = s0 == null ? 0 : s0.cameras().values().stream().filter(c -> c.frames() > 0).count();
                return failedSystem(n, streaming + " of " + n + " cameras delivered a frame in time");
            }
            log("system N=" + n + ": every camera delivers; cfg file -> first frame median " + median(startup) + " ms, max "
                    + startup.get(startup.size() - 1) + " ms");
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));

            Map<String, Long> pidsA = felix.capturePids();
            RecorderSummary a = waitForNewSummary(felix, null);
            Map<String, Long> ticksA = new TreeMap<>();
            pidsA.forEach((id, pid) -> ticksA.put(id, Procs.cpuTicks(pid)));
            long runtimeA = Procs.cpuTicks(felix.pid());
            long serverA = Procs.cpuTicks(server.pid());
            double machineA = Procs.machineBusySeconds();
            long t0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(windowSeconds));
            RecorderSummary b = waitForNewSummary(felix, a);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Long> pidsB = felix.capturePids();
            Map<String, Results.Camera> cams = new TreeMap<>();
            int restarts = 0;
            double recorderSeconds = (b.writtenMonoNanos() - a.writtenMonoNanos()) / 1e9;
            for (String id : written.keySet()) {
                RecorderSummary.Camera ca = a.camera(id);
                RecorderSummary.Camera cb = b.camera(id);
                Long pid = pidsB.get(id);
                if (!pidsA.get(id).equals(pid) || ca.generation() != cb.generation()) {
                    restarts++;
                }
                long ticks = pid == null ? -1 : Procs.cpuTicks(pid);
                double cpu = pid == null || !pid.equals(pidsA.get(id)) ? Double.NaN
                        : 100.0 * (ticks - ticksA.get(id)) / Procs.CLK_TCK / seconds;
                cams.put(id, new Results.Camera(id, (cb.frames() - ca.frames()) / recorderSeconds,
                        (cb.published() - ca.published()) / recorderSeconds,
                        (cb.decoded() - ca.decoded()) / recorderSeconds, cpu,
                        pid == null ? -1 : Procs.rssKb(pid), pid == null ? -1 : Procs.pssKb(pid),
                        pid == null ? -1 : Procs.kb(pid, "status", "RssShmem"), cb.gaps() - ca.gaps(),
                        diff(cb, ca, "captureToCallback"), diff(cb, ca, "publishToCallback"),
                        diff(cb, ca, "captureToPublish"), diff(cb, ca, "age")));
            }
            double runtimeCpu = 100.0 * (Procs.cpuTicks(felix.pid()) - runtimeA) / Procs.CLK_TCK / seconds;
            long runtimeRss = Procs.rssKb(felix.pid());
            long runtimePss = Procs.pssKb(felix.pid());
            double serverCpu = 100.0 * (Procs.cpuTicks(server.pid()) - serverA) / Procs.CLK_TCK / seconds;
            double machine = 100.0 * (Procs.machineBusySeconds() - machineA) / seconds;
            String load = Procs.loadAverage();
            double ours = cams.values().stream().mapToDouble(Results.Camera::cpuPct).filter(x -> !Double.isNaN(x)).sum()
                    + runtimeCpu + serverCpu;
            double minFps = cams.values().stream().mapToDouble(Results.Camera::fps).min().orElse(0);
            double minDecoded = cams.values().stream().mapToDouble(Results.Camera::decodedFps).min().orElse(0);
            // keeping the target means both: 6 fps published, and decoding in real time like the floor (a capture
            // that falls behind its source still publishes 6 fps, of ever older pictures)
            boolean pass = restarts == 0 && minFps >= 0.95 * PUBLISH_FPS && minDecoded >= 0.95 * SOURCE_FPS;
            String failure = pass ? "" : restarts > 0 ? restarts + " capture restarts in the window"
                    : minFps < 0.95 * PUBLISH_FPS
                    ? String.format(Locale.ROOT, "slowest camera delivers %.2f fps to the consumer < %.2f", minFps, 0.95 * PUBLISH_FPS)
                    : String.format(Locale.ROOT, "slowest camera decodes %.1f fps < %.2f", minDecoded, 0.95 * SOURCE_FPS);

            List<Results.Kill> killed = killTests(felix, n);

            boolean clean = felix.stop(60_000);
            Thread.sleep(2000);
            int orphans = felix.captureProcessesAnywhere().size();
            int leftover = felix.filesInRingDirectory().size();
            Results.Attribution attribution = Attribution.of(felix.home().resolve(FelixRun.TRACE),
                    felix.home().resolve(FelixRun.SAFEPOINTS), a.writtenMonoNanos(), b.writtenMonoNanos());
            Results.SystemRun r = new Results.SystemRun(n, pass, failure, cams, runtimeCpu, runtimeRss, runtimePss,
                    serverCpu, machine, Math.max(0, machine - ours), load, seconds, startup, killed, restarts, clean, orphans, leftover, attribution);
            LogHistogram c2c = r.merged(Results.Camera::captureToCallback);
            LogHistogram p2c = r.merged(Results.Camera::publishToCallback);
            log(String.format(Locale.ROOT, "system N=%d: %s; delivered fps min %.2f mean %.2f; published min %.2f; decoded min %.1f; capture CPU %.1f %% per camera, RSS %.0f MB;"
                            + " runtime CPU %.1f %%, RSS %.0f MB; capture->consumer p50 %s p99 %s; publish->consumer p50 %s p99 %s;"
                            + " kills %s; machine busy %.0f %% (other processes %.0f %%); load %s", n, pass ? "keeps 6 fps" : "FAILS: " + failure,
                    r.minFps(), r.meanFps(), r.minPublishedFps(), r.minDecodedFps(), r.meanCaptureCpu(), r.meanRssMb(), runtimeCpu, runtimeRss / 1024.0,
                    ms(c2c.percentile(0.5)), ms(c2c.percentile(0.99)), ms(p2c.percentile(0.5)), ms(p2c.percentile(0.99)),
                    killed.stream().map(k -> k.recoveryMillis() + " ms").toList(), machine, r.othersCpuPct(), load));
            return r;
        } finally {
            if (run != null) {
                run.close();
                run.keepRecords(records);
            }
            FelixRun.deleteTree(rings);
        }
    }

    private static LogHistogram diff(RecorderSummary.Camera later, RecorderSummary.Camera earlier, String name) {
        return later.histogram(name).minus(earlier.histogram(name));
    }

    private Results.SystemRun failedSystem(int n, String why) {
        log("system N=" + n + " FAILS: " + why);
        return new Results.SystemRun(n, false, why, Map.of(), Double.NaN, -1, -1, Double.NaN, Double.NaN, Double.NaN,
                Procs.loadAverage(), 0, List.of(), List.of(), 0, true, 0, 0, Results.Attribution.NONE);
    }

    /**
     * kill -9 of capture processes, one after the other: time until a new capture process writes the camera's ring
     * (seen by polling the ring header's writer pid every 50 ms: a restart in the standby process is not a new process
     * start) and to its first frame at the consumer.
     */
    private List<Results.Kill> killTests(FelixRun felix, int n) throws Exception {
        List<Results.Kill> out = new ArrayList<>();
        for (int k = 0; k < Math.min(kills, n); k++) {
            String id = cameraId(k);
            Long pid = felix.capturePids().get(id);
            if (pid == null) {
                continue;
            }
            long before = System.currentTimeMillis();
            long killedAtNanos = System.nanoTime();
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
            long[] respawn = {-1};
            boolean back = await(() -> {
                if (respawn[0] < 0) {
                    Long now = felix.capturePids().get(id);
                    if (now != null && !now.equals(pid)) {
                        respawn[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAtNanos);
                    }
                }
                RecorderSummary s = felix.summary();
                return s != null && s.camera(id) != null && s.camera(id).firstGenerationSince(before) != null;
            }, 60_000);
            long recovery = -1;
            if (back) {
                recovery = felix.summary().camera(id).firstGenerationSince(before).firstCallbackEpochMillis() - before;
            }
            log("kill -9 of " + id + " (pid " + pid + "): new capture process writing the ring after " + respawn[0] + " ms, frames at the consumer after "
                    + recovery + " ms");
            out.add(new Results.Kill(id, respawn[0], recovery));
            Thread.sleep(2000);
        }
        return out;
    }

    private RecorderSummary waitForNewSummary(FelixRun felix, RecorderSummary after) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long since = after == null ? System.currentTimeMillis() : after.writtenEpochMillis();
        while (System.nanoTime() < deadline) {
            RecorderSummary s = felix.summary();
            if (s != null && s.writtenEpochMillis() > since) {
                return s;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the recorder stopped writing its summary");
    }

    private interface Condition {
        boolean met() throws Exception;
    }

    private static boolean await(Condition c, long timeoutMillis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            if (c.met()) {
                return true;
            }
            Thread.sleep(50);
        }
        return c.met();
    }

    // ------------------------------------------------------------------------------------------------- the report

    private void report(List<Results.Floor> floors, List<Results.SystemRun> systems, Results.FfmpegReference ffmpeg,
                        int floorMax, int sysMax, String loadAtStart) throws IOException {
        floors.sort((x, y) -> Integer.compare(x.n(), y.n()));
        systems.sort((x, y) -> Integer.compare(x.n(), y.n()));
        Map<Integer, Results.Floor> floorByN = floors.stream().collect(Collectors.toMap(Results.Floor::n, f -> f, (x, y) -> y));
        StringBuilder r = report;
        r.append("# framebus end-to-end benchmark\n\n");
        r.append("- host: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version"))
                .append("; load average at start ").append(loadAtStart).append(", at end ").append(Procs.loadAverage()).append('\n');
        r.append("- media: ").append(media.getFileName()).append(" (").append(Files.size(media) / 1024 / 1024)
                .append(" MiB), served by tools/rtsp-file-server.py").append(live ? " --live" : " (on demand)").append('\n');
        r.append(String.format(Locale.ROOT, "- windows: floor %d s after %d s warm-up; system %d s after %d s warm-up; %d kill(s) per N%n",
                floorWindowSeconds, floorWarmupSeconds, windowSeconds, warmupSeconds, kills));
        r.append(directDelivery ? "- consumer: direct executor (--direct-delivery: the callback runs on the camera's delivery thread)\n"
                : "- consumer: a cached thread pool as the subscription's executor\n");
        r.append(String.format(Locale.ROOT, "- reference: Debian ffmpeg CLI on /cam0: %.1f %% of a core at %.2f fps%n%n",
                ffmpeg.cpuPct(), ffmpeg.fps()));

        r.append("## Decode-only floor (N processes, same FFmpeg build, RAW frames, nothing else)\n\n");
        r.append("| N | real time? | fps min / mean (of 25) | CPU per stream | RSS / PSS per process | RTSP server CPU | machine busy (of ")
                .append(Runtime.getRuntime().availableProcessors() * 100).append(" %) | of which other processes | load |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Results.Floor f : floors) {
            r.append(String.format(Locale.ROOT, "| %d | %s | %.2f / %.2f | %.1f %% | %.0f / %.0f MB | %.1f %% | %.0f %% | %.0f %% | %s |%n",
                    f.n(), f.pass() ? "yes" : "**no**: " + f.failure(), f.minFps(), f.meanFps(), f.meanCpu(),
                    f.meanRssMb(), f.meanPssMb(), f.serverCpuPct(), f.machineBusyPct(), f.othersCpuPct(), f.load()));
        }
        r.append("\n## The real system (Felix distribution + recorder bundle, N cameras at 6 fps)\n\n");
        r.append("Costs, and each as a ratio to the floor at the same N:\n\n");
        r.append("| N | every camera at 6 fps, decoding in real time? | fps delivered to the consumer min / mean | published by the capture min | decoded fps min / mean | capture CPU per camera | x floor | capture RSS / PSS | x floor RSS / PSS | ring (shmem) in RSS | runtime CPU | runtime CPU per camera, x floor | (capture + runtime) per camera, x floor | runtime RSS / PSS | RTSP server CPU | machine busy | of which other processes | load |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Results.SystemRun s : systems) {
            Results.Floor f = floorByN.get(s.n());
            double fc = f == null ? Double.NaN : f.meanCpu();
            double perCam = s.runtimeCpuPct() / s.n();
            r.append(String.format(Locale.ROOT, "| %d | %s | %.2f / %.2f | %.2f | %.1f / %.1f | %.1f %% | %s | %.0f / %.0f MB | %s / %s | %.0f MB | %.1f %% | %.2f %%, %s | %.1f %%, %s | %.0f / %.0f MB | %.1f %% | %.0f %% | %.0f %% | %s |%n",
                    s.n(), s.pass() ? "yes" : "**no**: " + s.failure(), s.minFps(), s.meanFps(), s.minPublishedFps(), s.minDecodedFps(),
                    s.meanDecodedFps(), s.meanCaptureCpu(),
                    ratio(s.meanCaptureCpu(), fc), s.meanRssMb(), s.meanPssMb(),
                    ratio(s.meanRssMb(), f == null ? Double.NaN : f.meanRssMb()),
                    ratio(s.meanPssMb(), f == null ? Double.NaN : f.meanPssMb()), s.meanShmemMb(),
                    s.runtimeCpuPct(), perCam, ratio(perCam, fc), s.meanCaptureCpu() + perCam,
                    ratio(s.meanCaptureCpu() + perCam, fc), s.runtimeRssKb() / 1024.0, s.runtimePssKb() / 1024.0,
                    s.serverCpuPct(), s.machineBusyPct(), s.othersCpuPct(), s.load()));
        }
        r.append("\nLatency and timing (all cameras of the window together; worst camera's p99 in brackets):\n\n");
        r.append("| N | capture -> consumer p50 / p99 / max | publish -> consumer p50 / p99 / max | capture -> publish (conversion) p50 / p99 | newest frame age p50 / p99 / max | consumer-skipped frames | cfg file -> first frame median / max | kill -9 -> new capture process writes the ring | kill -9 -> frames at the consumer | clean stop (orphans, rings left) |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Results.SystemRun s : systems) {
            if (s.cameras().isEmpty()) {
                r.append("| ").append(s.n()).append(" | ").append("**no data**: ").append(s.failure()).append(" | | | | | | | | |\n");
                continue;
            }
            LogHistogram c2c = s.merged(Results.Camera::captureToCallback);
            LogHistogram p2c = s.merged(Results.Camera::publishToCallback);
            LogHistogram c2p = s.merged(Results.Camera::captureToPublish);
            LogHistogram age = s.merged(Results.Camera::age);
            r.append(String.format(Locale.ROOT, "| %d | %s / %s (%s) / %s ms | %s / %s (%s) / %s ms | %s / %s ms | %s / %s / %s ms | %d | %s / %s ms | %s | %s | %s (%d, %d) |%n",
                    s.n(), ms(c2c.percentile(0.5)), ms(c2c.percentile(0.99)), ms(s.worstP99(Results.Camera::captureToCallback)), ms(c2c.max()),
                    ms(p2c.percentile(0.5)), ms(p2c.percentile(0.99)), ms(s.worstP99(Results.Camera::publishToCallback)), ms(p2c.max()),
                    ms(c2p.percentile(0.5)), ms(c2p.percentile(0.99)),
                    ms(age.percentile(0.5)), ms(age.percentile(0.99)), ms(age.max()), s.gaps(),
                    median(s.startupMillis()), s.startupMillis().isEmpty() ? "-" : s.startupMillis().get(s.startupMillis().size() - 1),
                    s.kills().stream().map(k -> k.respawnMillis() + " ms").collect(Collectors.joining(", ")),
                    s.kills().stream().map(k -> k.recoveryMillis() < 0 ? "never" : k.recoveryMillis() + " ms").collect(Collectors.joining(", ")),
                    s.cleanStop() ? "yes" : "no", s.orphans(), s.leftoverRings()));
        }

        r.append("\nPublish -> consumer deliveries against the runtime JVM's stop-the-world pauses (its safepoint log; GC and other VM operations):\n\n");
        r.append("| N | frames | delivered > 1 ms after publish | of those, overlapping a pause | all frames overlapping a pause | p99 of the frames overlapping no pause | pauses in the window (GC) | longest / sum of pauses |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (Results.SystemRun s : systems) {
            Results.Attribution at = s.attribution();
            if (at.frames() == 0) {
                continue;
            }
            r.append(String.format(Locale.ROOT, "| %d | %d | %d (%.1f %%) | %d | %d (%.1f %%) | %s ms | %d (%d) | %.1f / %.0f ms |%n",
                    s.n(), at.frames(), at.slow(), 100.0 * at.slow() / at.frames(), at.slowInPause(), at.inPause(),
                    100.0 * at.inPause() / at.frames(), ms(at.p99NoPause()), at.pauses(), at.gcPauses(),
                    at.pauseMillisMax(), at.pauseMillisSum()));
        }

        r.append("\n## Targets (issue 6)\n\n| target | measured | met? |\n|---|---|---|\n");
        double nRatio = floorMax == 0 ? Double.NaN : (double) sysMax / floorMax;
        r.append(String.format(Locale.ROOT, "| largest N at 6 fps (decoding in real time) >= 0.85 x largest N of the floor in real time | system %d, floor %d: %.2f x | %s |%n",
                sysMax, floorMax, nRatio, nRatio >= 0.85 ? "yes" : "**no**"));
        for (Results.SystemRun s : systems) {
            Results.Floor f = floorByN.get(s.n());
            if (s.cameras().isEmpty() || f == null || f.cpuPct().length == 0) {
                continue;
            }
            double x = s.meanCaptureCpu() / f.meanCpu();
            r.append(String.format(Locale.ROOT, "| capture CPU <= 1.15 x floor (N=%d) | %.1f %% vs %.1f %%: %.2f x%s | %s |%n",
                    s.n(), s.meanCaptureCpu(), f.meanCpu(), x, f.pass() ? "" : " (floor not in real time here)", x <= 1.15 ? "yes" : "**no**"));
        }
        for (Results.SystemRun s : systems) {
            if (s.cameras().isEmpty()) {
                continue;
            }
            long p99 = s.merged(Results.Camera::publishToCallback).percentile(0.99);
            r.append(String.format(Locale.ROOT, "| publish -> consumer p99 < 1 ms (N=%d) | %s ms (capture -> consumer %s ms) | %s |%n",
                    s.n(), ms(p99), ms(s.merged(Results.Camera::captureToCallback).percentile(0.99)), p99 >= 0 && p99 < 1000 ? "yes" : "**no**"));
        }
        for (Results.SystemRun s : systems) {
            if (s.kills().isEmpty()) {
                continue;
            }
            long worst = s.kills().stream().mapToLong(k -> k.recoveryMillis() < 0 ? Long.MAX_VALUE : k.recoveryMillis()).max().orElse(-1);
            r.append(String.format(Locale.ROOT, "| frames again <= 2 s after kill -9 (N=%d) | %s | %s |%n", s.n(),
                    s.kills().stream().map(k -> k.recoveryMillis() < 0 ? "never" : k.recoveryMillis() + " ms").collect(Collectors.joining(", ")),
                    worst <= 2000 ? "yes" : "**no**"));
        }
        for (Results.SystemRun s : systems) {
            Results.Floor f = floorByN.get(s.n());
            if (s.cameras().isEmpty() || f == null || f.cpuPct().length == 0) {
                continue;
            }
            double decodeMs = f.meanCpu() / 100.0 / SOURCE_FPS * 1000;
            double bound = 2000 / PUBLISH_FPS + decodeMs;
            long max = s.merged(Results.Camera::age).max();
            r.append(String.format(Locale.ROOT, "| newest frame never older than 2/fps + decode time (N=%d) | max %s ms vs %.0f ms (333 + %.1f) | %s |%n",
                    s.n(), ms(max), bound, decodeMs, max >= 0 && max / 1000.0 <= bound ? "yes" : "**no**"));
        }
        Path out = work.resolve("report.md");
        Files.writeString(out, r.toString(), StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(r);
        log("report written to " + out);
    }

    // ------------------------------------------------------------------------------------------------------ soak

    private boolean soak() throws Exception {
        Random random = new Random(seed);
        log("soak: " + soakMinutes + " minutes, " + soakCameras + " cameras, seed " + seed + " (load " + Procs.loadAverage() + ")");
        Path records = work.resolve("soak");
        Path rings = ringDirectory("soak");
        FelixRun run = null;
        List<String> events = new CopyOnWriteArrayList<>();
        List<long[]> rss = new ArrayList<>(); // {epoch millis, rss kB}
        List<Long> killRecoveries = new ArrayList<>();
        List<Long> serverRecoveries = new ArrayList<>();
        List<long[]> restarts = new ArrayList<>(); // {stop, ready} System.nanoTime() of each RTSP server restart
        int stuck;
        int orphans;
        int leaked;
        boolean clean;
        String loadAtStart = Procs.loadAverage();
        FileServer server = startServer(soakCameras, "rtsp-file-server");
        try (FelixRun felix = FelixRun.start(dist, recorderBundle, felixHome, rings, nativeCache, runtimeOpts, directDelivery, inPlace)) {
            run = felix;
            if (!await(() -> felix.summary() != null, 120_000)) {
                throw new IllegalStateException("the recorder wrote no summary within 120 s");
            }
            for (int i = 0; i < soakCameras; i++) {
                felix.addCamera(cameraId(i), server.url(i), PUBLISH_FPS);
            }
            if (!await(() -> {
                RecorderSummary s = felix.summary();
                return s != null && s.cameras().size() == soakCameras
                        && s.cameras().values().stream().allMatch(c -> c.frames() > 0);
            }, 120_000)) {
                throw new IllegalStateException("not every camera delivered a frame within 120 s");
            }
            log("soak: every camera delivers");
            long start = System.currentTimeMillis();
            for (int minute = 0; minute < soakMinutes; minute++) {
                long minuteStart = start + minute * 60_000L;
                // at +15 s: kill -9 a random capture process
                sampleUntil(felix, rss, minuteStart + 15_000);
                String victim = cameraId(random.nextInt(soakCameras));
                Long pid = felix.capturePids().get(victim);
                long killAt = System.currentTimeMillis();
                if (pid != null) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    events.add("minute " + (minute + 1) + ": kill -9 " + victim + " (pid " + pid + ")");
                } else {
                    events.add("minute " + (minute + 1) + ": " + victim + " had no capture process to kill");
                }
                boolean back = await(() -> {
                    RecorderSummary s = felix.summary();
                    return s != null && s.camera(victim) != null && s.camera(victim).firstGenerationSince(killAt) != null;
                }, 20_000);
                if (pid != null) {
                    long rec = back ? felix.summary().camera(victim).firstGenerationSince(killAt).firstCallbackEpochMillis() - killAt : -1;
                    killRecoveries.add(rec);
                    events.add("  " + victim + " frames again after " + (rec < 0 ? "more than 20 s" : rec + " ms"));
                }
                // at +40 s: restart the RTSP server (every camera loses its stream)
                sampleUntil(felix, rss, minuteStart + 40_000);
                long stopAt = System.currentTimeMillis();
                long stopMono = System.nanoTime();
                long readyAt = server.restart();
                long readyMono = System.nanoTime();
                restarts.add(new long[] {stopMono, readyMono});
                boolean flowing = await(() -> {
                    RecorderSummary s = felix.summary();
                    return s != null && s.cameras().values().stream().allMatch(c -> c.lastCallbackEpochMillis() > readyAt);
                }, 15_000);
                events.add(String.format(Locale.ROOT, "minute %d: RTSP server restarted (down %d ms)%s", minute + 1,
                        readyAt - stopAt, flowing ? "" : "; NOT every camera had frames again within 15 s"));
                log(events.get(events.size() - 2) + " / " + events.get(events.size() - 1));
            }
            // a quiet end: 30 s without disruption, then the verdict
            sampleUntil(felix, rss, System.currentTimeMillis() + 30_000);
            RecorderSummary end = felix.summary();
            long now = end.writtenEpochMillis();
            List<String> stuckIds = end.cameras().values().stream()
                    .filter(c -> now - c.lastCallbackEpochMillis() > 10_000).map(RecorderSummary.Camera::id).toList();
            stuck = stuckIds.size();
            long frames = end.cameras().values().stream().mapToLong(RecorderSummary.Camera::frames).sum();
            clean = felix.stop(60_000);
            // exact recovery times from the recorder's per-frame trace: per restart, the first frame of every camera
            // decoded after the server was back, at the consumer, minus the moment the server was stopped
            List<String> trace = Files.readAllLines(felix.home().resolve(FelixRun.TRACE), StandardCharsets.US_ASCII);
            for (long[] restart : restarts) {
                Map<String, Long> first = new TreeMap<>();
                for (String line : trace) {
                    String[] f = line.trim().split(" ");
                    if (f.length == 6 && Long.parseLong(f[3]) > restart[1]) {
                        first.merge(f[0], Long.parseLong(f[5]), Math::min);
                    }
                }
                long rec = first.size() < soakCameras ? -1
                        : (first.values().stream().mapToLong(Long::longValue).max().orElse(0) - restart[0]) / 1_000_000;
                serverRecoveries.add(rec);
                events.add(String.format(Locale.ROOT, "RTSP server restart %d: every camera's first new frame at the consumer %s",
                        serverRecoveries.size(), rec < 0 ? "missing for some camera" : rec + " ms after the stop"));
            }
            Thread.sleep(5000);
            List<ProcessHandle> left = felix.captureProcessesAnywhere();
            orphans = left.size();
            leaked = felix.filesInRingDirectory().size();
            long firstMinuteEnd = start + 60_000;
            long lastMinuteStart = rss.get(rss.size() - 1)[0] - 60_000;
            double rssFirst = rss.stream().filter(x -> x[0] <= firstMinuteEnd).mapToLong(x -> x[1]).average().orElse(Double.NaN);
            double rssLast = rss.stream().filter(x -> x[0] >= lastMinuteStart).mapToLong(x -> x[1]).average().orElse(Double.NaN);
            double growth = 100.0 * (rssLast / rssFirst - 1);
            // the heap grows to its working size in the first minutes (G1 sizes its young generation up, JIT, mapped
            // rings of killed generations until a GC drops them): growth is judged after a warm-up, from the fifth
            // minute on, which needs a soak of at least 10 minutes
            long warmMinuteStart = start + WARM_UP_MINUTES * 60_000L;
            double rssWarm = rss.stream().filter(x -> x[0] >= warmMinuteStart && x[0] < warmMinuteStart + 60_000)
                    .mapToLong(x -> x[1]).average().orElse(Double.NaN);
            double warmGrowth = soakMinutes >= 2 * WARM_UP_MINUTES ? 100.0 * (rssLast / rssWarm - 1) : Double.NaN;

            StringBuilder r = report;
            r.append("# framebus soak\n\n");
            r.append(String.format(Locale.ROOT, "- %d minutes, %d cameras at 6 fps, seed %d; load average at start %s, at end %s%n",
                    soakMinutes, soakCameras, seed, loadAtStart, Procs.loadAverage()));
            r.append("- every minute: kill -9 of a random capture process at +15 s, RTSP server restart at +40 s\n\n");
            r.append("| check | result | target | met? |\n|---|---|---|---|\n");
            r.append(String.format(Locale.ROOT, "| stuck cameras (no frame in the last 10 s) | %d %s | 0 | %s |%n", stuck, stuckIds, stuck == 0 ? "yes" : "**no**"));
            r.append(String.format(Locale.ROOT, "| orphan capture processes after stopping the runtime | %d | 0 | %s |%n", orphans, orphans == 0 ? "yes" : "**no**"));
            r.append(String.format(Locale.ROOT, "| leaked ring files | %d | 0 | %s |%n", leaked, leaked == 0 ? "yes" : "**no**"));
            r.append(String.format(Locale.ROOT, "| runtime RSS, first vs last minute (warm-up included) | %.0f -> %.0f MB (%+.1f %%) | | |%n",
                    rssFirst / 1024, rssLast / 1024, growth));
            r.append(Double.isNaN(warmGrowth)
                    ? String.format(Locale.ROOT, "| runtime RSS growth after warm-up | needs a soak of %d minutes or more | < 10 %% | - |%n", 2 * WARM_UP_MINUTES)
                    : String.format(Locale.ROOT, "| runtime RSS growth after warm-up, minute %d vs last minute | %.0f -> %.0f MB (%+.1f %%) | < 10 %% | %s |%n",
                            WARM_UP_MINUTES + 1, rssWarm / 1024, rssLast / 1024, warmGrowth, warmGrowth < 10 ? "yes" : "**no**"));
            r.append(String.format(Locale.ROOT, "| runtime stopped by SIGTERM within 60 s | %s | yes | %s |%n", clean, clean ? "yes" : "**no**"));
            r.append(String.format(Locale.ROOT, "| kill -9 -> frames again (median / max of %d) | %s / %s ms | | |%n", killRecoveries.size(),
                    median(killRecoveries), killRecoveries.stream().mapToLong(Long::longValue).max().orElse(-1)));
            r.append(String.format(Locale.ROOT, "| RTSP server stopped -> every camera has new frames at the consumer (median / max of %d) | %s / %s ms | | |%n",
                    serverRecoveries.size(), median(serverRecoveries), serverRecoveries.stream().mapToLong(Long::longValue).max().orElse(-1)));
            r.append(String.format(Locale.ROOT, "| frames delivered to the consumer | %d | | |%n", frames));
            r.append("\nRuntime RSS samples (every 5 s, MB): ");
            r.append(rss.stream().map(x -> String.format(Locale.ROOT, "%.0f", x[1] / 1024.0)).collect(Collectors.joining(" "))).append("\n\nEvents:\n\n");
            events.forEach(e -> r.append("    ").append(e).append('\n'));
            Path out = work.resolve("report.md");
            Files.writeString(out, r.toString(), StandardCharsets.UTF_8);
            System.out.println();
            System.out.println(r);
            log("report written to " + out);
        } finally {
            server.close();
            if (run != null) {
                run.close();
                run.keepRecords(records);
            }
            FelixRun.deleteTree(rings);
        }
        return stuck == 0 && orphans == 0 && leaked == 0;
    }

    private static void sampleUntil(FelixRun felix, List<long[]> rss, long untilEpochMillis) throws InterruptedException {
        while (true) {
            long now = System.currentTimeMillis();
            if (rss.isEmpty() || now - rss.get(rss.size() - 1)[0] >= 5000) {
                rss.add(new long[] {now, Procs.rssKb(felix.pid())});
            }
            if (now >= untilEpochMillis) {
                return;
            }
            Thread.sleep(Math.min(250, untilEpochMillis - now));
        }
    }

    /** A recorder summary in words: per camera frames, generations and each histogram's percentiles. */
    static void printSummary(Path file) throws IOException {
        RecorderSummary s = RecorderSummary.read(file);
        System.out.println("written " + Instant.ofEpochMilli(s.writtenEpochMillis()));
        for (RecorderSummary.Camera c : s.cameras().values()) {
            System.out.printf(Locale.ROOT, "%s: %d frames, %d skipped, generation %d, %d generations seen%n", c.id(),
                    c.frames(), c.gaps(), c.generation(), c.generations().size());
            for (String h : RecorderSummary.HISTOGRAMS) {
                LogHistogram x = c.histogram(h);
                System.out.printf(Locale.ROOT, "  %-18s n=%d p50=%s p90=%s p99=%s p99.9=%s max=%s ms; above 1 ms: %.1f %%%n", h,
                        x.count(), ms(x.percentile(0.5)), ms(x.percentile(0.9)), ms(x.percentile(0.99)),
                        ms(x.percentile(0.999)), ms(x.max()), 100 * x.fractionAbove(1000));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    static String ms(long micros) {
        return micros < 0 ? "-" : String.format(Locale.ROOT, micros < 10_000 ? "%.2f" : "%.0f", micros / 1000.0);
    }

    static String ratio(double value, double floor) {
        return Double.isNaN(value) || Double.isNaN(floor) || floor <= 0 ? "-" : String.format(Locale.ROOT, "%.2f x", value / floor);
    }

    static String median(List<Long> values) {
        if (values.isEmpty()) {
            return "-";
        }
        List<Long> v = new ArrayList<>(values);
        Collections.sort(v);
        return Long.toString(v.get(v.size() / 2));
    }

    static void log(String line) {
        System.out.println(LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " " + line);
    }
}
