package io.framebus.capture;

import io.framebus.contract.CaptureExit;
import io.framebus.contract.CaptureLogLine;
import io.framebus.contract.CaptureSettings;
import io.framebus.contract.SecretMasker;
import io.framebus.contract.InvalidSettingsException;
import io.framebus.contract.SettingsReader;
import io.framebus.shm.RingError;
import io.framebus.shm.RingState;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * The capture process of one camera: {@code java -cp 'capture/lib/*' io.framebus.capture.CaptureMain}.
 *
 * <p><b>Input.</b> No arguments. The settings arrive on stdin as {@link java.util.Properties} text (UTF-8) ended by
 * the first empty line (keys in {@link CaptureSettings}); argv is never used because every user on the host can
 * read it with {@code ps}, and URLs carry passwords. After the settings, stdin stays open for the life of the
 * process: its end means the parent is gone, and the process stops within a second. FFmpeg's native libraries load
 * while the settings are awaited, so a process started ahead of need (the manager's standby) starts capturing at once.
 *
 * <p><b>Output.</b> Frames and status go into the ring file named by {@code ringPath}. stderr gets one line per
 * event, prefixed with the camera id, passwords masked. stdout gets one byte per published frame (the doorbell)
 * and nothing else.
 *
 * <p><b>Exit codes</b> ({@link CaptureExit}, docs/capture-process.md):
 * {@value #EXIT_STOPPED} stopped because stdin ended;
 * {@value #EXIT_INTERNAL_ERROR} unexpected internal error (the ring shows FAILED / INTERNAL);
 * {@value #EXIT_INVALID_SETTINGS} invalid settings or arguments given (no ring file is created);
 * {@value #EXIT_RING_UNAVAILABLE} the ring file could not be created;
 * {@value #EXIT_FFMPEG_UNAVAILABLE} FFmpeg's native libraries could not be loaded;
 * 143 (128 + SIGTERM) stopped by SIGTERM, cleanly: the ring is closed as STOPPED as with stdin's end.
 */
public final class CaptureMain {
    public static final int EXIT_STOPPED = CaptureExit.STOPPED.code();
    public static final int EXIT_INTERNAL_ERROR = CaptureExit.INTERNAL_ERROR.code();
    public static final int EXIT_INVALID_SETTINGS = CaptureExit.INVALID_SETTINGS.code();
    public static final int EXIT_RING_UNAVAILABLE = CaptureExit.RING_UNAVAILABLE.code();
    public static final int EXIT_FFMPEG_UNAVAILABLE = CaptureExit.FFMPEG_UNAVAILABLE.code();

    /**
     * How long shutdown waits for the capture loop to leave FFmpeg before closing the ring anyway: a read blocked
     * on a silent camera ends only at its socket timeout, and the process must be gone within a second.
     */
    private static final long LOOP_EXIT_WAIT_MILLIS = 600;

    private final InputStream stdin;
    private final PrintStream stderr;
    private final CountDownLatch loopDone = new CountDownLatch(1);
    private volatile CaptureLog log;
    private volatile CaptureOutputs ring;
    private volatile CaptureLoop loop;
    private volatile Heartbeat heartbeat;
    private volatile Doorbell doorbell;
    private volatile boolean shuttingDown;
    private volatile boolean fatal;

    private CaptureMain(InputStream stdin, PrintStream stderr) {
        this.stdin = stdin;
        this.stderr = stderr;
    }

    public static void main(String[] args) {
        PrintStream stderr = System.err;
        // stdout belongs to the doorbell: a library that prints must not put bytes into the parent's pipe
        System.setOut(stderr);
        CaptureMain main = new CaptureMain(System.in, stderr);
        Runtime.getRuntime().addShutdownHook(new Thread(main::shutdown, "shutdown"));
        int code = main.run(args);
        if (!main.shuttingDown) {
            System.exit(code);
        }
        // else: a shutdown is under way (stdin ended or SIGTERM) and decides the exit code
    }

    private int run(String[] args) {
        if (args.length > 0) {
            stderr.println(CaptureLogLine.format(CaptureLogLine.NO_CAMERA, CaptureLogLine.Level.ERROR,
                    "no arguments are accepted: the settings are read from stdin (Properties text ended by an "
                    + "empty line), because arguments are visible to every user in ps. See docs/capture-process.md."));
            return EXIT_INVALID_SETTINGS;
        }
        // FFmpeg's native libraries load while the settings are awaited: a standby process (started before any
        // camera needs it, docs/capture-process.md) has them ready when its settings arrive
        CompletableFuture<Throwable> ffmpegLoaded = CompletableFuture.supplyAsync(CaptureMain::loadFfmpeg,
                runnable -> daemon(runnable, "ffmpeg-load").start());
        CaptureSettings settings;
        Properties doc = new Properties();
        try {
            doc = SettingsReader.read(stdin);
            settings = CaptureSettings.parse(doc);
        } catch (InvalidSettingsException e) {
            reportInvalid(doc, e);
            return EXIT_INVALID_SETTINGS;
        } catch (IOException e) {
            stderr.println(CaptureLogLine.format(CaptureLogLine.NO_CAMERA, CaptureLogLine.Level.ERROR,
                    "cannot read the settings from stdin: " + e.getMessage()));
            return EXIT_INVALID_SETTINGS;
        }
        CaptureLog log = new CaptureLog(settings.cameraId(), new SecretMasker(settings.url()), stderr);
        this.log = log;
        log.info("starting, pid %d, Java %s: %s", ProcessHandle.current().pid(), Runtime.version(),
                settings.describe());
        ParentWatch.start(stdin, () -> {
            log.info("stdin closed: the parent is gone, stopping");
            System.exit(EXIT_STOPPED);
        });

        FfmpegLog ffmpegLog = null;
        Throwable loadError = ffmpegLoaded.join();
        if (loadError == null) {
            try {
                ffmpegLog = FfmpegLog.install(log);
            } catch (Exception | LinkageError e) {
                loadError = e;
            }
        }
        if (loadError != null) {
            log.error("FFmpeg's native libraries could not be loaded: %s%s", loadError,
                    loadError.getCause() != null ? " (" + loadError.getCause() + ")" : "");
            return EXIT_FFMPEG_UNAVAILABLE;
        }

        CaptureOutputs ring;
        try {
            ring = CaptureOutputs.create(settings);
        } catch (IOException e) {
            log.error("cannot create the ring %s: %s", settings.ringPath(), e.getMessage());
            return EXIT_RING_UNAVAILABLE;
        }
        this.ring = ring;
        for (CaptureOutputs.Output o : ring.all()) {
            log.info("ring %s: %s%s, %d slots, generation %d", o.ring.path(), o.ring.format(),
                    o.ring.placeholder() ? " (placeholder until the source's size is known)" : "", settings.slots(),
                    o.ring.generation());
        }

        LoopProgress progress = new LoopProgress();
        heartbeat = new Heartbeat(ring, progress, log, settings.heartbeatMillis()).start();
        doorbell = Doorbell.onStdout().start();
        if (doorbell.isOff()) {
            log.info("stdout is a terminal: doorbell off");
        }
        try {
            CaptureLoop l = new CaptureLoop(settings, ring, progress, doorbell, log, ffmpegLog);
            this.loop = l;
            if (shuttingDown) {
                return EXIT_STOPPED;
            }
            l.run();
            return EXIT_STOPPED;
        } catch (RuntimeException | Error e) {
            fatal = true;
            String text = log.masker().mask("internal error: " + e);
            ring.error(RingError.INTERNAL, text);
            ring.state(RingState.FAILED);
            log.error("%s%s", text, firstFrames(e));
            return EXIT_INTERNAL_ERROR;
        } finally {
            loopDone.countDown();
            ring.closeConverters();
        }
    }

    /** Loads avutil, avcodec, avformat, swscale, ... (JavaCPP extracts them on first use); the failure, or null. */
    private static Throwable loadFfmpeg() {
        try {
            FFmpegFrameGrabber.tryLoad();
            return null;
        } catch (Exception | LinkageError e) {
            return e;
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Shutdown hook: stdin ended, SIGTERM, or a normal exit. Bounded: the process is gone within a second. */
    private void shutdown() {
        shuttingDown = true;
        CaptureLoop l = loop;
        if (l != null) {
            l.stop();
            try {
                if (!loopDone.await(LOOP_EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS) && log != null) {
                    log.warn("capture loop still inside FFmpeg after %d ms; closing the ring anyway",
                            LOOP_EXIT_WAIT_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Heartbeat h = heartbeat;
        if (h != null) {
            h.close();
        }
        Doorbell d = doorbell;
        if (d != null) {
            d.close();
        }
        CaptureOutputs r = ring;
        if (r != null && !fatal) {
            r.close();
            log.info("stopped: ring %s closed (STOPPED)", r.main().path());
        }
    }

    private void reportInvalid(Properties doc, InvalidSettingsException e) {
        String id = doc.getProperty("cameraId", "").strip();
        String camera = io.framebus.shm.RingDirectory.CAMERA_ID.matcher(id).matches() ? id : CaptureLogLine.NO_CAMERA;
        SecretMasker masker = new SecretMasker(doc.getProperty("url"));
        for (InvalidSettingsException.Problem p : e.problems()) {
            stderr.println(CaptureLogLine.format(camera, CaptureLogLine.Level.ERROR,
                    "invalid settings: " + masker.mask(p.toString())));
        }
    }

    private static String firstFrames(Throwable t) {
        StringBuilder sb = new StringBuilder();
        StackTraceElement[] trace = t.getStackTrace();
        for (int i = 0; i < Math.min(5, trace.length); i++) {
            sb.append(i == 0 ? " at " : " < ").append(trace[i]);
        }
        return sb.toString();
    }
}
