package io.framebus.e2e.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** tools/rtsp-file-server.py: the H.264 files as cameras /cam0 .. /cam(N-1) on 127.0.0.1. */
final class FileServer implements AutoCloseable {
    private final List<String> baseCommand;
    private final Path log;
    private Process process;
    private int port;

    private FileServer(List<String> baseCommand, Path log) {
        this.baseCommand = baseCommand;
        this.log = log;
    }

    static FileServer start(String python, Path script, Path media, int mounts, boolean live, Path log)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--file", media.toString(),
                "--mounts", Integer.toString(mounts), "--exit-on-eof"));
        if (live) {
            cmd.add("--live");
        }
        FileServer s = new FileServer(cmd, log);
        s.launch(0);
        return s;
    }

    private void launch(int wantedPort) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(baseCommand);
        cmd.add("--port");
        cmd.add(Integer.toString(wantedPort));
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        process = Children.start(cmd, null, log, line -> {
            if (line.startsWith("READY ")) {
                ready.complete(Integer.parseInt(line.substring(6).trim()));
            }
        });
        try {
            port = ready.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Children.stop(process, 1000);
            throw new IOException("the RTSP file server did not print READY within 30 s (see " + log + ")", e);
        }
    }

    /** Stops the server (SIGTERM: every client connection breaks) and starts it again on the same port. */
    long restart() throws IOException, InterruptedException {
        Children.terminate(process, 5000);
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                launch(port);
                return System.currentTimeMillis();
            } catch (IOException e) {
                last = e; // the port may still be held for a moment
                Thread.sleep(250);
            }
        }
        throw last;
    }

    void stopOnly() {
        Children.terminate(process, 5000);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    String url(int mount) {
        return "rtsp://127.0.0.1:" + port + "/cam" + mount;
    }

    @Override
    public void close() {
        Children.terminate(process, 5000);
    }
}
