package io.framebus.distribution;

import static org.awaitility.Awaitility.await;

import io.framebus.shm.RingReader;
import io.framebus.shm.RingState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster's figures for docs/benchmarks.md (not a test: it asserts nothing about time and is run on purpose,
 * see the command there): three members in network namespaces sharing {@value #CAMERAS} RTSP cameras;
 * {@value #KILLS} times, kill -9 of one member and the time until each of its cameras delivers frames on a
 * survivor; the cameras moved on each leave and on each rejoin; and the CPU of the cluster's threads (Hazelcast's
 * and framebus-cluster) and the heap of a member against a runtime without the cluster bundle.
 *
 * <p>Run: {@code mvn -B -o verify -pl distribution -am -Dtest=NONE -Dit.test=ClusterFailoverBench
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}; results in
 * distribution/target/cluster-bench.md.
 */
class ClusterFailoverBench {
    private static final int CAMERAS = 6;
    private static final int KILLS = Integer.getInteger("framebus.cluster.kills", 10);
    private static final int STOPS = Integer.getInteger("framebus.cluster.stops", 3);

    private NetnsLab lab;
    private Process camera;
    private final List<FelixHost> hosts = new ArrayList<>();
    private final List<String> memberIps = new ArrayList<>();
    private Path tmp;
    private final StringBuilder report = new StringBuilder();

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeTrue(NetnsLab.usable(), "needs root and iproute2 for network namespaces");
        tmp = Files.createDirectories(Paths.get(System.getProperty("framebus.test.tmp", "target/test-tmp")).toAbsolutePath());
        lab = NetnsLab.create();
        for (int n = 1; n <= 3; n++) {
            memberIps.add(NetnsLab.clusterIp(n));
        }
        camera = new ProcessBuilder("/usr/sbin/ip", "netns", "exec", lab.switchNamespace(), "/usr/bin/python3",
                System.getProperty("framebus.rtsp.server"), "--address", NetnsLab.CAMERA_IP, "--port", "8554",
                "--path", "/cam", "--width", "320", "--height", "240", "--fps", "5", "--exit-on-eof")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        new BufferedReader(new InputStreamReader(camera.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            for (FelixHost h : hosts) {
                h.close();
            }
        } finally {
            if (camera != null) {
                camera.destroy();
                camera.waitFor(5, TimeUnit.SECONDS);
                camera.destroyForcibly();
            }
            if (lab != null) {
                lab.close();
            }
        }
    }

    private FelixHost host(int n, boolean cluster) throws IOException {
        String ns = lab.addHost(n);
        FelixHost h = FelixHost.create(Paths.get(System.getProperty("framebus.dist")), tmp, "host" + n, ns,
                cluster ? NetnsLab.clusterIp(n) : null, memberIps);
        hosts.add(h);
        for (int i = 1; i <= CAMERAS; i++) {
            h.camera("c" + i, "rtsp://" + NetnsLab.CAMERA_IP + ":8554/cam", "connectTimeout = 5000");
        }
        return h;
    }

    private static Map<String, String> owners(List<FelixHost> among) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (FelixHost h : among) {
            for (String c : h.streaming()) {
                if (out.put(c, h.name) != null) {
                    out.put(c, "(twice)");
                }
            }
        }
        return out;
    }

    private static boolean settled(List<FelixHost> among) throws IOException {
        Map<String, String> o = owners(among);
        if (o.size() != CAMERAS || o.containsValue("(twice)")) {
            return false;
        }
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (FelixHost h : among) {
            int n = h.streaming().size();
            min = Math.min(min, n);
            max = Math.max(max, n);
        }
        return max - min <= 1;
    }

    /** A camera delivers on a host: its ring there has a live writer, STREAMING, at least one frame. */
    private static boolean delivers(FelixHost h, String cam) {
        Path ring = h.rings.resolve(cam + ".ring");
        if (!Files.exists(ring)) {
            return false;
        }
        try (RingReader r = RingReader.open(ring)) {
            return r.status().state() == RingState.STREAMING && r.publishedSequence() > 0
                    && ProcessHandle.of(r.status().writerPid()).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | RuntimeException notYet) {
            return false;
        }
    }

    @Test
    void failoverFigures() throws Exception {
        // baseline: one runtime without the cluster bundle, the same cameras (it runs all six)
        FelixHost single = host(4, false);
        single.start();
        await().atMost(Duration.ofSeconds(180)).until(() -> single.streaming().size() == CAMERAS);
        long singleHeap = heapAfterGc(single.pid());
        single.close();
        hosts.remove(single);

        FelixHost h1 = host(1, true);
        FelixHost h2 = host(2, true);
        FelixHost h3 = host(3, true);
        List<FelixHost> all = List.of(h1, h2, h3);
        for (FelixHost h : all) {
            h.start();
        }
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).until(() -> settled(all));

        // steady state: CPU of the cluster's threads and heap, per member
        report.append("## steady state, 3 members x 2 cameras each (6 RTSP cameras 320x240 at 5 fps)\n\n");
        report.append("| member | cluster threads CPU, % of one core (60 s) | runtime heap after full GC |\n|---|---|---|\n");
        Map<FelixHost, long[]> before = new HashMap<>();
        for (FelixHost h : all) {
            before.put(h, clusterThreadTicks(h.pid()));
        }
        long t0 = System.nanoTime();
        Thread.sleep(60_000); // a measuring window, not a wait for a condition
        double seconds = (System.nanoTime() - t0) / 1e9;
        double hz = clockTicks();
        for (FelixHost h : all) {
            long[] a = before.get(h);
            long[] b = clusterThreadTicks(h.pid());
            report.append(String.format(Locale.ROOT, "| %s | %.2f %% (Hazelcast %.2f %%, framebus-cluster %.2f %%) | %.1f MB |%n",
                    h.name, 100.0 * ((b[0] - a[0]) + (b[1] - a[1])) / hz / seconds,
                    100.0 * (b[0] - a[0]) / hz / seconds, 100.0 * (b[1] - a[1]) / hz / seconds,
                    heapAfterGc(h.pid()) / 1e6));
        }
        report.append(String.format(Locale.ROOT, "| runtime without the cluster bundle, same 6 cameras (all local) | - | %.1f MB |%n%n",
                singleHeap / 1e6));

        List<Double> perKill = new ArrayList<>();
        List<Double> perCamera = new ArrayList<>();
        List<Integer> leaveMoves = new ArrayList<>();
        List<Integer> joinMoves = new ArrayList<>();
        List<Double> perStop = new ArrayList<>();
        for (int k = 0; k < KILLS + STOPS; k++) {
            boolean graceful = k >= KILLS;
            FelixHost victim = all.get(k % 3);
            List<FelixHost> survivors = new ArrayList<>(all);
            survivors.remove(victim);
            Map<String, String> owned = owners(all);
            Set<String> its = new TreeSet<>(victim.streaming());
            long killed = System.nanoTime();
            if (graceful) {
                victim.terminate();
            } else {
                victim.kill9();
            }
            Map<String, Double> back = new HashMap<>();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> {
                for (String c : its) {
                    if (!back.containsKey(c) && survivors.stream().anyMatch(s -> delivers(s, c))) {
                        back.put(c, (System.nanoTime() - killed) / 1e9);
                    }
                }
                return back.size() == its.size();
            });
            if (graceful) {
                perStop.add(Collections.max(back.values()));
            } else {
                perCamera.addAll(back.values());
                perKill.add(Collections.max(back.values()));
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> settled(survivors));
            Map<String, String> afterLeave = owners(survivors);
            leaveMoves.add(moved(owned, afterLeave, its));
            victim.start();
            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).until(() -> settled(all));
            joinMoves.add(moved(afterLeave, owners(all), Set.of()));
            System.out.printf(Locale.ROOT, (graceful ? "SIGTERM" : "kill -9") + " %d of %s: its %d cameras back after %s s; moved on leave %d, on join %d%n",
                    k + 1, victim.name, its.size(), back.values(), leaveMoves.get(k), joinMoves.get(k));
        }
        report.append("## kill -9 of a member -> its cameras deliver frames on a survivor\n\n");
        report.append(String.format(Locale.ROOT, "%d kills (members in turn), failure detection %s s:%n%n", KILLS, "5"));
        if (!perKill.isEmpty()) {
            report.append("| | p50 | max |\n|---|---|---|\n");
            report.append(String.format(Locale.ROOT, "| last of the killed member's cameras | %.1f s | %.1f s |%n", p50(perKill), Collections.max(perKill)));
            report.append(String.format(Locale.ROOT, "| each camera | %.1f s | %.1f s |%n%n", p50(perCamera), Collections.max(perCamera)));
        }
        report.append(String.format(Locale.ROOT, "## graceful stop (SIGTERM) of a member -> its cameras deliver on a survivor%n%n"
                + "%d stops: p50 %.1f s, max %.1f s (until the last of its cameras delivers)%n%n", STOPS,
                perStop.isEmpty() ? 0 : p50(perStop), perStop.isEmpty() ? 0 : Collections.max(perStop)));
        report.append("## cameras moved\n\n");
        report.append("| event | cameras moved besides the departed member's own (per event) |\n|---|---|\n");
        report.append("| leave (kill -9, then SIGTERM) | ").append(leaveMoves).append(" |\n");
        report.append("| rejoin (cameras moved to the rejoined member) | ").append(joinMoves).append(" |\n");
        Path out = Paths.get(System.getProperty("framebus.test.tmp", "target/test-tmp")).resolveSibling("cluster-bench.md");
        Files.writeString(out, report.toString());
        System.out.println(report);
    }

    /** Cameras whose owner changed, the departed member's own ones left out. */
    private static int moved(Map<String, String> before, Map<String, String> after, Set<String> departed) {
        int n = 0;
        for (Map.Entry<String, String> e : after.entrySet()) {
            if (!departed.contains(e.getKey()) && before.containsKey(e.getKey()) && !before.get(e.getKey()).equals(e.getValue())) {
                n++;
            }
        }
        return n;
    }

    private static double p50(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.get((s.size() - 1) / 2);
    }

    private static double clockTicks() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return Double.parseDouble(out);
    }

    /** utime+stime ticks of the runtime's Hazelcast threads ("hz.*") and of framebus-cluster, from /proc. */
    private static long[] clusterThreadTicks(long pid) throws IOException {
        long hz = 0;
        long ours = 0;
        try (var tasks = Files.list(Paths.get("/proc", Long.toString(pid), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    if (name.startsWith("hz.")) {
                        hz += ticks;
                    } else if (name.startsWith("framebus-cluste")) { // comm is cut at 15 characters
                        ours += ticks;
                    }
                } catch (IOException ended) {
                    // the thread ended meanwhile
                }
            }
        }
        return new long[] {hz, ours};
    }

    /** Heap in use after a full GC (jcmd GC.run, then GC.heap_info's "used"). */
    private static long heapAfterGc(long pid) throws IOException, InterruptedException {
        String jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString();
        new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").start().waitFor();
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(out);
        long used = 0;
        while (m.find()) {
            used += Long.parseLong(m.group(2)) * 1024; // young + old (serial/parallel) or the one G1 heap line
        }
        return used;
    }
}
