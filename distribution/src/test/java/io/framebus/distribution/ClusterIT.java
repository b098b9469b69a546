package io.framebus.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several framebus runtimes as one cluster, each in a network namespace of its own (a simulated host), sharing one
 * camera list and one real RTSP camera on a camera network every host reaches. Cameras are small (320x240 at
 * 5 fps, one shared encoder) so that three runtimes fit the 2-core machine. What runs where is read from each
 * host's rings: a camera runs on a host when its ring there has a live writer that streams.
 *
 * <p>Every namespace, runtime, capture process, ring and copy is removed after each test, also when it fails.
 */
class ClusterIT {
    private static final Duration BOOT = Duration.ofSeconds(150);
    private static final Duration CHANGE = Duration.ofSeconds(90);
    private static final int CAMERAS = 6;

    private NetnsLab lab;
    private Process camera;
    private final List<FelixHost> hosts = new ArrayList<>();
    private final List<String> memberIps = new ArrayList<>();
    private Path tmp;

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
        String ready = new BufferedReader(new InputStreamReader(camera.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(ready).as("RTSP test camera").startsWith("READY");
    }

    @AfterEach
    void tearDown() throws Exception {
        List<String> left = new ArrayList<>();
        try {
            for (FelixHost h : hosts) {
                h.close(); // the runtime, its capture processes, its rings and its copy
                if (!h.captureProcesses().isEmpty()) {
                    left.add(h + ": " + h.captureProcesses());
                }
            }
        } finally {
            if (camera != null && camera.isAlive()) {
                camera.destroy();
                if (!camera.waitFor(5, TimeUnit.SECONDS)) {
                    camera.destroyForcibly();
                }
            }
            if (lab != null) {
                lab.close(); // kills whatever still runs in a namespace, deletes them all
            }
        }
        assertThat(left).as("processes left in the namespaces").isEmpty();
    }

    private static String cameraUrl() {
        return "rtsp://" + NetnsLab.CAMERA_IP + ":8554/cam";
    }

    private FelixHost host(int n, boolean cluster) throws IOException {
        String ns = lab.addHost(n);
        FelixHost h = FelixHost.create(Paths.get(System.getProperty("framebus.dist")), tmp, "host" + n, ns,
                cluster ? NetnsLab.clusterIp(n) : null, memberIps);
        hosts.add(h);
        return h;
    }

    private static void cameras(FelixHost h, int count) throws IOException {
        for (int i = 1; i <= count; i++) {
            h.camera("c" + i, cameraUrl(), "connectTimeout = 5000");
        }
    }

    private static Set<String> ids(int count) {
        Set<String> out = new TreeSet<>();
        for (int i = 1; i <= count; i++) {
            out.add("c" + i);
        }
        return out;
    }

    /** camera -> hosts streaming it, over the given hosts. */
    private static Map<String, List<String>> where(List<FelixHost> among) throws IOException {
        Map<String, List<String>> out = new HashMap<>();
        for (FelixHost h : among) {
            for (String cam : h.streaming()) {
                out.computeIfAbsent(cam, k -> new ArrayList<>()).add(h.name);
            }
        }
        return out;
    }

    /** Every camera of {@code expected} streams on exactly one of {@code among}, and nothing else streams there. */
    private static boolean exactlyOnce(List<FelixHost> among, Set<String> expected) throws IOException {
        Map<String, List<String>> w = where(among);
        return w.keySet().equals(expected) && w.values().stream().allMatch(l -> l.size() == 1);
    }

    private static boolean even(List<FelixHost> among) throws IOException {
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (FelixHost h : among) {
            int n = h.streaming().size();
            min = Math.min(min, n);
            max = Math.max(max, n);
        }
        return max - min <= 1;
    }

    private void awaitEvenExactlyOnce(List<FelixHost> among, Set<String> cams, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(500))
                .until(() -> exactlyOnce(among, cams) && even(among));
    }

