package io.framebus.distribution;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The GStreamer RTSP test camera (tools/rtsp-test-server.py) on 127.0.0.1: started on a free port, stopped by pid
 * in {@link #close()} (tests use try-with-resources, so it stops when they fail too); it also exits by itself
 * when this JVM dies (--exit-on-eof).
 */
final class RtspServer implements AutoCloseable {
    private final int port;
    private String[] extraArgs;
    private Process process;

    private RtspServer(int port, String... extraArgs) {
        this.port = port;
        this.extraArgs = extraArgs;
    }

    static RtspServer start(String... extraArgs) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RtspServer server = new RtspServer(port, extraArgs);
        server.startAgain();
        return server;
    }

    /** Restarts the server on the same port with other arguments (another size, another pattern). */
    void startAgain(String... newArgs) throws IOException {
        extraArgs = newArgs;
        startAgain();
    }

    /** (Re)starts the server on the same port. */
    void startAgain() throws IOException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", System.getProperty("framebus.rtsp.server"),
                "--port", Integer.toString(port), "--path", "/cam", "--exit-on-eof"));
        cmd.addAll(List.of(extraArgs));
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("READY")) {
            close();
            throw new IOException("RTSP test server did not start (got " + line + "); are the Debian packages "
                    + "gir1.2-gst-rtsp-server-1.0, python3-gi and gstreamer1.0-plugins-ugly installed? ./test.sh installs them");
        }
    }

    String url() {
        return "rtsp://127.0.0.1:" + port + "/cam";
    }

    int port() {
        return port;
    }

    /** The running server's process id (to freeze it with SIGSTOP). */
    long pid() {
        return process.pid();
    }

    /** Stops the server (by pid): SIGTERM, then SIGKILL. */
    void stop() {
        if (process != null && process.isAlive()) {
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

    @Override
    public void close() {
        stop();
    }
}
