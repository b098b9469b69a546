package io.framebus.distribution;

import io.framebus.shm.RingReader;
import io.framebus.shm.RingState;
import io.framebus.shm.RingStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One framebus runtime (bin/framebus of a copy of the Felix distribution) in a network namespace: its own
 * conf/, ring directory and log; the cluster bundle and Hazelcast from opt/cluster/ when it is a cluster member.
 * What it runs is read from its rings (the truth: a live writer that streams), not from its log.
 */
final class FelixHost implements AutoCloseable {
    final String name;
    final String namespace;
    final Path home;
    final Path rings;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process felix;
    private OutputStream shell;

    private FelixHost(String name, String namespace, Path home, Path rings) {
        this.name = name;
        this.namespace = namespace;
        this.home = home;
        this.rings = rings;
    }

    /**
     * A copy of {@code dist} in {@code tmp}, cameras removed; with {@code clusterIp} non-null a cluster member
     * listening there and contacting {@code members}.
     */
    static FelixHost create(Path dist, Path tmp, String name, String namespace, String clusterIp, List<String> members)
            throws IOException {
        Path home = Files.createTempDirectory(tmp, "cluster-" + name + "-");
        Path rings = Files.createTempDirectory(Path.of("/dev/shm"), "framebus-cluster-it-" + name + "-");
        FelixHost host = new FelixHost(name, namespace, home, rings);
        for (String dir : new String[] {"bin", "etc", "conf", "bundle"}) {
            copyTree(dist.resolve(dir), home.resolve(dir));
        }
        try (Stream<Path> conf = Files.list(home.resolve("conf"))) {
            for (Path p : conf.filter(p -> p.getFileName().toString().startsWith("io.framebus.camera-")
                    || p.getFileName().toString().startsWith("io.framebus.example")).collect(Collectors.toList())) {
                Files.delete(p);
            }
        }
        try (Stream<Path> bundles = Files.list(home.resolve("bundle"))) {
            for (Path p : bundles.filter(p -> p.getFileName().toString().startsWith("io.framebus.example"))
                    .collect(Collectors.toList())) {
                Files.delete(p); // a frame consumer costs CPU the 2-core machine needs for three runtimes
            }
        }
        // every host runs the distribution's capture folder itself: one class-data archive for all of them (an
        // archive is made per capture folder, and making one costs a core for 20 s)
        StringBuilder manager = new StringBuilder("ringDirectory = " + rings + "\ncaptureHome = "
                + dist.resolve("capture").toAbsolutePath() + "\n");
        if (clusterIp != null) {
            try (Stream<Path> jars = Files.list(dist.resolve("opt/cluster"))) {
                for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).collect(Collectors.toList())) {
                    Files.copy(jar, home.resolve("bundle").resolve(jar.getFileName()));
                }
            }
            manager.append("requirePlacement = true\n");
            Files.writeString(home.resolve("conf/io.framebus.cluster.cfg"), "hostName = " + name + "\n"
                    + "members = " + String.join(",", members) + "\n"
                    + "bindAddress = " + clusterIp + "\n"
                    + "rebalanceDelaySeconds = 5\n"
                    // benchmarks: more settings of the cluster configuration, "key = value" separated by ';'
                    + String.join("\n", System.getProperty("framebus.cluster.config", "").split(";")).trim() + "\n");
        }
        Files.writeString(home.resolve("conf/io.framebus.manager.cfg"), manager.toString());
        Files.writeString(home.resolve("conf/io.framebus.console.cfg"), "statusIntervalSeconds = 5\nlogLevel = INFO\n");
        return host;
    }

    /** Writes (or replaces) a camera file, atomically, so FileInstall never reads half of it. */
    void camera(String id, String url, String... moreLines) throws IOException {
        StringBuilder sb = new StringBuilder("id = " + id + "\nurl = " + url + "\n");
        for (String l : moreLines) {
            sb.append(l).append('\n');
        }
        Path tmp = home.resolve("conf-" + id + ".tmp");
        Files.writeString(tmp, sb.toString());
        Files.move(tmp, home.resolve("conf/io.framebus.camera-" + id + ".cfg"), StandardCopyOption.ATOMIC_MOVE);
    }

    void removeCamera(String id) throws IOException {
        Files.deleteIfExists(home.resolve("conf/io.framebus.camera-" + id + ".cfg"));
    }

    void start() throws IOException {
        // --shell: Gogo reads our pipe (stdin is no terminal here), so the test can type framebus:list
        felix = new ProcessBuilder("/usr/sbin/ip", "netns", "exec", namespace, home.resolve("bin/framebus").toString(),
                "--shell")
                .directory(home.toFile()).redirectErrorStream(true).start();
        shell = felix.getOutputStream(); // kept open: EOF would stop the framework
        PrintStream log = new PrintStream(Files.newOutputStream(home.resolve("felix.log")), true, StandardCharsets.UTF_8);
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(felix.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    log.println(line);
                }
            } catch (IOException ended) {
                // the runtime exited
            }
        }, "felix-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    /** Sends a shell command; its output lands in {@link #output()}. */
    void command(String line) throws IOException {
        shell.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        shell.flush();
    }

    List<String> output() {
        return output;
    }

    boolean alive() {
        return felix != null && felix.isAlive();
    }

    long pid() {
        return felix.pid(); // ip netns exec and bin/framebus exec: this is the runtime's JVM
    }

    void kill9() throws Exception {
        new ProcessBuilder("kill", "-9", Long.toString(felix.pid())).start().waitFor();
        felix.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, what a service manager or Kubernetes sends: the framework stops in order. */
    void terminate() throws InterruptedException {
        felix.destroy();
        felix.waitFor(60, TimeUnit.SECONDS);
    }

    /** The cameras this host streams now: rings whose writer lives and reports STREAMING with a fresh heartbeat. */
    Set<String> streaming() throws IOException {
        Set<String> out = new TreeSet<>();
        for (Path ring : ringFiles()) {
            try (RingReader r = RingReader.open(ring)) {
                RingStatus s = r.status();
                boolean alive = ProcessHandle.of(s.writerPid()).map(ProcessHandle::isAlive).orElse(false);
                if (alive && s.state() == RingState.STREAMING && s.heartbeatAge().toMillis() < 3000
                        && r.publishedSequence() > 0) {
                    out.add(ring.getFileName().toString().replace(".ring", ""));
                }
            } catch (IOException | RuntimeException beingReplaced) {
                // created or removed right now
            }
        }
        return out;
    }

    /** Camera rings present (streaming or not). */
    List<Path> ringFiles() throws IOException {
        if (!Files.isDirectory(rings)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(rings)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".") && p.toString().endsWith(".ring"))
                    .collect(Collectors.toList());
        }
    }

    /**
     * Capture processes of this host: every process in its namespace but the runtime itself (they are its
     * children, and nothing else of this test runs there).
     */
    List<ProcessHandle> captureProcesses() throws IOException {
        List<ProcessHandle> out = new ArrayList<>();
        Process p = new ProcessBuilder("/usr/sbin/ip", "netns", "pids", namespace).redirectErrorStream(true).start();
        for (String pid : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\\s+")) {
            if (pid.matches("\\d+") && (felix == null || Long.parseLong(pid) != felix.pid())) {
                ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive).ifPresent(out::add);
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        if (felix != null && felix.isAlive()) {
            felix.destroyForcibly();
            try {
                felix.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (ProcessHandle p : captureProcesses()) {
            p.destroyForcibly();
        }
        deleteTree(rings);
        if (!Boolean.getBoolean("framebus.cluster.keepLogs")) {
            deleteTree(home);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.collect(Collectors.toList())) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) { // does not follow the capture symlink
            all = s.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }

    @Override
    public String toString() {
        return name;
    }

    static List<String> lines(List<String> output, String contains) {
        List<String> out = new ArrayList<>();
        for (String l : output) {
            if (l.contains(contains)) {
                out.add(l);
            }
        }
        return out;
    }
}
