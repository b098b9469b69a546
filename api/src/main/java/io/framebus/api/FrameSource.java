package io.framebus.api;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The live frames of one camera. framebus registers one service per running camera, with the service
 * properties below; it updates them when the geometry changes and unregisters the service when the camera
 * is removed.
 *
 * <p>All methods are thread-safe and never block except {@link #next}. Frames come from a shared-memory
 * ring of a few slots: a reader that falls behind by more than the ring holds skips to the newest frame.
 */
@ProviderType
public interface FrameSource {

    /** Service property: the camera id (String), unique in the framework; use it in target filters. */
    String CAMERA_ID = "camera.id";
    /**
     * Service property (since 1.3): the camera's output this service publishes (String). Every camera has the
     * output {@code main} (its configured width, height, pixel format and fps, ring {@code <id>.ring}); configured
     * extra outputs (e.g. a 640x640 RGB24 picture for a detector) have services of their own with the same
     * {@link #CAMERA_ID}. Frames of two outputs made from the same decoded frame carry the same
     * {@link FrameInfo#sourceSequence()} and capture times ({@link FrameInfo#captureEpochNanos()},
     * {@link FrameInfo#captureMonoNanos()}), which pairs them. A target
     * filter {@code (&(camera.id=front)(output=detect))} picks one output; filters on {@code camera.id} alone match
     * every output of the camera, so add {@code (output=main)} where only one is wanted.
     */
    String OUTPUT = "output";
    /** Service property: the human-readable camera name (String). */
    String CAMERA_NAME = "camera.name";
    /** Service property: width of the published frames in pixels (Integer). */
    String FRAME_WIDTH = "frame.width";
    /** Service property: height of the published frames in pixels (Integer). */
    String FRAME_HEIGHT = "frame.height";
    /** Service property: {@link PixelFormat} name of the published frames (String), e.g. {@code BGR24}. */
    String FRAME_FORMAT = "frame.format";
    /**
     * Service property: the configured maximum publish rate in frames per second (Double since 1.2, 0 = every
     * frame; it was a rounded Integer, which made 0.4 fps read as "every frame").
     */
    String FRAME_RATE = "frame.rate";

    /** The camera id. */
    String id();

    /** The geometry of the frames currently published. */
    FrameFormat format();

    /** Current health, counters and the last error. */
    SourceStatus status();

    /**
     * A copy of the newest frame, or empty when the camera has published none yet in its current generation.
     * Check {@link Frame#age()} or {@link SourceStatus#live()} if freshness matters.
     */
    Optional<Frame> latest();

    /**
     * The frame after {@code previous}, waiting up to {@code timeout} for it. Pass the {@link FrameInfo} of the
     * last frame you processed to read frames in order (a reader that fell more than the ring behind gets the
     * newest frame; its sequence number shows the gap), or {@code null} for the next frame published after this
     * call. After a capture restart the generation changes and sequences start again at 1: the newest frame of
     * the new generation is returned.
     *
     * @return the frame, or empty when none arrived in time
     */
    Optional<Frame> next(FrameInfo previous, Duration timeout) throws InterruptedException;

    /**
     * Copies the newest frame into {@code dst} (from its position; the position advances by the frame size),
     * allocating nothing.
     *
     * @return the copied frame's metadata, or empty when there is no frame yet
     * @throws java.nio.BufferOverflowException if {@code dst} has less room than the frame
     */
    Optional<FrameInfo> copyLatestInto(ByteBuffer dst);

    /**
     * Lets {@code visitor} read the newest frame in shared memory, without a copy.
     *
     * @return true if there was a frame and it stayed intact for the whole visit; false if there was none or
     *         it was overwritten meanwhile, in which case whatever the visitor computed must be discarded
     */
    boolean readLatest(FrameVisitor visitor);

    /**
     * Pushes every new frame to {@code listener}, calling it on {@code executor} (one call at a time per
     * subscription). A slow listener gets the newest frame when it is ready again, never a backlog. Each frame is
     * the listener's own copy; closing it when done lets framebus reuse the copy ({@link Frame#close()}).
     *
     * <p>A direct executor ({@code Runnable::run}) runs the listener on the camera's delivery thread: one thread
     * hand-off less, but a listener that takes long then delays this camera's frames for every other subscriber.
     */
    Subscription subscribe(FrameListener listener, Executor executor);

    /**
     * Pushes every new frame to {@code listener} in place, without copying it: the listener reads the ring slot
     * directly and checks {@link FrameView#intact()} before trusting what it computed. Delivery is as with
     * {@link #subscribe} (on {@code executor}, one call at a time, the newest frame, never a backlog); the frame is
     * read when the listener's turn comes, so a late executor gets a fresh frame, not a stale one. Frames found
     * overwritten after the listener's call are counted in {@link Subscription#tornFrames()}.
     *
     * @since 1.2
     */
    Subscription subscribeInPlace(FrameViewListener listener, Executor executor);
}
