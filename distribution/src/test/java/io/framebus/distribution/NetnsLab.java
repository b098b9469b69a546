package io.framebus.distribution;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Simulated hosts on this machine: Linux network namespaces (iproute2, root), each with two interfaces, on two
 * bridges that live in a namespace of their own (nothing of the machine's own network is touched):
 *
 * <pre>
 *   cluster network 10.213.0.0/24 (bridge cl0): host n = 10.213.0.(10+n)   -- what a partition cuts
 *   camera network  10.213.1.0/24 (bridge cam0): host n = 10.213.1.(10+n), the RTSP camera = 10.213.1.1
 * </pre>
 *
 * Two networks, as cameras often sit on a VLAN of their own: cutting a host's cluster link partitions the cluster
 * while every host still reaches the cameras, which is the case the partition rules are about. Namespace names
 * carry this JVM's pid, so concurrent runs never meet; {@link #close()} kills whatever still runs inside and
 * deletes every namespace (the veths go with them).
 */
final class NetnsLab implements AutoCloseable {
    static final String CAMERA_IP = "10.213.1.1";

    private final String prefix = "fbc" + ProcessHandle.current().pid();
    private final String switchNs = prefix + "-sw";
    private final List<String> namespaces = new ArrayList<>();

    /** Whether this machine lets us build namespaces (root, iproute2). */
    static boolean usable() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Paths.get("/usr/sbin/ip"));
    }

    static NetnsLab create() throws IOException {
        NetnsLab lab = new NetnsLab();
        try {
            lab.addNamespace(lab.switchNs);
            for (String bridge : new String[] {"cl0", "cam0"}) {
                lab.ip("-n", lab.switchNs, "link", "add", bridge, "type", "bridge");
                lab.ip("-n", lab.switchNs, "link", "set", bridge, "up");
            }
            lab.ip("-n", lab.switchNs, "addr", "add", CAMERA_IP + "/24", "dev", "cam0");
            return lab;
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    /** The namespace in which the bridges and the camera live. */
    String switchNamespace() {
        return switchNs;
    }

    /** Adds host {@code n} (1..200); returns its namespace. */
    String addHost(int n) throws IOException {
        String ns = prefix + "-h" + n;
        addNamespace(ns);
        ip("-n", switchNs, "link", "add", "c" + n, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ip("-n", switchNs, "link", "add", "v" + n, "type", "veth", "peer", "name", "eth1", "netns", ns);
        ip("-n", switchNs, "link", "set", "c" + n, "master", "cl0", "up");
        ip("-n", switchNs, "link", "set", "v" + n, "master", "cam0", "up");
        ip("-n", ns, "addr", "add", clusterIp(n) + "/24", "dev", "eth0");
        ip("-n", ns, "addr", "add", "10.213.1." + (10 + n) + "/24", "dev", "eth1");
        ip("-n", ns, "link", "set", "eth0", "up");
        ip("-n", ns, "link", "set", "eth1", "up");
        return ns;
    }

    static String clusterIp(int n) {
        return "10.213.0." + (10 + n);
    }

    /** Cuts host n off the cluster network (it still reaches the cameras). */
    void cutClusterLink(int n) throws IOException {
        ip("-n", switchNs, "link", "set", "c" + n, "down");
    }

    void restoreClusterLink(int n) throws IOException {
        ip("-n", switchNs, "link", "set", "c" + n, "up");
    }

    private void addNamespace(String ns) throws IOException {
        ip("netns", "add", ns);
        namespaces.add(ns);
        ip("-n", ns, "link", "set", "lo", "up");
    }

    /** Runs {@code ip args...}; fails with its output when it fails. */
    void ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + cmd, e);
        }
    }

    /** Pids of every process in the namespace. */
    List<Long> pidsIn(String ns) throws IOException {
        Process p = new ProcessBuilder("/usr/sbin/ip", "netns", "pids", ns).redirectErrorStream(true).start();
        List<Long> out = new ArrayList<>();
        for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\\s+")) {
            if (line.matches("\\d+")) {
                out.add(Long.parseLong(line));
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            String ns = namespaces.get(i);
            try {
                for (long pid : pidsIn(ns)) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
                ip("netns", "del", ns);
            } catch (IOException e) {
                System.err.println("cannot remove namespace " + ns + ": " + e.getMessage());
            }
        }
        namespaces.clear();
    }
}
