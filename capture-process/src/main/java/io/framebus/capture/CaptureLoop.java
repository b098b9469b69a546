package io.framebus.capture;

import io.framebus.contract.CaptureSettings;
import io.framebus.contract.SecretMasker;
import io.framebus.contract.CaptureLogLine;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;

import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import io.framebus.shm.RingError;
import io.framebus.shm.RingState;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * The capture loop of one camera: open the source, read every frame at the source's rate, publish the newest ones
 * (at most {@code fps} per second) into the ring, and when anything fails, report it and reconnect with backoff,
 * for as long as the process lives.
 *
 * <p>States it publishes: CONNECTING at the first open, STREAMING from the first frame of each connection,
 * RECONNECTING after a failure that retrying may fix, FAILED after one it cannot (bad credentials, wrong path,
 * not a video; still retried, at the maximum delay), STOPPED when a non-looping file has ended.
 */
final class CaptureLoop {
    /** A stream that delivered frames this long counts as recovered: the backoff starts again from the base delay. */
    static final long STABLE_STREAM_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** How a connection ended without an error. */
    private enum End { STOPPING, REPLAY, FINISHED }

    private final CaptureSettings settings;
    private final CaptureOutputs outputs;
    private final SourceOpener opener;
    private final LoopProgress progress;
    private final Doorbell doorbell;
    private final CaptureLog log;
    private final FfmpegLog ffmpegLog;
    private final Backoff backoff;
    private final boolean keyframesOnly;
    private final String display;

    private final ConnectThrottle throttle;
    /** When the last frame came (or the process started): an outage's age, for the backoff. */
    private long lastFrameAtNanos = System.nanoTime();
    private boolean reconnecting;
    private boolean throttleLogged;
    /** The camera's clock through RTCP, across the reconnects of this process (its time never goes back). */
    private final SourceClock sourceClock = new SourceClock(90000);
    /** Decoded pictures of this process, published or not: the frames' source sequence. */
    private long decodedPictures;
    private boolean clockResetPending;

    private volatile boolean stopping;
    private volatile Thread runner;
    private double knownSourceFps;
    private int sourceWidth;
    private int sourceHeight;
    private boolean replayLogged;

    CaptureLoop(CaptureSettings settings, CaptureOutputs outputs, LoopProgress progress,
                Doorbell doorbell, CaptureLog log, FfmpegLog ffmpegLog) {
        this.settings = settings;
        this.outputs = outputs;
        this.progress = progress;
        this.doorbell = doorbell;
        this.log = log;
        this.ffmpegLog = ffmpegLog;
        this.opener = new SourceOpener(ffmpegLog::recent, log);
        this.backoff = new Backoff(settings.reconnectDelayMillis(), settings.reconnectDelayMaxMillis());
        this.keyframesOnly = settings.decodeMode() == CaptureSettings.DecodeMode.KEYFRAMES;
        this.display = SecretMasker.maskUrls(settings.url());
        this.throttle = ConnectThrottle.forHost();
    }

    /** Runs until {@link #stop()}; returns normally then. Unexpected errors (bugs) propagate. */
    void run() {
        runner = Thread.currentThread();
        outputs.state(RingState.CONNECTING);
        log.info("CONNECTING %s", display);
        while (!stopping) {
            try {
                End end = openAndStream();
                if (end == End.FINISHED) {
                    idleUntilStopped();
                } else if (end == End.REPLAY && !replayLogged) {
                    replayLogged = true;
                    log.info("end of file: playing it again (loop=true; logged once)");
                }
            } catch (SourceException e) {
                if (!stopping) {
                    failed(e);
                }
            }
        }
    }

    /** Asks the loop to end; it does within one step (a blocked FFmpeg read ends at its timeout at the latest). */
    void stop() {
        stopping = true;
        Thread t = runner;
        if (t != null) {
            t.interrupt(); // ends parks and JavaCV's retry sleeps at once
        }
    }

