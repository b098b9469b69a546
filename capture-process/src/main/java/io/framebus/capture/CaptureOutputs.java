package io.framebus.capture;

import io.framebus.api.FrameFormat;
import io.framebus.contract.CaptureOutput;
import io.framebus.contract.CaptureSettings;
import io.framebus.shm.RingError;
import io.framebus.shm.RingState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The outputs of one camera, each with its ring, its rate cap and its converter; what concerns the camera as a
 * whole (state, last error, decoded frames, reconnects, source info, heartbeat) goes into every ring, so that each
 * output's readers see the camera's health. The first output is the default one ({@code <id>.ring}).
 */
final class CaptureOutputs implements AutoCloseable {

    /** One output: its settings, its ring, which of the decoded frames it publishes and how it converts them. */
    static final class Output implements AutoCloseable {
        final CaptureOutput spec;
        final CaptureRing ring;
        final FrameRateCap cap;
        final FrameConverter converter = new FrameConverter();
        /** The camera's clock started a new time line that this output has not flagged on a frame yet. */
        boolean clockResetPending;

        Output(CaptureOutput spec, CaptureRing ring) {
            this.spec = spec;
            this.ring = ring;
            this.cap = new FrameRateCap(spec.fps());
        }

        /** Follows a new source size if the output's size follows the source; true when the ring was replaced. */
        boolean follow(int sourceWidth, int sourceHeight) throws IOException {
            FrameFormat wanted = spec.format(sourceWidth, sourceHeight);
            if (wanted.equals(ring.format())) {
                return false;
            }
            ring.reformat(wanted);
            converter.forgetSlots(); // a new ring file: new slot memory, bars not painted yet
            return true;
        }

        @Override
        public void close() {
            ring.close();
        }
    }

    private final List<Output> outputs;

    private final List<Output> byRate;

    private CaptureOutputs(List<Output> outputs) {
        this.outputs = List.copyOf(outputs);
        List<Output> sorted = new ArrayList<>(outputs);
        // fps 0 (every frame) is the fastest; equal caps keep configuration order (the default output first)
        sorted.sort(java.util.Comparator.comparingDouble(
                (Output o) -> o.spec.fps() == 0 ? Double.POSITIVE_INFINITY : o.spec.fps()).reversed());
        this.byRate = List.copyOf(sorted);
    }

    /** The outputs, fastest fps cap first: the order in which a decoded frame is offered to them. */
    List<Output> byRate() {
        return byRate;
    }

    /** Creates every output's ring file; when one fails, those already made are closed. */
    static CaptureOutputs create(CaptureSettings settings) throws IOException {
        List<Output> made = new ArrayList<>();
        try {
            for (CaptureOutput o : settings.allOutputs()) {
                made.add(new Output(o, CaptureRing.create(settings, o)));
            }
        } catch (IOException | RuntimeException e) {
            made.forEach(Output::close);
            throw e;
        }
        return new CaptureOutputs(made);
    }

    List<Output> all() {
        return outputs;
    }

    /** The default output's ring. */
    CaptureRing main() {
        return outputs.get(0).ring;
    }

    void state(RingState s) {
        outputs.forEach(o -> o.ring.state(s));
    }

    RingState state() {
        return main().state();
    }

    void error(RingError code, String maskedText) {
        outputs.forEach(o -> o.ring.error(code, maskedText));
    }

    void addDecoded(long frames) {
        outputs.forEach(o -> o.ring.addDecoded(frames));
    }

    void addReconnect() {
        outputs.forEach(o -> o.ring.addReconnect());
    }

    void sourceInfo(int width, int height, double fps) {
        outputs.forEach(o -> o.ring.sourceInfo(width, height, fps));
    }

    void heartbeat() {
        outputs.forEach(o -> o.ring.heartbeat());
    }

    /** Closes the rings (state STOPPED); safe from the shutdown hook while the loop may still be converting. */
    @Override
    public void close() {
        outputs.forEach(Output::close);
    }

    /** Frees the converters' native memory: only once the capture loop has ended. */
    void closeConverters() {
        outputs.forEach(o -> o.converter.close());
    }
}