    @Test
    void threeHostsShareEvenlyAJoinerTakesOnlyItsShareAndCameraFilesApplyOnEveryHost() throws Exception {
        FelixHost h1 = host(1, true);
        FelixHost h2 = host(2, true);
        FelixHost h3 = host(3, true);
        for (FelixHost h : hosts) {
            cameras(h, CAMERAS);
        }
        h1.start();
        h2.start();
        awaitEvenExactlyOnce(List.of(h1, h2), ids(CAMERAS), BOOT);
        Set<String> before1 = h1.streaming();
        Set<String> before2 = h2.streaming();

        h3.start();
        List<FelixHost> all = List.of(h1, h2, h3);
        awaitEvenExactlyOnce(all, ids(CAMERAS), BOOT);
        // the joiner took its two; nothing moved between the two that were there
        assertThat(h3.streaming()).hasSize(2);
        assertThat(before1).containsAll(h1.streaming());
        assertThat(before2).containsAll(h2.streaming());
        // Hazelcast's log reaches the console, but not its warning about JVM options that open JDK internals
        // (framebus adds none; its log level is WARNING by default, at which the cluster bundle filters that one
        // message out)
        for (FelixHost h : all) {
            assertThat(FelixHost.lines(h.output(), "com.hazelcast.")).as(h + ": Hazelcast's log").isNotEmpty();
            assertThat(FelixHost.lines(h.output(), "Java modular environment")).as(h + ": the module-access warning").isEmpty();
        }

        // a camera added on every host runs once; one configured differently on one host runs once and is reported
        for (FelixHost h : all) {
            h.camera("c7", cameraUrl());
            h.camera("c8", cameraUrl(), "fps = " + (h == h3 ? "4" : "5"));
        }
        Set<String> eight = ids(8);
        await().atMost(CHANGE).pollInterval(Duration.ofMillis(500)).until(() -> exactlyOnce(all, eight));
        assertThat(where(all).get("c8")).doesNotContain(h3.name);
        h1.command("framebus:cluster");
        await().atMost(CHANGE).until(() -> !FelixHost.lines(h1.output(), "conflict c8: configuration differs").isEmpty());
        h3.command("framebus:list");
        await().atMost(CHANGE).until(() -> h3.output().stream().anyMatch(l -> l.matches("c8\\s+ELSEWHERE.*host[12]")));

        // removed on every host: runs nowhere, its rings are gone
        for (FelixHost h : all) {
            h.removeCamera("c7");
            h.removeCamera("c8");
        }
        await().atMost(CHANGE).pollInterval(Duration.ofMillis(500)).until(() -> exactlyOnce(all, ids(CAMERAS)));
        await().atMost(CHANGE).until(() -> all.stream().allMatch(h -> !Files.exists(h.rings.resolve("c7.ring"))
                && !Files.exists(h.rings.resolve("c8.ring"))));
    }

    @Test
    void killMinusNineMovesAHostsCamerasToTheSurvivorsAndAGracefulStopHandsOver() throws Exception {
        FelixHost h1 = host(1, true);
        FelixHost h2 = host(2, true);
        FelixHost h3 = host(3, true);
        for (FelixHost h : hosts) {
            cameras(h, CAMERAS);
            h.start();
        }
        awaitEvenExactlyOnce(hosts, ids(CAMERAS), BOOT);
        Set<String> h2had = h2.streaming();
        List<ProcessHandle> h2captures = h2.captureProcesses();

        h2.kill9();
        // its capture processes end by themselves (stdin EOF); the survivors take its cameras
        await().atMost(CHANGE).until(() -> h2captures.stream().noneMatch(ProcessHandle::isAlive));
        awaitEvenExactlyOnce(List.of(h1, h3), ids(CAMERAS), CHANGE);
        assertThat(where(List.of(h1, h3)).keySet()).containsAll(h2had);

        h3.terminate();
        assertThat(h3.alive()).isFalse();
        await().atMost(CHANGE).pollInterval(Duration.ofMillis(500)).until(() -> exactlyOnce(List.of(h1), ids(CAMERAS)));
        assertThat(h3.captureProcesses()).isEmpty();
        assertThat(h3.ringFiles()).isEmpty();
    }

    @Test
    void duringAPartitionBothSidesRunEveryCameraAndAfterTheHealEachRunsOnce() throws Exception {
        FelixHost h1 = host(1, true);
        FelixHost h2 = host(2, true);
        FelixHost h3 = host(3, true);
        for (FelixHost h : hosts) {
            cameras(h, CAMERAS);
            h.start();
        }
        awaitEvenExactlyOnce(hosts, ids(CAMERAS), BOOT);

        lab.cutClusterLink(3);
        // availability over uniqueness: host3 alone runs all, and so do host1 and host2 together
        await().atMost(CHANGE).pollInterval(Duration.ofMillis(500))
                .until(() -> exactlyOnce(List.of(h3), ids(CAMERAS)) && exactlyOnce(List.of(h1, h2), ids(CAMERAS)));

        lab.restoreClusterLink(3);
        // merged: duplicates end, nothing is left without a host
        awaitEvenExactlyOnce(hosts, ids(CAMERAS), CHANGE);
    }

    @Test
    void withoutTheClusterBundleAHostRunsEveryCameraAsBefore() throws Exception {
        FelixHost alone = host(1, false);
        cameras(alone, 2);
        alone.start();
        await().atMost(BOOT).pollInterval(Duration.ofMillis(500)).until(() -> alone.streaming().equals(ids(2)));
        alone.command("framebus:list");
        await().atMost(CHANGE).until(() -> alone.output().stream().anyMatch(l -> l.matches("c1\\s+STREAMING.*")));
        assertThat(alone.output()).noneMatch(l -> l.contains("HOST") || l.contains("ELSEWHERE"));
        Process curl = new ProcessBuilder("/usr/sbin/ip", "netns", "exec", alone.namespace, "curl", "-s", "-o",
                "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:8080/framebus/api/cluster").start();
        String code = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(code).isEqualTo("404");
    }
}
