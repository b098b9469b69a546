package io.framebus.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who may use the web of the shipped distribution when it listens on a real network: the runtime in a network
 * namespace of its own, a client in another, a veth pair between them (192.0.2.1 and .2, TEST-NET-1; nothing of
 * this machine's own network is touched). By default a client on another host sees nothing; with a user and a
 * password hash (made by the command the docs name, from the shipped bundle) it logs in; clients on the runtime's
 * own host need no login; a Host name not on the list is refused everywhere.
 */
class WebAccessDistributionIT {
    private static final String SERVER = "192.0.2.1";
    private final String tag = UUID.randomUUID().toString().substring(0, 6);
    private final String serverNs = "fbweb-s-" + tag;
    private final String clientNs = "fbweb-c-" + tag;
    private Path home;
    private Path rings;
    private Process felix;
    private int port;
    private final List<String> output = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path archive = Paths.get(System.getProperty("framebus.dist.archive"));
        Path tmp = Paths.get(System.getProperty("framebus.test.tmp", "target/test-tmp"));
        Files.createDirectories(tmp);
        Path unpacked = Files.createTempDirectory(tmp.toAbsolutePath(), "felix-access-");
        run("tar", "xzf", archive.toString(), "-C", unpacked.toString());
        try (Stream<Path> top = Files.list(unpacked)) {
            home = top.filter(p -> p.getFileName().toString().startsWith("framebus-")).findFirst().orElseThrow();
        }
        rings = Files.createTempDirectory(Paths.get("/dev/shm"), "framebus-access-it-");
        Files.writeString(home.resolve("conf/io.framebus.manager.cfg"), "ringDirectory = " + rings
                + "\nstandbyProcess = false\n");
        Files.delete(home.resolve("conf/io.framebus.camera-demo.cfg")); // the web is the subject, not frames
        port = WebIT.freePort();
        // every interface of the runtime's namespace, as an operator would open it up
        Files.writeString(home.resolve("conf/org.apache.felix.http.cfg"), "org.osgi.service.http.port = " + port
                + "\norg.apache.felix.http.host = 0.0.0.0\n");

        run("ip", "netns", "add", serverNs);
        run("ip", "netns", "add", clientNs);
        run("ip", "-n", serverNs, "link", "add", "fbs", "type", "veth", "peer", "name", "fbc", "netns", clientNs);
        run("ip", "-n", serverNs, "addr", "add", SERVER + "/24", "dev", "fbs");
        run("ip", "-n", clientNs, "addr", "add", "192.0.2.2/24", "dev", "fbc");
        for (String[] link : new String[][] {{serverNs, "fbs"}, {serverNs, "lo"}, {clientNs, "fbc"}, {clientNs, "lo"}}) {
            run("ip", "-n", link[0], "link", "set", link[1], "up");
        }
        felix = new ProcessBuilder("ip", "netns", "exec", serverNs, home.resolve("bin/framebus").toString(),
                "--headless").directory(home.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(felix.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    System.out.println("[felix] " + line);
                }
            } catch (IOException ended) {
                // the runtime exited
            }
        });
        pump.setDaemon(true);
        pump.start();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (felix != null && felix.isAlive()) {
                felix.destroy();
                if (!felix.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    felix.destroyForcibly().waitFor();
                }
            }
        } finally {
            runQuietly("ip", "netns", "del", clientNs); // takes the veth pair with it
            runQuietly("ip", "netns", "del", serverNs);
            DistributionCopies.deleteTree(home.getParent());
            DistributionCopies.deleteTree(rings);
        }
    }

    @Test
    void anotherHostSeesNothingUntilAUserIsConfiguredThenLogsIn() throws Exception {
        String remote = "http://" + SERVER + ":" + port + "/framebus/api/cameras";
        String local = "http://127.0.0.1:" + port + "/framebus/api/cameras";
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> curl(serverNs, local).startsWith("200 "));

        // by default: clients on the runtime's host only; another host gets 403 whatever it sends
        assertThat(curl(clientNs, remote, "-H", "Host: localhost")).startsWith("403 ").contains("own host only");
        assertThat(curl(clientNs, remote)).as("its address is no allowed Host name").startsWith("403 ")
                .contains("allowedHosts");
        assertThat(curl(clientNs, "http://" + SERVER + ":" + port + "/framebus/cameras/x/snapshot.jpg",
                "-H", "Host: localhost")).startsWith("403 ");
        assertThat(curl(clientNs, "http://" + SERVER + ":" + port + "/framebus/metrics",
                "-H", "Host: localhost")).startsWith("403 ");
        assertThat(curl(clientNs, "http://" + SERVER + ":" + port + "/system/health/framebus.json",
                "-H", "Host: localhost")).as("the health servlet of the Http Service").startsWith("403 ");
        assertThat(curl(serverNs, "http://127.0.0.1:" + port + "/system/health/framebus.json"))
                .as("this host sees the health").startsWith("200 ");
        // DNS rebinding against the runtime's own host: a foreign name is refused on the loopback too
        assertThat(curl(serverNs, local, "-H", "Host: rebind.example")).startsWith("403 ");

        // the documented way to a password hash: the command in the shipped web bundle, password on stdin
        Path webJar;
        try (Stream<Path> bundles = Files.list(home.resolve("bundle"))) {
            webJar = bundles.filter(p -> p.getFileName().toString().startsWith("io.framebus.web-")).findFirst()
                    .orElseThrow();
        }
        Process hash = new ProcessBuilder("java", "-cp", webJar.toString(), "io.framebus.web.internal.PasswordHash")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        hash.getOutputStream().write("Gate-k33per\n".getBytes(StandardCharsets.UTF_8));
        hash.getOutputStream().close();
        String passwordHash = new String(hash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(hash.waitFor()).isZero();
        Files.writeString(home.resolve("conf/io.framebus.web.access.cfg"), "allowedHosts = localhost, 127.0.0.1, "
                + SERVER + "\nuser = operator\npasswordHash = " + passwordHash + "\n");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> curl(clientNs, remote).startsWith("401 "));
        assertThat(curl(clientNs, remote, "-u", "operator:Gate-k33per")).startsWith("200 ").contains("\"cameras\"");
        assertThat(curl(clientNs, remote, "-u", "operator:gate-k33per")).startsWith("401 ");
        assertThat(curl(clientNs, remote, "-u", "admin:Gate-k33per")).startsWith("401 ");
        assertThat(curl(clientNs, remote, "-i")).contains("WWW-Authenticate: Basic realm=\"framebus\"");
        assertThat(curl(serverNs, local)).as("this host still needs no login").startsWith("200 ");
        assertThat(output).noneMatch(l -> l.contains("Gate-k33per"));
    }

    /** curl in a namespace: "<status> <body>". */
    private static String curl(String ns, String url, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "curl", "-s", "-m", "10",
                "-w", "\n%{http_code}"));
        cmd.addAll(List.of(extra));
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        int nl = out.lastIndexOf('\n');
        return out.substring(nl + 1).trim() + " " + out.substring(0, Math.max(nl, 0));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    private static void runQuietly(String... cmd) throws Exception {
        new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor();
    }

}
