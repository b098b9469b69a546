package io.framebus.shm;

import static io.framebus.shm.internal.RingLayout.*;

import io.framebus.api.CaptureTimeSource;
import io.framebus.api.FrameFormat;
import io.framebus.shm.internal.ByteBufferRingMemory;
import io.framebus.shm.internal.FileMapping;
import io.framebus.shm.internal.RingMemory;
import io.framebus.shm.internal.WakeSocket;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * The single writer of one camera's ring file. Not thread-safe for frames: one capture thread publishes;
 * the heartbeat, state, error and counter setters may be called from any thread.
 *
 * <p>{@link #create} makes a complete file under a temporary name and renames it into place, so a reader never
 * sees a half-initialised ring; if a ring already exists at the path, the new one gets the next generation and
 * the old file is marked replaced, which tells its readers to reopen.
 *
 * <p>Per frame the writer follows the seqlock protocol of docs/shm-format.md: slot lock odd, payload and
 * metadata, slot lock even, published sequence; then it sends one byte to each reader connected to the ring's
 * wake-up socket ({@link RingDirectory#wakeSocket(Path)}), which it serves from {@link #create} to {@link #close}.
 */
public final class RingWriter implements AutoCloseable {
    /** Smallest and largest slot count: two lets a reader copy one slot while the next is written. */
    public static final int MIN_SLOTS = 2;
    public static final int MAX_SLOTS = 64;
    /** One Java mapping holds at most this many bytes, so a ring file is never larger. */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE;

    private static final int PREFAULT_CHUNK_BYTES = 1 << 20;

    private final Path path;
    private final String cameraId;
    private final FrameFormat format;
    private final int slotCount;
    private final long slotBytes;
    private final int frameBytes;
    private final long generation;
    private final RingMemory memory;

    private long published;
    private long claimed;          // sequence of an outstanding claim, 0 when none
    private long errorVersion;
    private long decoded;
    private long dropped;
    private long reconnects;
    private volatile boolean closed;
    /** The ring's wake-up socket, null when it could not be bound (readers then predict). */
    private WakeSocket wake;

    private RingWriter(Path path, String cameraId, FrameFormat format, int slotCount, long generation,
                       RingMemory memory) {
        this.path = path;
        this.cameraId = cameraId;
        this.format = format;
        this.slotCount = slotCount;
        this.frameBytes = (int) format.frameBytes();
        this.slotBytes = slotBytes(frameBytes);
        this.generation = generation;
        this.memory = memory;
    }

    /**
     * Creates (or replaces) the ring at {@code path}: checks the free space of its directory, writes and
     * pre-faults every page, and publishes the header. The directory is created with mode 0700 if missing;
     * the file has mode 0600.
     *
     * @param minGeneration the generation to use at least (a supervisor that deletes rings between restarts
     *                      passes its own counter so that generations keep increasing); 1 otherwise
     * @throws RingFileException NO_SPACE when the directory lacks the space, INVALID_GEOMETRY for a slot count
     *                           outside [{@value #MIN_SLOTS}, {@value #MAX_SLOTS}] or a frame over 1 GiB
     */
    public static RingWriter create(Path path, String cameraId, FrameFormat format, int slotCount, long minGeneration)
            throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(cameraId, "cameraId");
        Objects.requireNonNull(format, "format");
        byte[] id = cameraId.getBytes(StandardCharsets.UTF_8);
        if (id.length == 0 || id.length > CAMERA_ID_BYTES) {
            throw new RingFileException(RingFileException.Problem.INVALID_GEOMETRY, path,
                    "camera id must be 1.." + CAMERA_ID_BYTES + " bytes, got " + id.length);
        }
        if (slotCount < MIN_SLOTS || slotCount > MAX_SLOTS) {
            throw new RingFileException(RingFileException.Problem.INVALID_GEOMETRY, path,
                    "slot count must be " + MIN_SLOTS + ".." + MAX_SLOTS + ", got " + slotCount);
        }
        long fileBytes = fileBytes(format, slotCount);
        if (fileBytes > MAX_FILE_BYTES) {
            throw new RingFileException(RingFileException.Problem.INVALID_GEOMETRY, path,
                    "frame " + format + " x " + slotCount + " slots does not fit in one ring file (2 GiB)");
        }
        Path dir = path.toAbsolutePath().getParent();
        RingDirectory.ensure(dir);
        RingDirectory.requireSpace(dir, fileBytes, path);

        RingReader previous = openPrevious(path);
        try {
            long generation = Math.max(1, minGeneration);
            if (previous != null) {
                generation = Math.max(generation, previous.generation() + 1);
            }
            Path tmp = dir.resolve(path.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            RingMemory memory;
            try {
                memory = allocate(tmp, fileBytes);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            RingWriter writer = new RingWriter(path, cameraId, format, slotCount, generation, memory);
            writer.initHeader(id);
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            if (previous != null) {
                previous.markReplaced();
            }
            try {
                writer.wake = WakeSocket.bind(RingDirectory.wakeSocket(path));
            } catch (IOException | RuntimeException e) {
                // e.g. a path too long for a Unix socket: readers find no socket and predict (docs/shm-format.md)
            }
            return writer;
        } finally {
            if (previous != null) {
                previous.close(); // its mapping of the old file is released now (Java 22+)
            }
        }
    }

    /**
     * The size of the ring file for {@code slotCount} frames of {@code format} (header, slot headers, payloads,
     * page alignment), or {@link Long#MAX_VALUE} for a frame over 1 GiB, far beyond any camera (the bound keeps
     * the sum from overflowing). Over {@link #MAX_FILE_BYTES} it cannot be created.
     */
    public static long fileBytes(FrameFormat format, int slotCount) {
        long frameBytes = format.frameBytes();
        return frameBytes > (1 << 30) ? Long.MAX_VALUE
                : io.framebus.shm.internal.RingLayout.fileBytes(slotCount, frameBytes);
    }

    /** {@link #create(Path, String, FrameFormat, int, long)} with no minimum generation. */
    public static RingWriter create(Path path, String cameraId, FrameFormat format, int slotCount) throws IOException {
        return create(path, cameraId, format, slotCount, 1);
    }

    /**
     * A new ring for a new geometry at the same path, with the next generation; this writer is marked
     * replaced and must not be used any more. Readers follow on their next read.
     */
    public RingWriter replace(FrameFormat newFormat) throws IOException {
        RingWriter next = create(path, cameraId, newFormat, slotCount, generation + 1);
        closed = true; // create() marked this file replaced; its state stays as the readers last saw it
        closeWakeSocket(); // the new ring's socket took its path already
        return next;
    }

    private static RingReader openPrevious(Path path) {
        if (!Files.exists(path)) {
            return null;
        }
        try {
            return RingReader.openForWriter(path);
        } catch (IOException notARing) {
            return null; // whatever is there is overwritten by the rename
        }
    }

    private static RingMemory allocate(Path file, long fileBytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            // Writing zeros (rather than ftruncate + touching the mapping) makes tmpfs allocate every page now:
            // running out of space is an IOException here, never a SIGBUS in the middle of a frame later.
            ByteBuffer zeros = ByteBuffer.allocateDirect(PREFAULT_CHUNK_BYTES);
            long written = 0;
            while (written < fileBytes) {
                zeros.clear().limit((int) Math.min(PREFAULT_CHUNK_BYTES, fileBytes - written));
                while (zeros.hasRemaining()) {
                    written += ch.write(zeros, written);
                }
            }
            RingMemory memory = new ByteBufferRingMemory(FileMapping.map(ch, true, fileBytes));
            memory.prefault();
            return memory;
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("No space left")) {
                throw new RingFileException(RingFileException.Problem.NO_SPACE, file,
                        "no space left for a ring of " + fileBytes + " bytes");
            }
            throw e;
        }
    }

    private void initHeader(byte[] id) {
        ProcessHandle self = ProcessHandle.current();
        memory.setInt(MAGIC_OFFSET, MAGIC);
        memory.setInt(HEADER_BYTES_OFFSET, HEADER_BYTES);
        memory.setInt(SLOT_COUNT_OFFSET, slotCount);
        memory.setLong(SLOT_BYTES_OFFSET, slotBytes);
        memory.setLong(FRAME_BYTES_OFFSET, frameBytes);
        memory.setInt(WIDTH_OFFSET, format.width());
        memory.setInt(HEIGHT_OFFSET, format.height());
        memory.setInt(PIXEL_FORMAT_OFFSET, format.pixelFormat().code());
        memory.setInt(STRIDE_OFFSET, format.stride());
        memory.setInt(SLOT_PAYLOAD_OFFSET_OFFSET, SLOT_HEADER_BYTES);
        memory.setInt(REVISION_OFFSET, REVISION);
        memory.setLong(GENERATION_OFFSET, generation);
        memory.setLong(WRITER_PID_OFFSET, self.pid());
        memory.setLong(WRITER_START_MILLIS_OFFSET, RingDirectory.startMillis(self));
        memory.setLong(CREATED_MILLIS_OFFSET, System.currentTimeMillis());
        memory.putBytes(CAMERA_ID_OFFSET, id, id.length);
        long now = System.nanoTime();
        memory.setLong(HEARTBEAT_NANOS_OFFSET, now);
        memory.setLong(STATE_SINCE_NANOS_OFFSET, now);
        memory.setInt(STATE_OFFSET, RingState.STARTING.code());
        // The version is the "ready" flag (Aeron's signalCncReady): the release store orders every header
        // store above before it, so a reader that sees VERSION sees a complete header.
        memory.setIntRelease(VERSION_OFFSET, VERSION);
    }

    public Path path() {
        return path;
    }

    public String cameraId() {
        return cameraId;
    }

    public FrameFormat format() {
        return format;
    }

    public long generation() {
        return generation;
    }

    public int slotCount() {
        return slotCount;
    }

    /** Sequence of the last published frame, 0 before the first. */
    public long publishedSequence() {
        return published;
    }

    /**
     * Starts writing the next frame in place: marks its slot as being written and returns a writable view
     * of the slot's payload ({@code format().frameBytes()} bytes, position 0, little-endian). Fill it (a decoder
     * can convert straight into it), then {@link #publishClaimed}; or {@link #abortClaim()}. Calling claim again
     * before either returns the same slot.
     */
    public ByteBuffer claim() {
        ensureOpen();
        long seq = published + 1;
        long slot = slotOffset(seq);
        if (claimed != seq) {
            claimed = seq;
            memory.setLongRelease(slot + SLOT_LOCK_OFFSET, (seq << 1) | 1);
            // setRelease orders what came before the store; the payload stores that follow must not move above
            // it either, or a reader could validate a half-written slot: StoreStore (StampedLock does the same).
            VarHandle.releaseFence();
        }
        return memory.slice(slot + SLOT_HEADER_BYTES, frameBytes);
    }

    /**
     * Publishes the claimed frame.
     *
     * @param captureEpochNanos when the frame was captured, wall clock, ns since the epoch
     * @param captureMonoNanos  the same moment on {@link System#nanoTime()}
     * @param ptsMicros         the stream's presentation timestamp, or {@code FrameInfo.NO_PTS}
     * @return the frame's sequence number
     */
    public long publishClaimed(long captureEpochNanos, long captureMonoNanos, long ptsMicros, boolean keyframe) {
        return publishClaimed(captureEpochNanos, captureMonoNanos, ptsMicros, keyframe, 0, CaptureTimeSource.NONE,
                false, 0);
    }

    /**
     * Publishes the claimed frame with the source's own capture time and the decoded picture's number (format
     * revision 1, docs/shm-format.md).
     *
     * @param sourceCaptureEpochNanos the camera's capture time, ns since the epoch; ignored (0 stored) with
     *                                {@link CaptureTimeSource#NONE}
     * @param captureTimeSource       where that time came from
     * @param sourceClockReset        the frame starts a new time line of the source's clock
     * @param sourceSequence          the decoded picture's number in the capture process, 0 when unknown
     */
    public long publishClaimed(long captureEpochNanos, long captureMonoNanos, long ptsMicros, boolean keyframe,
                               long sourceCaptureEpochNanos, CaptureTimeSource captureTimeSource,
                               boolean sourceClockReset, long sourceSequence) {
        ensureOpen();
        long seq = published + 1;
        if (claimed != seq) {
            throw new IllegalStateException("publishClaimed() without claim()");
        }
        long slot = slotOffset(seq);
        memory.setLong(slot + SLOT_SEQUENCE_OFFSET, seq);
        memory.setLong(slot + SLOT_CAPTURE_EPOCH_NANOS_OFFSET, captureEpochNanos);
        memory.setLong(slot + SLOT_CAPTURE_MONO_NANOS_OFFSET, captureMonoNanos);
        memory.setLong(slot + SLOT_PTS_MICROS_OFFSET, ptsMicros);
        memory.setLong(slot + SLOT_PUBLISH_MONO_NANOS_OFFSET, System.nanoTime());
        memory.setInt(slot + SLOT_PAYLOAD_BYTES_OFFSET, frameBytes);
        memory.setInt(slot + SLOT_FLAGS_OFFSET, (keyframe ? FLAG_KEYFRAME : 0)
                | (sourceClockReset ? FLAG_SOURCE_CLOCK_RESET : 0));
        boolean timed = captureTimeSource != CaptureTimeSource.NONE;
        memory.setLong(slot + SLOT_SOURCE_CAPTURE_EPOCH_NANOS_OFFSET, timed ? sourceCaptureEpochNanos : 0);
        memory.setInt(slot + SLOT_CAPTURE_TIME_SOURCE_OFFSET, captureTimeSource.code());
        memory.setLong(slot + SLOT_SOURCE_SEQUENCE_OFFSET, sourceSequence);
        // release: the payload and metadata above become visible no later than the even lock word
        memory.setLongRelease(slot + SLOT_LOCK_OFFSET, seq << 1);
        // release: a reader that sees the new published sequence sees the completed slot
        memory.setLongRelease(PUBLISHED_SEQ_OFFSET, seq);
        published = seq;
        claimed = 0;
        if (wake != null) {
            wake.wake();
        }
        return seq;
    }

    /** Gives up a claim (e.g. the decoder failed); the slot stays marked as being written until the next claim. */
    public void abortClaim() {
        // The slot's old frame is gone (partly overwritten); its odd lock word keeps readers away from it, and the
        // next claim reuses the same sequence and slot.
    }

    /** Copies the remaining bytes of {@code pixels} (exactly one frame) into the next slot and publishes it. */
    public long publish(ByteBuffer pixels, long captureEpochNanos, long captureMonoNanos, long ptsMicros,
                        boolean keyframe) {
        if (pixels.remaining() != frameBytes) {
            throw new IllegalArgumentException("expected " + frameBytes + " bytes for " + format + ", got "
                    + pixels.remaining());
        }
        claim();
        memory.copyFrom(pixels, slotOffset(published + 1) + SLOT_HEADER_BYTES);
        return publishClaimed(captureEpochNanos, captureMonoNanos, ptsMicros, keyframe);
    }

    /** Proves the capture loop is making progress; readers and the watchdog compare it with their own clock. */
    public void heartbeat() {
        memory.setLongOpaque(HEARTBEAT_NANOS_OFFSET, System.nanoTime());
    }

    public synchronized void state(RingState state) {
        if (memory.getIntOpaque(STATE_OFFSET) != state.code()) {
            memory.setLongOpaque(STATE_SINCE_NANOS_OFFSET, System.nanoTime());
            memory.setIntOpaque(STATE_OFFSET, state.code());
        }
    }

    public RingState state() {
        return RingState.fromCode(memory.getIntOpaque(STATE_OFFSET));
    }

    /**
     * Publishes the last error; the text is cut to {@value io.framebus.shm.internal.RingLayout#ERROR_TEXT_BYTES}
     * bytes. Callers mask secrets before: the header is readable by every reader.
     */
    public synchronized void error(RingError code, String text) {
        byte[] bytes = truncateUtf8(text == null ? "" : text, ERROR_TEXT_BYTES);
        errorVersion += 2;
        memory.setLongRelease(ERROR_LOCK_OFFSET, errorVersion - 1);
        VarHandle.releaseFence(); // the text stores below stay after the odd lock word (see claim())
        memory.setInt(ERROR_CODE_OFFSET, code.code());
        memory.setInt(ERROR_LENGTH_OFFSET, bytes.length);
        memory.setLong(ERROR_NANOS_OFFSET, System.nanoTime());
        memory.putBytes(ERROR_TEXT_OFFSET, bytes, bytes.length);
        memory.setLongRelease(ERROR_LOCK_OFFSET, errorVersion);
    }

    public synchronized void addDecoded(long frames) {
        decoded += frames;
        memory.setLongOpaque(DECODED_OFFSET, decoded);
    }

    public synchronized void addDropped(long frames) {
        dropped += frames;
        memory.setLongOpaque(DROPPED_OFFSET, dropped);
    }

    public synchronized void addReconnect() {
        reconnects++;
        memory.setLongOpaque(RECONNECTS_OFFSET, reconnects);
    }

    /** What the source delivers, for status displays: its own size and frame rate (0 when unknown). */
    public void sourceInfo(int width, int height, double fps) {
        memory.setIntOpaque(SOURCE_WIDTH_OFFSET, width);
        memory.setIntOpaque(SOURCE_HEIGHT_OFFSET, height);
        memory.setIntOpaque(SOURCE_FPS_MILLI_OFFSET, (int) Math.round(Math.max(0, fps) * 1000));
    }

    /** Marks the ring closed and STOPPED; the file stays for readers (see {@link #closeAndDelete()}). */
    @Override
    public void close() {
        if (!closed) {
            state(RingState.STOPPED);
            // a newer writer may have marked this file replaced already: that mark must survive, readers follow it
            if (memory.getIntAcquire(LIFECYCLE_OFFSET) == LIFECYCLE_OPEN) {
                memory.setIntRelease(LIFECYCLE_OFFSET, LIFECYCLE_CLOSED);
            }
            closed = true;
            closeWakeSocket();
        }
    }

    /** The wake-up socket this writer serves, or null when it has none. */
    public Path wakeSocket() {
        WakeSocket w = wake;
        return w == null ? null : w.path();
    }

    private void closeWakeSocket() {
        WakeSocket w = wake;
        if (w != null) {
            w.close(); // connected readers see end of file; the file goes unless a newer writer's socket replaced it
        }
    }

    /** Closes the ring and removes its file (if it is still this ring's file). */
    public void closeAndDelete() throws IOException {
        close();
        try (RingReader current = RingReader.openForWriter(path)) {
            if (current.generation() != generation) {
                return; // a newer ring took the path; it is not ours to delete
            }
        } catch (NoSuchFileException | RingFileException gone) {
            return;
        }
        Files.deleteIfExists(path); // its socket went with close()
    }

    private long slotOffset(long seq) {
        return HEADER_BYTES + Math.floorMod(seq, slotCount) * slotBytes;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("ring " + path + " is closed");
        }
    }

    static byte[] truncateUtf8(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return bytes;
        }
        int end = maxBytes;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--; // do not cut a multi-byte character in half
        }
        return java.util.Arrays.copyOf(bytes, end);
    }
}
