package io.framebus.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The web of the Felix distribution as shipped: bin/framebus in a copy of target/framebus, its port moved to a free
 * one by a conf/org.apache.felix.http.cfg (as a user would), the page, the API, the metrics and the standard
 * health-check servlet of conf/, and a console without Jetty's start-up chatter.
 */
class WebDistributionIT {
    private Path home;
    private Path rings;
    private Process felix;
    private int port;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        Path dist = Paths.get(System.getProperty("framebus.dist", "target/framebus"));
        Path tmp = Paths.get(System.getProperty("framebus.test.tmp", "target/test-tmp"));
        Files.createDirectories(tmp);
        home = Files.createTempDirectory(tmp.toAbsolutePath(), "felix-web-");
        copy(dist, home);
        rings = Files.createTempDirectory(Paths.get("/dev/shm"), "framebus-web-it-");
        Files.writeString(home.resolve("conf/io.framebus.manager.cfg"), "ringDirectory = " + rings + "\n");
        port = WebIT.freePort();
        Files.writeString(home.resolve("conf/org.apache.felix.http.cfg"), "org.osgi.service.http.port = " + port + "\n");
        felix = new ProcessBuilder("bash", home.resolve("bin/framebus").toString()).directory(home.toFile())
                .redirectErrorStream(true).start();
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
        if (felix.isAlive()) {
            felix.destroyForcibly().waitFor();
        }
        for (ProcessHandle p : DistributionCopies.captureProcesses(home)) {
            p.destroyForcibly();
        }
        DistributionCopies.deleteTree(home);
        DistributionCopies.deleteTree(rings);
    }

    @Test
    void theShippedWebServesPageApiMetricsAndHealthOnTheConfiguredPort() throws Exception {
        String base = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            HttpResponse<String> r = get(base + "/framebus/api/cameras");
            return r != null && r.statusCode() == 200 && r.body().contains("\"id\":\"demo\",\"name\":\"Demo test pattern\",\"state\":\"STREAMING\"");
        });
        HttpResponse<String> page = get(base + "/framebus/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>framebus cameras</title>");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v).contains("default-src 'self'"));
        assertThat(get(base + "/framebus/metrics").body()).contains("framebus_camera_state{camera=\"demo\",state=\"STREAMING\"} 1");

        // conf/ configures the standard health-check servlet; the demo camera is OK, the disabled sample too
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
            HttpResponse<String> r = get(base + "/system/health/framebus.json");
            return r != null && r.statusCode() == 200 && r.body().contains("\"overallResult\":\"OK\"")
                    && r.body().contains("framebus camera demo") && r.body().contains("framebus camera sample");
        });

        // conf/system.properties keeps slf4j-simple (Jetty, health checks) to warnings
        assertThat(output).noneMatch(l -> l.contains("INFO org.eclipse.jetty") || l.contains("[INFO] Server"));

        felix.destroy();
        await().atMost(Duration.ofSeconds(60)).until(() -> !felix.isAlive());
        assertThat(DistributionCopies.captureProcesses(home)).isEmpty();
        try (Stream<Path> s = Files.list(rings)) {
            assertThat(s).isEmpty();
        }
    }

    private HttpResponse<String> get(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException notYet) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Capture processes started from this copy of the distribution (their classpath is in it). */

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.filter(p -> !p.toString().contains("felix-cache")).collect(Collectors.toList())) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

}