    private End openAndStream() throws SourceException {
        ffmpegLog.clearRecent();
        int socketTimeout = socketTimeoutMillis();
        SourceSpec spec = SourceSpec.of(settings, socketTimeout);
        if (reconnecting && spec.live() && !awaitConnectTurn()) {
            return End.STOPPING;
        }
        // open: connect and handshake, at most twice (JavaCV retries a failed avformat_open_input once)
        progress.expectWithin(TimeUnit.MILLISECONDS.toNanos(
                2L * (settings.connectTimeoutMillis() + settings.effectiveReadTimeoutMillis(knownSourceFps))));
        ffmpegLog.echo(false); // an open's FFmpeg errors go into its failure line, not each on a line of its own
        SourceOpener.CameraSource opened;
        try {
            sourceClock.newSession();
            opened = opener.open(spec, socketTimeout, sourceClock);
        } finally {
            ffmpegLog.echo(true);
        }
        try (SourceOpener.CameraSource source = opened) {
            if (source.frameRate() > 0) {
                knownSourceFps = source.frameRate();
            }
            outputs.sourceInfo(source.width(), source.height(), knownSourceFps);
            return stream(spec, source, socketTimeout);
        }
    }

    private End stream(SourceSpec spec, SourceOpener.CameraSource source, int socketTimeoutMillis)
            throws SourceException {
        // a grab may block for the socket timeout; in keyframes mode it reads a whole key frame interval
        long grabAllowanceNanos = TimeUnit.MILLISECONDS.toNanos(
                Math.max(socketTimeoutMillis, settings.effectiveReadTimeoutMillis(knownSourceFps)));
        PlaybackClock clock = spec.paced() ? new PlaybackClock(knownSourceFps) : null;
        // the cap is not reset here: across a reconnect its credit has refilled by itself, and across the passes of
        // a looping file a reset would let one extra frame through per pass
        long lastFrameNanos = System.nanoTime();
        long streamingSince = 0;
        long frames = 0;
        sourceWidth = 0;
        sourceHeight = 0;
        while (!stopping) {
            progress.expectWithin(grabAllowanceNanos);
            Frame frame;
            try {
                frame = source.next(keyframesOnly);
            } catch (FrameGrabber.Exception e) {
                throw readFailure(e.getMessage(), lastFrameNanos, socketTimeoutMillis);
            }
            if (stopping) {
                return End.STOPPING;
            }
            if (frame == null) {
                if (spec.replayable() && frames > 0) {
                    return settings.loop() ? End.REPLAY : End.FINISHED;
                }
                if (spec.replayable()) {
                    throw new SourceException(RingError.UNSUPPORTED, "no decodable video frame in the source");
                }
                throw readFailure(null, lastFrameNanos, socketTimeoutMillis);
            }
            if (!(frame.opaque instanceof AVFrame av) || av.width() <= 0 || av.height() <= 0) {
                continue;
            }
            long pts = av.best_effort_timestamp() == AV_NOPTS_VALUE ? FrameInfo.NO_PTS : frame.timestamp;
            if (clock != null && !waitUntil(clock.dueNanos(pts, System.nanoTime()))) {
                return End.STOPPING;
            }
            // the capture time is when the frame was decoded (for paced sources: when it became due)
            long monoNanos = System.nanoTime();
            long epochNanos = epochNanos();
            lastFrameNanos = monoNanos;
            lastFrameAtNanos = monoNanos;
            frames++;
            decodedPictures++;
            outputs.addDecoded(1);
            if (av.width() != sourceWidth || av.height() != sourceHeight) {
                geometry(av.width(), av.height());
            }
            if (frames == 2 && knownSourceFps == 0 && source.frameRate() > 0) {
                // a source that learns its rate from the stream (framebus's RTSP client) knows it by now
                knownSourceFps = source.frameRate();
                outputs.sourceInfo(sourceWidth, sourceHeight, knownSourceFps);
            }
            if (frames == 1) {
                streamingSince = monoNanos;
                streaming(source, spec);
            } else if (streamingSince != 0 && monoNanos - streamingSince >= STABLE_STREAM_NANOS) {
                backoff.reset();
                streamingSince = 0;
            }
            SourceClock.Stamp sourceTime = source.sourceTime(monoNanos);
            if (sourceClock.lastEvent() != SourceClock.Event.NONE) {
                sourceClockEvent();
            }
            // one decoded frame for every output, fastest cap first: each publishes it (converted at its own size)
            // when its own cap admits it, all with this frame's capture times and source sequence. A slower output
            // is offered only the frames the next faster one took, so every frame of it has a partner with the same
            // capture time and source sequence in every faster output (a detection on the small picture pairs with
            // the full one)
            boolean published = false;
            boolean offered = true;
            for (CaptureOutputs.Output o : outputs.byRate()) {
                // a new time line must be flagged on the first frame each output publishes on it
                o.clockResetPending |= sourceTime.reset();
                if (offered && o.cap.admit(monoNanos)) {
                    SourceClock.Stamp stamp = sourceTime;
                    if (o.clockResetPending && stamp.source() != io.framebus.api.CaptureTimeSource.NONE) {
                        stamp = new SourceClock.Stamp(stamp.epochNanos(), stamp.source(), true);
                        o.clockResetPending = false;
                    }
                    published |= publish(o, av, epochNanos, monoNanos, pts, frame.keyFrame, stamp);
                } else {
                    offered = false;
                    o.ring.addDropped(1);
                }
            }
            if (published) {
                doorbell.ring();
            }
        }
        return End.STOPPING;
    }

