package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import io.framebus.capture.testing.CaptureProcess;
import io.framebus.capture.testing.RingFolder;
import io.framebus.capture.testing.RtspTestServer;
import io.framebus.shm.RingError;
import io.framebus.shm.RingState;
import io.framebus.shm.RingStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real capture process against a real RTSP camera (GStreamer's RTSP server on 127.0.0.1) and against the ways
 * a camera fails: stopped and restarted, wrong path, wrong password, nobody listening, garbage, silence. Each
 * failure must show in the ring as its documented state and error, without a hang and without a busy loop.
 */
class RtspCaptureIT {
    private static final Duration SHORT = Duration.ofSeconds(10);

    private RingFolder rings;
    private final List<AutoCloseable> owned = new ArrayList<>();

    @BeforeEach
    void folder() throws Exception {
        rings = RingFolder.create();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
            if (owned.get(i) instanceof CaptureProcess p) {
                System.out.println("---- capture process " + p.pid() + " (exit " + p.exitValue() + ") ----\n"
                        + p.stderr());
            }
        }
        rings.close();
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    private RtspTestServer camera(RtspTestServer.Options options) throws IOException {
        return own(RtspTestServer.start(options));
    }

    private CaptureProcess capture(Map<String, String> settings) throws IOException {
        return own(CaptureProcess.start(settings));
    }

    @Test
    void redCameraArrivesScaledCappedAndTimestamped() throws Exception {
        RtspTestServer camera = camera(RtspTestServer.options().size(320, 240).fps(25).pattern("red"));
        Path ring = rings.ring("red");
        Map<String, String> s = CaptureProcess.settings("red", camera.url(), ring);
        s.put("width", "160");
        s.put("height", "120");
        s.put("fps", "5");
        CaptureProcess p = capture(s);
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(2, RingProbe.STARTUP);
            RingProbe.Frame f = probe.latest(SHORT);
            assertThat(f.info().format()).isEqualTo(new FrameFormat(160, 120, PixelFormat.BGR24));
            for (int px : new int[] {0, 159, 119 * 160, 160 * 120 - 1, 60 * 160 + 80}) {
                assertThat(f.at(px * 3)).as("B").isCloseTo(0, within(16));
                assertThat(f.at(px * 3 + 1)).as("G").isCloseTo(0, within(16));
                assertThat(f.at(px * 3 + 2)).as("R").isCloseTo(255, within(16));
            }
            long nowEpochNanos = System.currentTimeMillis() * 1_000_000L;
            assertThat(Math.abs(nowEpochNanos - f.info().captureEpochNanos())).isLessThan(5_000_000_000L);
            assertThat(f.info().sourcePtsMicros()).isNotEqualTo(io.framebus.api.FrameInfo.NO_PTS);

            RingStatus before = probe.status();
            long t0 = System.nanoTime();
            RingProbe.until(p, SHORT, () -> probe.status().decodedFrames() >= before.decodedFrames() + 50);
            RingStatus after = probe.status();
            double seconds = (System.nanoTime() - t0) / 1e9;
            long published = after.publishedSequence() - before.publishedSequence();
            assertThat(published).as("at most 5 fps over %.1f s", seconds)
                    .isLessThanOrEqualTo((long) Math.ceil(seconds * 5 * 1.25) + 2);
            assertThat(after.droppedFrames()).isGreaterThan(before.droppedFrames());
            assertThat(after.state()).isEqualTo(RingState.STREAMING);
            assertThat(after.sourceWidth()).isEqualTo(320);
            assertThat(after.sourceFpsMilli()).isEqualTo(25_000);
            assertThat(p.stderr()).contains("[red] INFO STREAMING 320x240 h264");
        }
    }

    @Test
    void reconnectsInTheSameProcessWhenTheCameraComesBack() throws Exception {
        RtspTestServer camera = camera(RtspTestServer.options().size(160, 120).fps(25));
        Path ring = rings.ring("comeback");
        Map<String, String> s = CaptureProcess.settings("comeback", camera.url(), ring);
        s.put("reconnectDelayMillis", "200");
        s.put("reconnectDelayMaxMillis", "1000");
        CaptureProcess p = capture(s);
        long pid = p.pid();
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitState(RingState.STREAMING, RingProbe.STARTUP);
            probe.awaitPublished(5, SHORT);
            long generation = probe.reader().generation();

            camera.stop();
            probe.awaitState(RingState.RECONNECTING, SHORT);
            RingStatus down = probe.status();
            assertThat(down.errorCode()).isIn(RingError.STREAM, RingError.CONNECT, RingError.TIMEOUT);
            long publishedWhileDown = down.publishedSequence();

            camera.restart();
            probe.awaitState(RingState.STREAMING, Duration.ofSeconds(20));
            RingProbe.until(p, SHORT, () -> probe.reader().publishedSequence() > publishedWhileDown + 5);
            assertThat(p.pid()).isEqualTo(pid);
            assertThat(p.isAlive()).isTrue();
            assertThat(probe.reader().generation()).as("same geometry: same ring").isEqualTo(generation);
            assertThat(probe.status().reconnects()).isGreaterThanOrEqualTo(1);
            assertThat(p.stderr()).contains("[comeback] WARN RECONNECTING");
        }
    }

    @Test
    void wrongPathIsNotFoundAndRetriedSlowly() throws Exception {
        RtspTestServer camera = camera(RtspTestServer.options().path("/right"));
        Path ring = rings.ring("nopath");
        String url = camera.url().replace("/right", "/wrong");
        CaptureProcess p = capture(CaptureProcess.settings("nopath", url, ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitState(RingState.FAILED, RingProbe.STARTUP);
            assertThat(probe.status().errorCode()).isEqualTo(RingError.NOT_FOUND);
            assertThat(probe.status().errorText()).contains("/wrong").contains("404");
            assertQuietWhileFailing(p, probe, RingState.FAILED);
        }
    }

    @Test
    void badCredentialsAreAuthErrorsAndThePasswordIsNeverShown() throws Exception {
        RtspTestServer camera = camera(RtspTestServer.options().credentials("viewer", "right-pass"));
        Path ring = rings.ring("auth");
        String secret = "Wr0ng-Secret";
        CaptureProcess p = capture(CaptureProcess.settings("auth", camera.url("viewer", secret), ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitState(RingState.FAILED, RingProbe.STARTUP);
            RingStatus st = probe.status();
            assertThat(st.errorCode()).isEqualTo(RingError.AUTH);
            assertThat(st.errorText()).contains("viewer:***@").doesNotContain(secret);
            assertQuietWhileFailing(p, probe, RingState.FAILED);
            assertThat(p.stderr()).contains("viewer:***@").doesNotContain(secret);
        }
    }

    @Test
    void rightCredentialsStream() throws Exception {
        RtspTestServer camera = camera(RtspTestServer.options().credentials("viewer", "p@ss:w/rd"));
        Path ring = rings.ring("authok");
        // percent-encoded as a URL requires; the raw password must not show anywhere either
        CaptureProcess p = capture(CaptureProcess.settings("authok", camera.url("viewer", "p%40ss%3Aw%2Frd"), ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(3, RingProbe.STARTUP);
            assertThat(probe.state()).isEqualTo(RingState.STREAMING);
            assertThat(p.stderr()).doesNotContain("p%40ss").doesNotContain("p@ss:w/rd").contains("viewer:***@");
        }
    }

    @Test
    void nobodyListeningIsAConnectErrorRetriedWithBackoff() throws Exception {
        int port = RtspTestServer.freePort();
        Path ring = rings.ring("refused");
        Map<String, String> s = CaptureProcess.settings("refused", "rtsp://127.0.0.1:" + port + "/cam", ring);
        s.put("reconnectDelayMillis", "100");
        s.put("reconnectDelayMaxMillis", "400");
        CaptureProcess p = capture(s);
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitState(RingState.RECONNECTING, RingProbe.STARTUP);
            assertThat(probe.status().errorCode()).isEqualTo(RingError.CONNECT);
            assertThat(probe.status().errorText()).contains("connection refused");
            RingProbe.until(p, SHORT, () -> probe.status().reconnects() >= 3);
            assertQuietWhileFailing(p, probe, RingState.RECONNECTING);
        }
    }

    @Test
    void garbageFromThePeerIsReportedAsNotAVideo() throws Exception {
        try (GarbagePeer peer = new GarbagePeer()) {
            Path ring = rings.ring("garbage");
            CaptureProcess p = capture(CaptureProcess.settings("garbage",
                    "rtsp://127.0.0.1:" + peer.port() + "/cam", ring));
            try (RingProbe probe = RingProbe.open(ring, p)) {
                probe.awaitState(RingState.FAILED, RingProbe.STARTUP);
                assertThat(probe.status().errorCode()).isEqualTo(RingError.UNSUPPORTED);
                assertQuietWhileFailing(p, probe, RingState.FAILED);
            }
        }
    }

    @Test
    void aCameraThatFallsSilentTimesOutAndTheHeartbeatGoesOn() throws Exception {
        RtspTestServer camera = camera(RtspTestServer.options().size(160, 120).fps(25));
        Path ring = rings.ring("silent");
        Map<String, String> s = CaptureProcess.settings("silent", camera.url(), ring);
        s.put("readTimeoutMillis", "1000");
        s.put("connectTimeoutMillis", "1000");
        s.put("reconnectDelayMillis", "200");
        s.put("reconnectDelayMaxMillis", "500");
        CaptureProcess p = capture(s);
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(3, RingProbe.STARTUP);
            signal("STOP", camera.pid()); // the server freezes: its sockets stay open, nothing arrives
            try {
                probe.awaitState(RingState.RECONNECTING, SHORT);
                assertThat(probe.status().errorCode()).isEqualTo(RingError.TIMEOUT);
                // reconnecting to a frozen server times out again and again; the loop keeps its promises
                long beat = probe.status().heartbeatNanos();
                long reconnects = probe.status().reconnects();
                RingProbe.until(p, SHORT, () -> probe.status().reconnects() >= reconnects + 2);
                // the frozen server accepts connections and never answers: still a timeout, not "not a video"
                assertThat(probe.status().errorCode()).isEqualTo(RingError.TIMEOUT);
                assertThat(probe.state()).isEqualTo(RingState.RECONNECTING);
                assertThat(probe.status().heartbeatNanos()).isGreaterThan(beat);
                assertThat(probe.status().heartbeatAge()).isLessThan(Duration.ofSeconds(2));
            } finally {
                signal("CONT", camera.pid());
            }
            probe.awaitState(RingState.STREAMING, Duration.ofSeconds(20));
        }
    }

    @Test
    void keyframesModeDecodesAndPublishesOnlyKeyFrames() throws Exception {
        RtspTestServer camera = camera(RtspTestServer.options().size(160, 120).fps(25).keyint(25));
        Path ring = rings.ring("keys");
        Map<String, String> s = CaptureProcess.settings("keys", camera.url(), ring);
        s.put("decodeMode", "keyframes");
        CaptureProcess p = capture(s);
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(1, RingProbe.STARTUP);
            RingStatus before = probe.status();
            long t0 = System.nanoTime();
            List<Boolean> keyflags = new ArrayList<>();
            long[] lastSeq = {before.publishedSequence()};
            RingProbe.until(p, SHORT, () -> {
                RingProbe.Frame f = probe.latest(SHORT);
                if (f.info().sequence() > lastSeq[0]) {
                    lastSeq[0] = f.info().sequence();
                    keyflags.add(f.info().keyframe());
                }
                return keyflags.size() >= 3;
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            long decoded = probe.status().decodedFrames() - before.decodedFrames();
            assertThat(keyflags).containsOnly(true);
            assertThat(decoded).as("one key frame per second over %.1f s, not 25 frames", seconds)
                    .isLessThanOrEqualTo((long) Math.ceil(seconds) + 2);
        }
    }

    @Test
    void udpTransportStreamsToo() throws Exception {
        RtspTestServer camera = camera(RtspTestServer.options().size(160, 120).fps(25));
        Path ring = rings.ring("udp");
        Map<String, String> s = CaptureProcess.settings("udp", camera.url(), ring);
        s.put("rtspTransport", "udp");
        CaptureProcess p = capture(s);
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(5, RingProbe.STARTUP);
            assertThat(probe.state()).isEqualTo(RingState.STREAMING);
        }
    }

    @Test
    void rtspsWithASelfSignedCertificateAndCredentialsStreams() throws Exception {
        Path tls = selfSignedCertificate();
        RtspTestServer camera = camera(RtspTestServer.options().size(320, 240).fps(25)
                .credentials("viewer", "tls-pass").tls(tls.resolve("c.pem"), tls.resolve("k.pem")));
        String url = camera.url("viewer", "tls-pass");
        assertThat(url).startsWith("rtsps://");
        Path ring = rings.ring("tls");
        // FFmpeg's default tls_verify=0: the self-signed certificate is accepted without any setting
        CaptureProcess p = capture(CaptureProcess.settings("tls", url, ring));
        try (RingProbe probe = RingProbe.open(ring, p)) {
            probe.awaitPublished(3, RingProbe.STARTUP);
            RingProbe.Frame f = probe.latest(SHORT);
            assertThat(f.info().format()).isEqualTo(new FrameFormat(320, 240, PixelFormat.BGR24));
            assertThat(probe.state()).isEqualTo(RingState.STREAMING);
            assertThat(probe.status().sourceWidth()).isEqualTo(320);
            assertThat(p.stderr()).contains("[tls] INFO STREAMING 320x240 h264").doesNotContain("tls-pass");
        }
    }

    /**
     * A fresh self-signed certificate for 127.0.0.1 ({@code c.pem}, key {@code k.pem}, valid one day) from the
     * openssl CLI, in a temporary folder deleted after the test (after the server that reads it has stopped).
     */
    private Path selfSignedCertificate() throws Exception {
        Path dir = Files.createTempDirectory("framebus-tls-");
        own(() -> {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        });
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", "k.pem", "-out", "c.pem")
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!openssl.waitFor(30, TimeUnit.SECONDS)) {
            openssl.destroyForcibly();
            throw new AssertionError("openssl req did not finish within 30 s");
        }
        assertThat(openssl.exitValue()).as("openssl: %s", Files.readString(dir.resolve("openssl.log"))).isZero();
        return dir;
    }

    /**
     * The process, in a failure state, stays in it, alive, and nearly idle: no tight retry loop. A generous bound
     * (half a core) that only a busy loop breaks.
     */
    private static void assertQuietWhileFailing(CaptureProcess p, RingProbe probe, RingState state) {
        Duration cpu0 = p.cpuTime();
        long t0 = System.nanoTime();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(100))
                .until(() -> p.isAlive() && probe.state() == state);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (p.cpuTime().toNanos() - cpu0.toNanos()) / 1e9;
        System.out.printf("%s: %.3f s CPU in %.1f s while %s%n", probe.status().cameraId(), cpu, wall, state);
        assertThat(cpu / wall).as("CPU %.2f s in %.1f s", cpu, wall).isLessThan(0.5);
        assertThat(probe.status().heartbeatAge()).as("heartbeat while retrying").isLessThan(Duration.ofSeconds(2));
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    /** A TCP peer on 127.0.0.1 that answers every connection with junk and hangs up. */
    private static final class GarbagePeer implements AutoCloseable {
        private final ServerSocket server;
        private final Thread thread;

        GarbagePeer() throws IOException {
            server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            thread = new Thread(this::serve, "garbage-peer");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            byte[] junk = "\u0000\u00ffRTSP/9.9 ??? garbage\r\n\u0001\u0002 not a camera \u00fe\r\n\r\n"
                    .repeat(20).getBytes(StandardCharsets.ISO_8859_1);
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    OutputStream out = s.getOutputStream();
                    out.write(junk);
                    out.flush();
                    s.shutdownOutput();
                    s.getInputStream().readNBytes(4096); // let the client finish its request before closing
                } catch (IOException e) {
                    // closed, or the client hung up first
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
