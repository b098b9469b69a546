package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import io.framebus.capture.testing.CaptureProcess;
import io.framebus.capture.testing.RingFolder;
import io.framebus.shm.RingError;
import io.framebus.shm.RingState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real capture process against an HTTP camera: a multipart MJPEG stream (what most cheap IP cameras serve at
 * {@code /video.cgi} or {@code /mjpg/video.mjpg}) from a small server on 127.0.0.1, plus its 404 and 401 answers.
 * MJPEG decodes to full-range YUV, so the colour check also covers the range handling of the conversion.
 */
class HttpCaptureIT {
    private static final Duration SHORT = Duration.ofSeconds(10);
    private static final String BOUNDARY = "framebusframe";

    private static byte[] redJpeg;
    private static Path workDir;

    private HttpServer server;
    private ScheduledExecutorService camera;
    private RingFolder rings;
    private final List<CaptureProcess> processes = new ArrayList<>();

    @BeforeAll
    static void makeJpeg() throws Exception {
        workDir = Files.createTempDirectory("framebus-http");
        Path jpeg = workDir.resolve("red.jpg");
        Process p = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                "color=c=red:size=96x64", "-frames:v", "1", "-q:v", "2", jpeg.toString()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        redJpeg = Files.readAllBytes(jpeg);
    }

    @AfterAll
    static void removeJpeg() throws IOException {
        Files.deleteIfExists(workDir.resolve("red.jpg"));
        Files.deleteIfExists(workDir);
    }

    @BeforeEach
    void start() throws Exception {
        rings = RingFolder.create();
        camera = Executors.newScheduledThreadPool(2);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.createContext("/video.mjpg", this::mjpeg);
        server.createContext("/private.mjpg", ex -> {
            ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"camera\"");
            ex.sendResponseHeaders(401, -1);
            ex.close();
        });
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mjpeg-camera");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (CaptureProcess p : processes) {
            p.close();
            System.out.println("---- capture process " + p.pid() + " (exit " + p.exitValue() + ") ----\n"
                    + p.stderr());
        }
        server.stop(0);
        camera.shutdownNow();
        rings.close();
    }

    /** A live MJPEG camera: one part every 100 ms until the client goes away. */
    private void mjpeg(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "multipart/x-mixed-replace;boundary=" + BOUNDARY);
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        byte[] head = ("--" + BOUNDARY + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + redJpeg.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        var done = new java.util.concurrent.CompletableFuture<Void>();
        var task = camera.scheduleAtFixedRate(() -> {
            try {
                out.write(head);
                out.write(redJpeg);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException clientGone) {
                done.complete(null);
                throw new IllegalStateException("client gone"); // ends the schedule
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
        done.whenComplete((v, e) -> {
            task.cancel(false);
            ex.close();
        });
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private CaptureProcess start(java.util.Map<String, String> settings) throws IOException {
        CaptureProcess p = CaptureProcess.start(settings);
        processes.add(p);
        return p;
    }

    @Test
    void mjpegCameraStreamsWithRightColours() throws Exception {
        Path ring = rings.ring("mjpeg");
        CaptureProcess p = start(CaptureProcess.settings("mjpeg", url("/video.mjpg"), ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(3, RingProbe.STARTUP);
            RingProbe.Frame f = probe.latest(SHORT);
            assertThat(f.info().format()).isEqualTo(new FrameFormat(96, 64, PixelFormat.BGR24));
            for (int px : new int[] {0, 96 * 64 - 1, 32 * 96 + 48}) {
                assertThat(f.at(px * 3)).as("B").isCloseTo(0, within(16));
                assertThat(f.at(px * 3 + 1)).as("G").isCloseTo(0, within(16));
                assertThat(f.at(px * 3 + 2)).as("R").isCloseTo(255, within(16));
            }
            assertThat(probe.state()).isEqualTo(RingState.STREAMING);
            assertThat(p.stderr()).contains("[mjpeg] INFO STREAMING 96x64 mjpeg");
        }
    }

    @Test
    void missingPathIsNotFound() throws Exception {
        Path ring = rings.ring("http404");
        CaptureProcess p = start(CaptureProcess.settings("http404", url("/nothing-here"), ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitState(RingState.FAILED, RingProbe.STARTUP);
            assertThat(probe.status().errorCode()).isEqualTo(RingError.NOT_FOUND);
        }
    }

    @Test
    void refusedCredentialsAreAuthErrors() throws Exception {
        Path ring = rings.ring("http401");
        CaptureProcess p = start(CaptureProcess.settings("http401",
                url("/private.mjpg").replace("http://", "http://admin:S3cret-Pw@"), ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitState(RingState.FAILED, RingProbe.STARTUP);
            assertThat(probe.status().errorCode()).isEqualTo(RingError.AUTH);
            assertThat(probe.status().errorText()).doesNotContain("S3cret-Pw");
            assertThat(p.stderr()).doesNotContain("S3cret-Pw");
        }
    }
}
