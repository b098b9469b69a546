package io.framebus.capture;

import io.framebus.contract.CaptureOutput;
import io.framebus.contract.CaptureSettings;
import io.framebus.api.FrameFormat;
import io.framebus.shm.RingError;
import io.framebus.shm.RingState;
import io.framebus.shm.RingWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The capture process's side of its ring: the current {@link RingWriter} (a geometry change swaps it for a new
 * generation), and what must survive that swap (state, last error, counters, source info).
 *
 * <p>Frames are published by the capture thread only; state, error, counters and closing may come from the capture
 * thread, the heartbeat and the shutdown hook, so those go through this object's lock. Publishing takes the lock
 * too, for the few milliseconds of a conversion: that is what lets shutdown close the ring without a frame being
 * half written into a closed ring.
 */
final class CaptureRing implements AutoCloseable {
    /** Geometry of a ring whose camera's size is not known until the first frame (see docs/capture-process.md). */
    static final int PLACEHOLDER_SIDE = 2;

    private volatile RingWriter writer;
    private RingState state = RingState.STARTING;
    private RingError errorCode = RingError.NONE;
    private String errorText = "";
    private long decoded;
    private long dropped;
    private long reconnects;
    private int sourceWidth;
    private int sourceHeight;
    private double sourceFps;
    private volatile boolean closed;
    private volatile boolean placeholder;

    private CaptureRing(RingWriter writer, boolean placeholder) {
        this.writer = writer;
        this.placeholder = placeholder;
    }

    /** Creates the ring file: with the configured size, or a placeholder until the source's size is known. */
    static CaptureRing create(CaptureSettings s) throws IOException {
        return create(s, s.allOutputs().get(0));
    }

    /** Creates the ring file of output {@code o} of the camera (its path: {@link CaptureSettings#ringPath(String)}). */
    static CaptureRing create(CaptureSettings s, CaptureOutput o) throws IOException {
        FrameFormat format = o.fixedSize() ? new FrameFormat(o.width(), o.height(), o.pixelFormat())
                : new FrameFormat(PLACEHOLDER_SIDE, PLACEHOLDER_SIDE, o.pixelFormat());
        return new CaptureRing(RingWriter.create(s.ringPath(o.name()), s.cameraId(), format, s.slots(),
                s.generation()), !o.fixedSize());
    }

    /** A slot filler: converts the frame into the slot's memory. */
    @FunctionalInterface
    interface SlotFiller {
        void fill(ByteBuffer slot) throws Exception;
    }

    /**
     * Fills the next slot in place and publishes it.
     *
     * @return the frame's sequence, or 0 when the ring is closed (shutting down)
     * @throws Exception what the filler threw; the slot is then not published
     */
    synchronized long publish(SlotFiller filler, long captureEpochNanos, long captureMonoNanos, long ptsMicros,
                              boolean keyframe) throws Exception {
        return publish(filler, captureEpochNanos, captureMonoNanos, ptsMicros, keyframe, SourceClock.Stamp.NONE, 0);
    }

    /**
     * Fills the next slot in place and publishes it with the source's capture time and the decoded picture's number.
     *
     * @return the frame's sequence, or 0 when the ring is closed (shutting down)
     * @throws Exception what the filler threw; the slot is then not published
     */
    synchronized long publish(SlotFiller filler, long captureEpochNanos, long captureMonoNanos, long ptsMicros,
                              boolean keyframe, SourceClock.Stamp sourceTime, long sourceSequence) throws Exception {
        if (closed) {
            return 0;
        }
        RingWriter w = writer;
        ByteBuffer slot = w.claim();
        try {
            filler.fill(slot);
        } catch (Exception e) {
            w.abortClaim();
            throw e;
        }
        return w.publishClaimed(captureEpochNanos, captureMonoNanos, ptsMicros, keyframe, sourceTime.epochNanos(),
                sourceTime.source(), sourceTime.reset(), sourceSequence);
    }

    FrameFormat format() {
        return writer.format();
    }

    long generation() {
        return writer.generation();
    }

    Path path() {
        return writer.path();
    }

    /** Whether the ring still has its placeholder geometry (no frame yet from a source-sized camera). */
    boolean placeholder() {
        return placeholder;
    }

    /**
     * Moves to a new geometry: a new ring file at the same path with the next generation; readers follow. State,
     * last error, counters and source info carry over, so a status display does not reset.
     */
    synchronized void reformat(FrameFormat format) throws IOException {
        if (closed) {
            return;
        }
        RingWriter next = writer.replace(format);
        next.state(state);
        if (errorCode != RingError.NONE) {
            next.error(errorCode, errorText);
        }
        next.addDecoded(decoded);
        next.addDropped(dropped);
        for (long i = 0; i < reconnects; i++) {
            next.addReconnect();
        }
        next.sourceInfo(sourceWidth, sourceHeight, sourceFps);
        next.heartbeat();
        writer = next;
        placeholder = false;
    }

    synchronized void state(RingState s) {
        if (!closed) {
            state = s;
            writer.state(s);
        }
    }

    synchronized RingState state() {
        return state;
    }

    /** Publishes the last error; {@code maskedText} must already have its secrets masked. */
    synchronized void error(RingError code, String maskedText) {
        if (!closed) {
            errorCode = code;
            errorText = maskedText;
            writer.error(code, maskedText);
        }
    }

    synchronized void addDecoded(long frames) {
        if (!closed) {
            decoded += frames;
            writer.addDecoded(frames);
        }
    }

    synchronized void addDropped(long frames) {
        if (!closed) {
            dropped += frames;
            writer.addDropped(frames);
        }
    }

    synchronized void addReconnect() {
        if (!closed) {
            reconnects++;
            writer.addReconnect();
        }
    }

    synchronized void sourceInfo(int width, int height, double fps) {
        if (!closed) {
            sourceWidth = width;
            sourceHeight = height;
            sourceFps = fps;
            writer.sourceInfo(width, height, fps);
        }
    }

    /** Called by the heartbeat thread only while the capture loop shows progress; no lock (an opaque store). */
    void heartbeat() {
        RingWriter w = writer;
        if (!closed) {
            w.heartbeat();
        }
    }

    /** Closes the ring: state STOPPED, lifecycle closed; the file stays for readers and the supervisor. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            writer.close();
        }
    }
}