    private void streaming(SourceOpener.CameraSource source, SourceSpec spec) {
        if (outputs.state() == RingState.STREAMING) {
            return; // a looping file started its next pass: nothing changed for anyone watching
        }
        outputs.state(RingState.STREAMING);
        CaptureRing main = outputs.main();
        // framebus's RTSP client learns the rate from the RTP timestamps of the next frames: not known yet here
        log.info("STREAMING %dx%d %s %s -> ring %s, generation %d%s%s", sourceWidth, sourceHeight,
                source.codecName(), knownSourceFps > 0 ? String.format(java.util.Locale.ROOT, "%.1f fps",
                        knownSourceFps) : "(rate from the stream)", main.format(), main.generation(),
                settings.fps() > 0 ? ", publishing at most " + settings.fps() + " fps" : "",
                keyframesOnly ? ", key frames only" : "");
        for (CaptureOutputs.Output o : outputs.all().subList(1, outputs.all().size())) {
            log.info("output %s -> ring %s %s, generation %d", o.spec, o.ring.path().getFileName(), o.ring.format(),
                    o.ring.generation());
        }
    }

    /** The decoder's picture size changed (or this is the first frame): follow it if the output follows the source. */
    private void geometry(int width, int height) throws SourceException {
        sourceWidth = width;
        sourceHeight = height;
        outputs.sourceInfo(width, height, knownSourceFps);
        for (CaptureOutputs.Output o : outputs.all()) {
            boolean fromPlaceholder = o.ring.placeholder();
            try {
                if (o.follow(width, height) && !fromPlaceholder) {
                    log.info("source size changed to %dx%d: ring %s now %s, generation %d", width, height,
                            o.ring.path().getFileName(), o.ring.format(), o.ring.generation());
                }
            } catch (IOException e) {
                throw new SourceException(RingError.INTERNAL, "cannot create the ring for output " + o.spec.name()
                        + " (" + o.spec.format(width, height) + "): " + e.getMessage(), e);
            }
        }
    }

    /** The camera's clock stepped back or was reset (a reconnect, a clock set back): said, never passed on. */
    private void sourceClockEvent() {
        long ms = TimeUnit.NANOSECONDS.toMillis(sourceClock.lastStepNanos());
        if (sourceClock.lastEvent() == SourceClock.Event.STEPPED_BACK) {
            log.info("the camera's clock (RTCP) went back %d ms: frames carry no source capture time until it passes "
                    + "the last one given (at most %d s)", ms, SourceClock.RESET_AFTER_MILLIS / 1000);
        } else {
            log.info("the camera's clock (RTCP) stayed %d ms behind for %d s: taken as reset, the next frame starts a "
                    + "new time line (flagged)", ms, SourceClock.RESET_AFTER_MILLIS / 1000);
        }
    }

