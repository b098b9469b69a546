package io.framebus.capture.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real RTSP camera for tests: tools/rtsp-test-server.py (GStreamer's RTSP server, live videotestsrc, x264) on
 * 127.0.0.1 and a free port. The test owns it: {@link #close()} stops it by pid (SIGTERM, then SIGKILL), and the
 * server also exits when this JVM dies (its stdin is a pipe from here, and it runs with --exit-on-eof).
 *
 * <pre>{@code
 * try (RtspTestServer camera = RtspTestServer.start(RtspTestServer.options().size(320, 240).fps(25).pattern("red"))) {
 *     String url = camera.url();   // rtsp://127.0.0.1:<port>/test
 * }
 * }</pre>
 *
 * Needs Debian's /usr/bin/python3 with python3-gi, gir1.2-gst-rtsp-server-1.0 and gstreamer1.0-plugins-ugly
 * (x264enc); system property {@code framebus.python} names another interpreter, {@code framebus.rtsp.server}
 * the script.
 */
public final class RtspTestServer implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final Options options;
    private final int port;
    private Process process;
    private final List<String> stderr = new ArrayList<>();

    private RtspTestServer(Options options, int port) {
        this.options = options;
        this.port = port;
    }

    /** Options of the test camera; every one has a default. */
    public static Options options() {
        return new Options();
    }

    /** Starts a server on a free port and waits until it accepts connections. */
    public static RtspTestServer start(Options options) throws IOException {
        RtspTestServer server = new RtspTestServer(options, options.port > 0 ? options.port : freePort());
        server.launch();
        return server;
    }

    /** A port nobody listens on right now (and, with luck, nobody will within the test). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The stream URL without credentials ({@code rtsps://} when the server has TLS). */
    public String url() {
        return scheme() + "://127.0.0.1:" + port + options.path;
    }

    /** The stream URL with the given user info (e.g. to test wrong credentials). */
    public String url(String user, String password) {
        return scheme() + "://" + user + ":" + password + "@127.0.0.1:" + port + options.path;
    }

    private String scheme() {
        return options.tlsCert != null ? "rtsps" : "rtsp";
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the server (the camera goes away); {@link #restart()} brings it back on the same port. */
    public void stop() {
        if (process == null) {
            return;
        }
        Process p = process;
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the server again on the same port and path, after {@link #stop()}. */
    public void restart() throws IOException {
        stop();
        launch();
    }

    /** What the server printed on stderr, for failure messages. */
    public synchronized String stderr() {
        return String.join("\n", stderr);
    }

    @Override
    public void close() {
        stop();
    }

    private void launch() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(python(), script().toString(), "--exit-on-eof",
                "--port", Integer.toString(port), "--path", options.path,
                "--width", Integer.toString(options.width), "--height", Integer.toString(options.height),
                "--fps", Integer.toString(options.fps), "--pattern", options.pattern));
        if (options.keyint > 0) {
            cmd.addAll(List.of("--keyint", Integer.toString(options.keyint)));
        }
        cmd.addAll(List.of("--codec", options.codec));
        if (options.slices > 1) {
            cmd.addAll(List.of("--slices", Integer.toString(options.slices)));
        }
        if (options.ntpOffsetMillis != null) {
            cmd.addAll(List.of("--ntp-offset-ms", Long.toString(options.ntpOffsetMillis)));
        }
        if (options.user != null) {
            cmd.addAll(List.of("--user", options.user, "--password", options.password));
        }
        if (options.tlsCert != null) {
            cmd.addAll(List.of("--tls-cert", options.tlsCert.toString(), "--tls-key", options.tlsKey.toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Process p = pb.start();
        process = p;
        Thread err = new Thread(() -> drain(p), "rtsp-server-stderr");
        err.setDaemon(true);
        err.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                        return line;
                    }
                }
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String line;
        try {
            line = ready.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            line = null;
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        if (line == null) {
            stop();
            throw new IOException("RTSP test server did not become ready on port " + port + ": " + stderr());
        }
    }

    private void drain(Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (this) {
                    stderr.add(line);
                }
            }
        } catch (IOException ignored) {
            // process gone
        }
    }

    private static String python() {
        return System.getProperty("framebus.python", "/usr/bin/python3");
    }

    static Path script() {
        String configured = System.getProperty("framebus.rtsp.server");
        if (configured != null && Files.isRegularFile(Paths.get(configured))) {
            return Paths.get(configured);
        }
        // run from a module folder (Maven) or from the repository root (an IDE)
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("tools/rtsp-test-server.py");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("tools/rtsp-test-server.py not found; set -Dframebus.rtsp.server");
    }

    /** What the test camera sends. */
    public static final class Options {
        private int port;
        private String path = "/test";
        private int width = 320;
        private int height = 240;
        private int fps = 25;
        private int keyint;
        private String pattern = "smpte";
        private String user;
        private String password = "";
        private Path tlsCert;
        private Path tlsKey;
        private String codec = "h264";
        private int slices;
        private Long ntpOffsetMillis;

        /** A fixed port, e.g. to start a second server where the first was; default: a free one. */
        public Options port(int port) {
            this.port = port;
            return this;
        }

        public Options path(String path) {
            this.path = path.startsWith("/") ? path : "/" + path;
            return this;
        }

        public Options size(int width, int height) {
            this.width = width;
            this.height = height;
            return this;
        }

        public Options fps(int fps) {
            this.fps = fps;
            return this;
        }

        /** Frames between key frames; default = fps (one per second). */
        public Options keyint(int keyint) {
            this.keyint = keyint;
            return this;
        }

        /** A videotestsrc pattern: smpte, ball, red, green, blue, white, black, ... */
        public Options pattern(String pattern) {
            this.pattern = pattern;
            return this;
        }

        /** h264 (default) or h265. */
        public Options codec(String codec) {
            this.codec = codec;
            return this;
        }

        /** Slices per frame (each its own NAL unit, usually its own RTP packets); default one. */
        public Options slices(int slices) {
            this.slices = slices;
            return this;
        }

        /** The camera's clock in its RTCP sender reports runs this far ahead of the host's (negative: behind). */
        public Options ntpOffsetMillis(long offset) {
            this.ntpOffsetMillis = offset;
            return this;
        }

        /** Require basic authentication. */
        public Options credentials(String user, String password) {
            this.user = user;
            this.password = password;
            return this;
        }

        /** Serve RTSP over TLS ({@code rtsps://}) with this PEM certificate and private key. */
        public Options tls(Path certificate, Path privateKey) {
            this.tlsCert = certificate;
            this.tlsKey = privateKey;
            return this;
        }
    }
}
