package io.framebus.karaf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The GStreamer RTSP test camera (tools/rtsp-test-server.py) on 127.0.0.1, started on a free port by the test
 * (inside Karaf's JVM) and stopped by pid in {@link #close()}; it also exits by itself when that JVM dies
 * (--exit-on-eof: its stdin is a pipe from this JVM). A copy of the distribution module's test helper, because
 * the probe bundle cannot use another module's test classes.
 */
final class RtspServer implements AutoCloseable {
    private final Process process;
    private final int port;

    private RtspServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static RtspServer start(String script, int width, int height) throws IOException {
        return start(script, width, height, new String[0]);
    }

    /** @param extraArgs more options of tools/rtsp-test-server.py, e.g. --user and --password */
    static RtspServer start(String script, int width, int height, String... extraArgs) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/python3", script, "--port",
                Integer.toString(port), "--path", "/cam", "--width", Integer.toString(width), "--height",
                Integer.toString(height), "--fps", "25", "--exit-on-eof"));
        cmd.addAll(List.of(extraArgs));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        RtspServer server = new RtspServer(p, port);
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (line == null || !line.startsWith("READY")) {
            server.close();
            throw new IOException("RTSP test server did not start (got " + line + "); are the Debian packages "
                    + "gir1.2-gst-rtsp-server-1.0, python3-gi and gstreamer1.0-plugins-ugly installed? ./test.sh installs them");
        }
        return server;
    }

    String url() {
        return "rtsp://127.0.0.1:" + port + "/cam";
    }

    /** Stops the server by pid: SIGTERM, then SIGKILL. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