    /**
     * Converts the frame straight into the output's next slot and publishes it with the decode's source sequence
     * (the same in every output); false when shutting down.
     */
    private boolean publish(CaptureOutputs.Output o, AVFrame av, long epochNanos, long monoNanos, long pts,
                            boolean keyframe, SourceClock.Stamp sourceTime) throws SourceException {
        FrameFormat out = o.ring.format();
        long seq;
        try {
            seq = o.ring.publish(slot -> o.converter.convert(av, out, o.spec.scale(), slot), epochNanos, monoNanos,
                    pts, keyframe, sourceTime, decodedPictures);
        } catch (FrameConverter.ConversionException e) {
            throw new SourceException(RingError.UNSUPPORTED, "output " + o.spec.name() + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new SourceException(RingError.INTERNAL, "publishing failed: " + e, e);
        }
        return seq > 0;
    }

    private SourceException readFailure(String message, long lastFrameNanos, int socketTimeoutMillis) {
        long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastFrameNanos);
        ErrorClassifier.Classified c = ErrorClassifier.classifyRead(message, ffmpegLog.recent(), silentMillis,
                socketTimeoutMillis);
        return new SourceException(c.error(), c.description());
    }

    private void failed(SourceException e) {
        RingError code = e.error();
        boolean permanent = code.permanent();
        String text = log.masker().mask(display + ": " + e.getMessage());
        outputs.error(code, text);
        outputs.state(permanent ? RingState.FAILED : RingState.RECONNECTING);
        reconnecting = true;
        long delay = backoff.nextDelayMillis(permanent,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastFrameAtNanos));
        log.log(permanent ? CaptureLogLine.Level.ERROR : CaptureLogLine.Level.WARN,
                String.format(java.util.Locale.ROOT, "%s %s: %s; next attempt in %.1f s",
                        permanent ? "FAILED" : "RECONNECTING", code, text, delay / 1000.0));
        if (!sleep(TimeUnit.MILLISECONDS.toNanos(delay))) {
            return;
        }
        outputs.addReconnect();
    }

    /**
     * Waits for this host's turn to reconnect ({@link ConnectThrottle}); false when asked to stop meanwhile. Said
     * once per process when it made an attempt wait, or when the throttle cannot be used.
     */
    private boolean awaitConnectTurn() {
        long waited = 0;
        while (!stopping) {
            long wait = throttle.tryAcquire();
            if (wait == 0) {
                if (!throttleLogged && (waited > 0 || throttle.broken())) {
                    throttleLogged = true;
                    log.info(throttle.broken()
                            ? "host-wide reconnect throttle %s unusable: reconnects are not paced (logged once)"
                            : "host-wide reconnect throttle %s made this reconnect wait %d ms (many cameras "
                            + "reconnecting at once; logged once)", throttle.file(),
                            TimeUnit.NANOSECONDS.toMillis(waited));
                }
                return true;
            }
            waited += wait;
            if (!sleep(wait)) {
                return false;
            }
        }
        return false;
    }

    private void idleUntilStopped() {
        outputs.state(RingState.STOPPED);
        log.info("end of file (loop=false): STOPPED, idle until the process is stopped");
        while (!stopping) {
            sleep(TimeUnit.SECONDS.toNanos(1));
        }
    }

    /** Waits until {@code dueNanos}; false when asked to stop meanwhile. Keeps the progress promise fresh. */
    private boolean waitUntil(long dueNanos) {
        while (!stopping) {
            long left = dueNanos - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            progress.expectWithin(left);
            LockSupport.parkNanos(Math.min(left, MAX_PARK_NANOS));
            clearStrayInterrupt();
        }
        return false;
    }

    private boolean sleep(long nanos) {
        return waitUntil(System.nanoTime() + nanos);
    }

    private void clearStrayInterrupt() {
        if (!stopping && Thread.interrupted()) {
            // an interrupt not from stop(): parkNanos would return at once from now on and spin
            log.warn("capture thread interrupted unexpectedly; ignored");
        }
    }

    /** FFmpeg's single socket timeout: the smaller bound wins (see {@link SourceSpec}). */
    private int socketTimeoutMillis() {
        return Math.min(settings.connectTimeoutMillis(), settings.effectiveReadTimeoutMillis(knownSourceFps));
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
