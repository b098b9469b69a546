package io.framebus.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Camera passwords out of conf/: {@code $[secret:NAME]} (a file in the distribution's secrets/) and
 * {@code $[env:NAME]} through Felix ConfigAdmin's interpolation plugin, in the shipped distribution against an RTSP
 * camera that requires them. The password reaches the camera (it streams) and nothing else: not the console, the
 * shell, the web, service properties, command lines, or any file but its own.
 */
class SecretsDistributionIT {
    /** Distinctive, with characters that need URL encoding: a leak of the raw or the encoded form would be found. */
    private static final String PASSWORD = "Vault-7f3#q@x";
    private static final String ENCODED = "Vault-7f3%23q%40x";
    private Path home;
    private Path rings;
    private Process felix;
    private OutputStream shellIn;
    private RtspServer camera;
    private int port;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void unpack() throws Exception {
        Path archive = Paths.get(System.getProperty("framebus.dist.archive"));
        Path tmp = Paths.get(System.getProperty("framebus.test.tmp", "target/test-tmp"));
        Files.createDirectories(tmp);
        Path unpacked = Files.createTempDirectory(tmp.toAbsolutePath(), "felix-secrets-");
        Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", unpacked.toString()).inheritIO().start();
        assertThat(tar.waitFor()).as("tar xzf " + archive).isZero();
        try (Stream<Path> top = Files.list(unpacked)) {
            home = top.filter(p -> p.getFileName().toString().startsWith("framebus-")).findFirst().orElseThrow();
        }
        rings = Files.createTempDirectory(Paths.get("/dev/shm"), "framebus-secrets-it-");
        Files.writeString(home.resolve("conf/io.framebus.manager.cfg"), "ringDirectory = " + rings + "\n");
        Files.writeString(home.resolve("conf/io.framebus.console.cfg"), "statusIntervalSeconds = 1\nlogLevel = INFO\n");
        port = WebIT.freePort();
        Files.writeString(home.resolve("conf/org.apache.felix.http.cfg"), "org.osgi.service.http.port = " + port + "\n");
        Files.delete(home.resolve("conf/io.framebus.camera-demo.cfg"));
    }

    @AfterEach
    void stop() throws Exception {
        if (felix != null && felix.isAlive()) {
            felix.destroyForcibly().waitFor();
        }
        if (camera != null) {
            camera.close();
        }
        for (ProcessHandle p : DistributionCopies.captureProcesses(home)) {
            p.destroyForcibly();
        }
        DistributionCopies.deleteTree(home.getParent());
        DistributionCopies.deleteTree(rings);
    }

    @Test
    void passwordsFromTheSecretsFolderAndTheEnvironmentReachTheCameraAndNothingElse() throws Exception {
        camera = RtspServer.start("--user", "viewer", "--password", PASSWORD, "--width", "320", "--height", "240");
        Path secret = home.resolve("secrets/cam1-password");
        Files.writeString(secret, PASSWORD); // no newline: it would be part of the password
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(home.resolve("conf/io.framebus.camera-cam1.cfg"), "id = cam1\nurl = " + camera.url()
                + "\nusername = viewer\npassword = $[secret:cam1-password]\nfps = 5\n");
        Files.writeString(home.resolve("conf/io.framebus.camera-cam2.cfg"), "id = cam2\nurl = " + camera.url()
                + "\nusername = viewer\npassword = $[env:FRAMEBUS_CAM2_PASSWORD]\nfps = 5\n");

        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/framebus").toString(), "--shell")
                .directory(home.toFile()).redirectErrorStream(true);
        pb.environment().put("FRAMEBUS_CAM2_PASSWORD", PASSWORD);
        felix = pb.start();
        shellIn = felix.getOutputStream();
        pumpOutput();

        // the camera refuses anything but the password (the placeholder text included): streaming proves it arrived
        awaitLine(Duration.ofSeconds(120), "[cam1] STREAMING");
        awaitLine(Duration.ofSeconds(60), "[cam2] STREAMING");

        List<String> seen = new ArrayList<>();
        int before = output.size();
        shell("framebus:list");
        shell("framebus:status cam1");
        shell("framebus:status cam2");
        shell("inspect capability service");
        shell("echo shell-done");
        awaitLine(Duration.ofSeconds(30), "shell-done");
        List<String> shellText = new ArrayList<>(output.subList(before, output.size()));
        assertThat(shellText).anyMatch(l -> l.contains("rtsp://") && l.contains("/cam")); // status shows the URL
        assertThat(shellText).anyMatch(l -> l.contains("camera.id = cam1")); // and services were listed

        for (String path : List.of("/framebus/api/cameras", "/framebus/metrics", "/framebus/",
                "/framebus/api/cameras/cam1", "/system/health/framebus.json")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            seen.add(path + " " + r.statusCode() + " " + r.headers().map() + " " + r.body());
        }
        assertThat(seen.get(0)).contains("\"id\":\"cam1\"").contains("STREAMING");

        List<String> commandLines = ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(home.toString()) || c.contains("felix.jar"))
                .collect(Collectors.toList());
        assertThat(commandLines).anyMatch(c -> c.contains("io.framebus.capture.CaptureMain"));

        List<String> everything = new ArrayList<>(output);
        everything.addAll(seen);
        everything.addAll(commandLines);
        assertThat(everything).noneMatch(l -> l.contains(PASSWORD) || l.contains(ENCODED));
        // ConfigAdmin's store in felix-cache keeps the placeholder; the rings hold pictures
        for (Path dir : List.of(home, rings)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.equals(secret))
                        .collect(Collectors.toList())) {
                    String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    assertThat(bytes.contains(PASSWORD) || bytes.contains(ENCODED)).as(f.toString()).isFalse();
                }
            }
        }
    }

    private void shell(String command) throws IOException {
        shellIn.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        shellIn.flush();
    }

    private void pumpOutput() {
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

    private void awaitLine(Duration timeout, String text) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(200))
                .until(() -> output.stream().anyMatch(l -> l.contains(text)));
    }

    /** Capture processes started from this copy of the distribution (their classpath is in it). */

}
