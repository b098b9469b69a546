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
import java.util.TreeMap;
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
 * survivor; the cameras moved on each leave and on each rejoin; {@value #PARTITIONS} network partitions (one
 * member's cluster link down) and the time from the heal until every camera runs on exactly one host; and the CPU of
 * the cluster's threads (Hazelcast's and framebus-cluster, with where it goes by thread group) and the heap of a
 * member against a runtime without the cluster bundle.
 *
 * <p>System properties: framebus.cluster.kills (10), .stops (3), .partitions (6), .windows (steady-state windows,
 * 1), .window (seconds, 60), .baseline (true: measure a runtime without the cluster bundle first), .config (more
 * lines for every member's io.framebus.cluster.cfg, "key = value" separated by ';', for A/B runs of settings).
 *
 * <p>Run: {@code mvn -B -o verify -pl distribution -am -Dtest=NONE -Dit.test=ClusterFailoverBench
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}; results in
 * distribution/target/cluster-bench.md.
 */
class ClusterFailoverBench {
    private static final int CAMERAS = 6;
    private static final int KILLS = Integer.getInteger("framebus.cluster.kills", 10);
    private static final int STOPS = Integer.getInteger("framebus.cluster.stops", 3);
    private static final int PARTITIONS = Integer.getInteger("framebus.cluster.partitions", 6);
    private static final int WINDOWS = Integer.getInteger("framebus.cluster.windows", 1);
    private static final int WINDOW_SECONDS = Integer.getInteger("framebus.cluster.window", 60);
    private static final boolean BASELINE = Boolean.parseBoolean(System.getProperty("framebus.cluster.baseline", "true"));

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
        long singleHeap = -1;
        if (BASELINE) {
            // baseline: one runtime without the cluster bundle, the same cameras (it runs all six)
            FelixHost single = host(4, false);
            single.start();
            await().atMost(Duration.ofSeconds(180)).until(() -> single.streaming().size() == CAMERAS);
            singleHeap = heapAfterGc(single.pid());
            single.close();
            hosts.remove(single);
        }

        FelixHost h1 = host(1, true);
        FelixHost h2 = host(2, true);
        FelixHost h3 = host(3, true);
        List<FelixHost> all = List.of(h1, h2, h3);
        for (FelixHost h : all) {
            h.start();
        }
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).until(() -> settled(all));

        report.append("settings added to io.framebus.cluster.cfg: `").append(System.getProperty("framebus.cluster.config", ""))
                .append("`; load average before: ").append(loadAverage()).append("\n\n");
        // steady state: CPU of the cluster's threads and heap, per member
        for (int w = 0; w < WINDOWS; w++) {
            steadyState(all, w == WINDOWS - 1 ? singleHeap : -2);
        }

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
        partitions(all);
        report.append("## kill -9 of a member -> its cameras deliver frames on a survivor\n\n");
        report.append(String.format(Locale.ROOT, "%d kills (members in turn), failure detection %s s:%n%n", KILLS, "5"));
        if (!perKill.isEmpty()) {
            report.append("| | p50 | max |\n|---|---|---|\n");
            report.append(String.format(Locale.ROOT, "| last of the killed member's cameras | %.1f s | %.1f s |%n", p50(perKill), Collections.max(perKill)));
            report.append(String.format(Locale.ROOT, "| each camera | %.1f s | %.1f s |%n%n", p50(perCamera), Collections.max(perCamera)));
        }
        report.append(String.format(Locale.ROOT, "## graceful stop (SIGTERM) of a member -> its cameras deliver on a survivor%n%n"
                + "%d stops: p50 %.1f s, max %.1f s (until the last of its cameras delivers)%n%n", STOPS,
                perStop.isEmpty() ? 0.0 : p50(perStop), perStop.isEmpty() ? 0.0 : Collections.max(perStop)));
        report.append("## cameras moved\n\n");
        report.append("| event | cameras moved besides the departed member's own (per event) |\n|---|---|\n");
        report.append("| leave (kill -9, then SIGTERM) | ").append(leaveMoves).append(" |\n");
        report.append("| rejoin (cameras moved to the rejoined member) | ").append(joinMoves).append(" |\n");
        Path out = Paths.get(System.getProperty("framebus.test.tmp", "target/test-tmp")).resolveSibling("cluster-bench.md");
        Files.writeString(out, report.toString());
        System.out.println(report);
    }

    /**
     * {@value #WINDOW_SECONDS} s of steady state: the CPU of the cluster's threads per member (ticks from
     * /proc/pid/task/tid/stat, as before) and where it goes (per thread group, from schedstat's nanoseconds, full
     * thread names from jcmd Thread.print since /proc cuts them at 15 characters); heap after a full GC when
     * {@code singleHeap} is not -2.
     */
    private void steadyState(List<FelixHost> all, long singleHeap) throws Exception {
        report.append(String.format(Locale.ROOT, "## steady state, 3 members x 2 cameras each (6 RTSP cameras 320x240 at 5 fps), %d s, load average %s%n%n",
                WINDOW_SECONDS, loadAverage()));
        report.append("| member | cluster threads CPU, % of one core | runtime heap after full GC |\n|---|---|---|\n");
        Map<FelixHost, long[]> before = new HashMap<>();
        Map<FelixHost, Map<String, Long>> nsBefore = new HashMap<>();
        Map<FelixHost, Map<Long, String>> names = new HashMap<>();
        for (FelixHost h : all) {
            names.put(h, threadNames(h.pid()));
            before.put(h, clusterThreadTicks(h.pid()));
            nsBefore.put(h, threadGroupNanos(h.pid(), names.get(h)));
        }
        long t0 = System.nanoTime();
        Thread.sleep(WINDOW_SECONDS * 1000L); // a measuring window, not a wait for a condition
        double seconds = (System.nanoTime() - t0) / 1e9;
        double hz = clockTicks();
        Map<String, Double> groups = new TreeMap<>();
        for (FelixHost h : all) {
            long[] a = before.get(h);
            long[] b = clusterThreadTicks(h.pid());
            Map<String, Long> nb = threadGroupNanos(h.pid(), names.get(h));
            nb.forEach((g, ns) -> groups.merge(g, (ns - nsBefore.get(h).getOrDefault(g, 0L)) / 1e9 / seconds * 100 / all.size(), Double::sum));
            String heap = singleHeap == -2 ? "-" : String.format(Locale.ROOT, "%.1f MB", heapAfterGc(h.pid()) / 1e6);
            report.append(String.format(Locale.ROOT, "| %s | %.2f %% (Hazelcast %.2f %%, framebus-cluster %.2f %%) | %s |%n",
                    h.name, 100.0 * ((b[0] - a[0]) + (b[1] - a[1])) / hz / seconds,
                    100.0 * (b[0] - a[0]) / hz / seconds, 100.0 * (b[1] - a[1]) / hz / seconds, heap));
        }
        if (singleHeap >= 0) {
            report.append(String.format(Locale.ROOT, "| runtime without the cluster bundle, same 6 cameras (all local) | - | %.1f MB |%n",
                    singleHeap / 1e6));
        }
        report.append("\nwhere it goes (mean per member, % of one core, thread groups above 0.01 %):\n\n");
        List<Map.Entry<String, Double>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        for (Map.Entry<String, Double> e : sorted) {
            if (e.getValue() >= 0.01) {
                report.append(String.format(Locale.ROOT, "- %s: %.3f %%%n", e.getKey(), e.getValue()));
            }
        }
        report.append('\n');
        System.out.println(report);
    }

    /**
     * {@value #PARTITIONS} times: cut one member's cluster link (members in turn), wait until both sides run every
     * camera (availability over uniqueness), heal, and time until every camera runs on exactly one host again.
     */
    private void partitions(List<FelixHost> all) throws Exception {
        if (PARTITIONS == 0) {
            return;
        }
        List<Double> split = new ArrayList<>();
        List<Double> deduplicated = new ArrayList<>();
        List<Double> even = new ArrayList<>();
        List<Integer> orphans = new ArrayList<>();
        for (int k = 0; k < PARTITIONS; k++) {
            int n = k % 3 + 1;
            FelixHost alone = all.get(n - 1);
            List<FelixHost> rest = new ArrayList<>(all);
            rest.remove(alone);
            long cut = System.nanoTime();
            lab.cutClusterLink(n);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> owners(List.of(alone)).size() == CAMERAS && owners(rest).size() == CAMERAS
                            && !owners(rest).containsValue("(twice)"));
            split.add((System.nanoTime() - cut) / 1e9);
            long healed = System.nanoTime();
            lab.restoreClusterLink(n);
            int[] mostWithoutHost = {0};
            await().atMost(Duration.ofSeconds(600)).pollInterval(Duration.ofMillis(50)).until(() -> {
                Map<String, String> o = owners(all);
                mostWithoutHost[0] = Math.max(mostWithoutHost[0], CAMERAS - o.size());
                return o.size() == CAMERAS && !o.containsValue("(twice)");
            });
            deduplicated.add((System.nanoTime() - healed) / 1e9);
            await().atMost(Duration.ofSeconds(600)).pollInterval(Duration.ofMillis(200)).until(() -> settled(all));
            even.add((System.nanoTime() - healed) / 1e9);
            orphans.add(mostWithoutHost[0]);
            System.out.printf(Locale.ROOT, "partition %d (%s cut off): both sides ran every camera after %.1f s; after the heal "
                    + "each camera ran once after %.1f s, evenly after %.1f s; cameras without a host at once, at most: %d%n",
                    k + 1, alone.name, split.get(k), deduplicated.get(k), even.get(k), orphans.get(k));
        }
        report.append(String.format(Locale.ROOT, "## network partition (one member's cluster link down, members in turn) and heal, %d times%n%n", PARTITIONS));
        report.append("| | p50 | max |\n|---|---|---|\n");
        report.append(String.format(Locale.ROOT, "| link down -> both sides run every camera | %.1f s | %.1f s |%n", p50(split), Collections.max(split)));
        report.append(String.format(Locale.ROOT, "| heal -> every camera runs on exactly one host (duplicates ended) | %.1f s | %.1f s |%n", p50(deduplicated), Collections.max(deduplicated)));
        report.append(String.format(Locale.ROOT, "| heal -> evenly placed again | %.1f s | %.1f s |%n", p50(even), Collections.max(even)));
        report.append(String.format(Locale.ROOT, "%ncameras without a running host at one moment during a heal (per heal): %s; load average after: %s%n%n",
                orphans, loadAverage()));
    }

    private static String loadAverage() throws IOException {
        String[] f = Files.readString(Paths.get("/proc/loadavg")).split(" ");
        return f[0] + ", " + f[1] + ", " + f[2];
    }

    /** Native thread id -> full thread name, from jcmd Thread.print. */
    private static Map<Long, String> threadNames(long pid) throws IOException, InterruptedException {
        String jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Map<Long, String> names = new HashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\"(.*)\" .*nid=(0x[0-9a-f]+|\\d+)", java.util.regex.Pattern.MULTILINE).matcher(out);
        while (m.find()) {
            String nid = m.group(2);
            names.put(nid.startsWith("0x") ? Long.parseLong(nid.substring(2), 16) : Long.parseLong(nid), m.group(1));
        }
        return names;
    }

    /**
     * CPU nanoseconds (schedstat) of the cluster's threads, by group: the name with the instance name and digits
     * taken out (hz.framebus-host1.partition-operation.thread-0 -> hz.partition-operation.thread-#).
     */
    private static Map<String, Long> threadGroupNanos(long pid, Map<Long, String> names) throws IOException {
        Map<String, Long> out = new HashMap<>();
        try (var tasks = Files.list(Paths.get("/proc", Long.toString(pid), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String name = names.get(Long.parseLong(t.getFileName().toString()));
                if (name == null || !(name.startsWith("hz.") || name.startsWith("framebus-cluster"))) {
                    continue;
                }
                try {
                    long ns = Long.parseLong(Files.readString(t.resolve("schedstat")).split(" ")[0]);
                    String group = name.replaceFirst("^hz\\.framebus-[^.]+\\.", "hz.").replaceAll("\\d+", "#");
                    out.merge(group, ns, Long::sum);
                } catch (IOException ended) {
                    // the thread ended meanwhile
                }
            }
        }
        return out;
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
