package io.framebus.e2e.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Every process the harness starts, so that all of them (and their descendants: the capture processes of a Felix
 * run) are ended by pid when the harness ends, normally, by an exception or by Ctrl-C (a shutdown hook).
 */
final class Children {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final List<Process> STARTED = new CopyOnWriteArrayList<>();
    private static volatile boolean hookInstalled;

    private Children() {
    }

    static synchronized void installShutdownHook() {
        if (!hookInstalled) {
            hookInstalled = true;
            Runtime.getRuntime().addShutdownHook(new Thread(Children::endAll, "e2e-cleanup"));
        }
    }

    /**
     * Starts a process whose stdout and stderr go line by line to {@code log} (appended) and to {@code lines}
     * (may be null); its stdin stays an open pipe (closing it is how several of them are told to stop).
     */
    static Process start(List<String> command, Path dir, Path log, Consumer<String> lines) throws IOException {
        return start(command, dir, log, lines, Map.of());
    }

    static Process start(List<String> command, Path dir, Path log, Consumer<String> lines, Map<String, String> env)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        STARTED.add(p);
        Thread pump = new Thread(() -> pump(p.getInputStream(), log, lines), "pump-" + p.pid());
        pump.setDaemon(true);
        pump.start();
        return p;
    }

    private static void pump(InputStream in, Path log, Consumer<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
             PrintStream out = log == null ? null : new PrintStream(Files.newOutputStream(log,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND), true, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (out != null) {
                    out.println(LocalTime.now().format(TIME) + " " + line);
                }
                if (lines != null) {
                    try {
                        lines.accept(line);
                    } catch (RuntimeException e) {
                        // a bad line must not stop the pump (the pipe would fill and block the child)
                    }
                }
            }
        } catch (IOException ended) {
            // the process is gone
        }
    }

    /** Closes stdin, then SIGTERM after {@code graceMillis}, then SIGKILL; descendants too. Waits for the end. */
    static void stop(Process p, long graceMillis) {
        if (p == null) {
            return;
        }
        List<ProcessHandle> descendants = new ArrayList<>(p.descendants().toList());
        try {
            OutputStream in = p.getOutputStream();
            in.close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            if (!p.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                p.destroy();
                if (!p.waitFor(Math.max(graceMillis, 5000), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        for (ProcessHandle d : descendants) {
            if (d.isAlive()) {
                d.destroyForcibly();
            }
        }
        STARTED.remove(p);
    }

    /** SIGTERM first (so Felix stops its capture processes and deletes its rings), then SIGKILL. */
    static void terminate(Process p, long graceMillis) {
        if (p == null) {
            return;
        }
        List<ProcessHandle> descendants = new ArrayList<>(p.descendants().toList());
        p.destroy();
        try {
            if (!p.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        for (ProcessHandle d : descendants) {
            if (d.isAlive()) {
                d.destroyForcibly();
            }
        }
        STARTED.remove(p);
    }

    static void endAll() {
        for (Process p : STARTED) {
            List<ProcessHandle> descendants = p.descendants().toList();
            p.destroy();
            try {
                p.waitFor(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            p.destroyForcibly();
            descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
        STARTED.clear();
        E2eBench.cleanRingDirectories();
    }
}
