package io.framebus.shm;

import static io.framebus.shm.internal.RingLayout.*;

import io.framebus.api.CaptureTimeSource;
import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import io.framebus.api.FrameView;
import io.framebus.api.FrameViewListener;
import io.framebus.api.FrameVisitor;
import io.framebus.api.PixelFormat;
import io.framebus.shm.internal.ByteBufferRingMemory;
import io.framebus.shm.internal.FileMapping;
import io.framebus.shm.internal.RingMemory;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads one camera's ring, from any process, without locks and without ever returning a torn frame. Thread-safe.
 *
 * <p>The reader follows the ring at its path: when the writer restarts or changes geometry it creates a new file
 * with a new generation and marks the old one replaced, and the next read here switches to the new file. So the
 * {@link #format()} and {@link #generation()} can change between calls; every returned {@link FrameInfo}
 * carries the ones it was read with.
 *
 * <p>Waiting ({@link #awaitAfter}) spins briefly, then parks until shortly before the next frame is due (the
 * interval between the last two frames predicts it), then parks in short steps; on an idle ring it backs off
 * to 10 ms, so a waiting reader costs next to nothing.
 *
 * <p>Mappings: each ring file followed is mapped once. A mapping the reader has left (the ring was replaced) or
 * every mapping once the reader is {@linkplain #close() closed} is released as soon as no call is using it: on
 * Java 22+ it is unmapped then (the file's memory returns to the system at once when the file is deleted), on
 * Java 17 at the GC's next collection of it. Buffers handed to a visitor or listener are valid during the call
 * only; on Java 22+ touching one after its mapping was released throws {@link IllegalStateException}.
 */
public final class RingReader implements AutoCloseable {
    private static final int MAX_ATTEMPTS = 1000;
    private static final int SPINS = 100;
    private static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long DUE_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Park step once a predicted frame is late: the next one is close, keep looking every millisecond. */
    private static final long LATE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Wake this much before the predicted frame: absorbs the writer's jitter. */
    private static final long EARLY_WAKE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long IDENTITY_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Path path;
    private final boolean writable;
    private final AtomicLong laps = new AtomicLong();
    private volatile Mapping mapping;
    private volatile long lastIdentityCheck = System.nanoTime();
    private volatile boolean closed;
    /** The status at {@link #close()}, answered from then on. */
    private volatile RingStatus statusAtClose;

    private RingReader(Path path, boolean writable, Mapping mapping) {
        this.path = path;
        this.writable = writable;
        this.mapping = mapping;
    }

    /**
     * Opens the ring at {@code path} read-only.
     *
     * @throws RingFileException when the file is not a ring, is truncated, has another version or is not ready
     * @throws java.nio.file.NoSuchFileException when there is no file
     */
    public static RingReader open(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        return new RingReader(path, false, Mapping.open(path, false));
    }

    /** Opens read-write: only the writer side needs this, to mark a ring it replaces. */
    static RingReader openForWriter(Path path) throws IOException {
        return new RingReader(path, true, Mapping.open(path, true));
    }

    public Path path() {
        return path;
    }

    /** The geometry of the ring currently followed (after {@link #close()}: of the last one followed). */
    public FrameFormat format() {
        return followed().format;
    }

    public long generation() {
        return followed().generation;
    }

    public String cameraId() {
        return followed().cameraId;
    }

    public int slotCount() {
        return followed().slotCount;
    }

    /** Sequence of the newest published frame, 0 when none yet (after {@link #close()}: as at the close). */
    public long publishedSequence() {
        Mapping m = acquire();
        if (m == null) {
            return statusAtClose.publishedSequence();
        }
        try {
            return m.memory.getLongAcquire(PUBLISHED_SEQ_OFFSET);
        } finally {
            m.release();
        }
    }

    /** How often a sequential read ({@link #readAfter}) found its next frame already overwritten. */
    public long laps() {
        return laps.get();
    }

    /**
     * Copies the newest frame into {@code dst} (from its position, which advances by the frame size).
     *
     * @return the frame's metadata, or null when no frame has been published yet or the reader is closed
     * @throws java.nio.BufferOverflowException when {@code dst} has less room than {@link FrameFormat#frameBytes()}
     */
    public FrameInfo readLatest(ByteBuffer dst) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Mapping m = acquire();
            if (m == null) {
                return null;
            }
            try {
                long seq = m.memory.getLongAcquire(PUBLISHED_SEQ_OFFSET);
                if (seq == 0) {
                    return null;
                }
                FrameInfo info = m.copy(seq, dst);
                if (info != null) {
                    return info;
                }
            } finally {
                m.release();
            }
            Thread.onSpinWait(); // lapped during the copy: the writer is far ahead, take its newest
        }
        return null;
    }

    /**
     * Lets {@code visitor} read the newest frame in place (read-only view of shared memory), then validates.
     *
     * @return true when the frame stayed intact during the whole visit; false when there was no frame or it was
     *         overwritten meanwhile (then discard what the visitor computed)
     */
    public boolean visitLatest(FrameVisitor visitor) {
        Mapping m = acquire();
        if (m == null) {
            return false;
        }
        try {
            long seq = m.memory.getLongAcquire(PUBLISHED_SEQ_OFFSET);
            return seq != 0 && m.visit(seq, visitor);
        } finally {
            m.release();
        }
    }

    /** What {@link #viewNewest} did. */
    public enum ViewResult {
        /** No frame newer than the one given: the listener was not called. */
        NONE,
        /** The listener read the newest frame, and it stayed intact during the whole call. */
        INTACT,
        /** The listener was called, but the writer overwrote the slot meanwhile: its result must be discarded. */
        TORN
    }

    /**
     * Hands the newest frame to {@code listener} in place (no copy) if it is newer than {@code afterSequence} of
     * {@code generation} (any frame of another generation is newer), then validates it: the zero-copy push of
     * {@code FrameSource.subscribeInPlace}. The {@link FrameView} is valid during the call only.
     */
    public ViewResult viewNewest(long generation, long afterSequence, FrameViewListener listener) {
        for (int attempt = 0; attempt < 2; attempt++) {
            Mapping m = acquire();
            if (m == null) {
                return ViewResult.NONE;
            }
            try {
                long seq = m.memory.getLongAcquire(PUBLISHED_SEQ_OFFSET);
                if (seq == 0 || (m.generation == generation && seq <= afterSequence)) {
                    return ViewResult.NONE;
                }
                ViewResult r = m.view(seq, listener);
                if (r != null) {
                    return r;
                }
            } finally {
                m.release();
            }
            // the newest slot was being rewritten already (the writer lapped it): look again once
        }
        return ViewResult.NONE;
    }

    /**
     * The frame after {@code afterSequence} of {@code generation}, copied into {@code dst}, without waiting.
     * If that frame was already overwritten the reader was lapped: the lap is counted and the newest frame is
     * returned instead. A different generation (writer restarted) returns the newest frame of the current one.
     *
     * @return the frame's metadata, or null when there is no newer frame or the reader is closed
     */
    public FrameInfo readAfter(long generation, long afterSequence, ByteBuffer dst) {
        Mapping m = acquire();
        if (m == null) {
            return null;
        }
        try {
            long published = m.memory.getLongAcquire(PUBLISHED_SEQ_OFFSET);
            if (published == 0) {
                return null;
            }
            if (generation != m.generation) {
                return readLatest(dst);
            }
            if (published <= afterSequence) {
                return null;
            }
            long want = afterSequence + 1;
            if (published - want >= m.slotCount) {
                laps.incrementAndGet();
                return readLatest(dst);
            }
            int start = dst.position();
            FrameInfo info = m.copy(want, dst);
            if (info == null) {
                dst.position(start);
                laps.incrementAndGet();
                return readLatest(dst);
            }
            return info;
        } finally {
            m.release();
        }
    }

    /**
     * Like {@link #readAfter} but waits up to {@code timeoutNanos} for the frame.
     *
     * @return the frame's metadata, or null on timeout or when the reader is closed
     */
    public FrameInfo awaitAfter(long generation, long afterSequence, ByteBuffer dst, long timeoutNanos)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        long park = MIN_PARK_NANOS;
        int spins = 0;
        while (true) {
            FrameInfo info = readAfter(generation, afterSequence, dst);
            if (info != null) {
                return info;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0 || closed) {
                return null;
            }
            if (spins < SPINS) {
                spins++;
                Thread.onSpinWait();
                continue;
            }
            long sleep;
            Mapping m = acquire();
            if (m == null) {
                return null;
            }
            long interval;
            long last;
            try {
                interval = m.shortestRecentInterval(afterSequence);
                last = interval <= 0 ? 0 : m.lastPublishNanos();
            } finally {
                m.release();
            }
            if (interval < 0) {
                continue; // published since readAfter looked: read it now instead of predicting from it
            }
            long due = last + interval;
            if (interval != 0 && due - now > EARLY_WAKE_NANOS) {
                sleep = due - now - EARLY_WAKE_NANOS;  // nothing can arrive before then: one long park
                park = MIN_PARK_NANOS;
            } else if (interval != 0 && now - due < 4 * EARLY_WAKE_NANOS) {
                sleep = park;                          // a frame is due about now: short steps
                park = Math.min(park * 2, DUE_PARK_NANOS);
            } else if (interval != 0 && now - last < 3 * interval) {
                sleep = park;                          // a late or dropped frame: the next one is close
                park = Math.min(park * 2, LATE_PARK_NANOS);
            } else {
                sleep = park;                          // idle or stalled ring: back off
                park = Math.min(park * 2, IDLE_PARK_NANOS);
            }
            LockSupport.parkNanos(Math.min(sleep, deadline - now));
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** A snapshot of the header: state, counters, last error, writer identity (after {@link #close()}: as then). */
    public RingStatus status() {
        Mapping m = acquire();
        if (m == null) {
            return statusAtClose;
        }
        try {
            return m.status();
        } finally {
            m.release();
        }
    }

    /** Whether the writer process is alive and still the same process (pid not reused). */
    public boolean writerAlive() {
        Mapping m = followed();
        return RingDirectory.writerAlive(m.writerPid, m.writerStartMillis);
    }

    /**
     * Switches to the file now at the path if it is a different ring (the writer restarted or changed geometry,
     * or the file was recreated); does nothing when the path holds no readable ring or the reader is closed.
     *
     * @return true when the reader now follows a different ring
     */
    public boolean refresh() {
        Mapping m = mapping;
        if (!m.tryUse()) {
            return !closed; // a concurrent call moved on to a newer ring already
        }
        try {
            return isSuperseded(m) && reopen(m);
        } finally {
            m.release();
        }
    }

    /** Marks the ring this reader opened replaced (not one it would follow to: the writer calls this after the
     * new file took the path). */
    void markReplaced() {
        Mapping m = mapping;
        if (m.tryUse()) {
            try {
                m.memory.setIntRelease(LIFECYCLE_OFFSET, LIFECYCLE_REPLACED);
            } finally {
                m.release();
            }
        }
    }

    /**
     * Stops following the ring and releases its mapping once no call is using it (see the class comment). Reads
     * after this find no frame; {@link #status()} and {@link #publishedSequence()} answer as at the close.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        Mapping m = mapping;
        if (m.tryUse()) {
            try {
                statusAtClose = m.status();
            } finally {
                m.release();
            }
        }
        closed = true;
        m.retire();
    }

    /** The ring followed now, for its immutable fields only (no memory access): the last one once closed. */
    private Mapping followed() {
        Mapping m = acquire();
        if (m == null) {
            return mapping;
        }
        m.release();
        return m;
    }

    /**
     * The ring followed now, in use by the caller until it calls {@link Mapping#release()} (its mapping is not
     * released meanwhile); null once the reader is closed.
     */
    private Mapping acquire() {
        while (true) {
            Mapping m = mapping;
            if (!m.tryUse()) {
                if (closed) {
                    return null;
                }
                Thread.onSpinWait(); // a concurrent reopen retired it and is publishing the newer ring
                continue;
            }
            // A ring can also be superseded without the mark: its writer was killed and the file deleted and
            // created again, or it closed after a newer writer replaced it. Looking at the path (one stat) every
            // 250 ms, and whenever the ring is closed, bounds how long a reader can stay on a dead file.
            boolean due = m.replaced() || System.nanoTime() - lastIdentityCheck > IDENTITY_CHECK_NANOS || m.closed();
            if (due && isSuperseded(m) && reopen(m)) {
                m.release();
                continue;
            }
            return m;
        }
    }

    /** Whether the path now holds another ring than {@code m} (or {@code m} is marked replaced). */
    private boolean isSuperseded(Mapping m) {
        lastIdentityCheck = System.nanoTime();
        if (m.replaced()) {
            return true;
        }
        try {
            Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            return key != null && !key.equals(m.fileKey);
        } catch (IOException gone) {
            return false; // no file now: keep reading the old mapping, whose status says closed or stale
        }
    }

    /** Follows the ring now at the path in place of {@code seen}, which is retired; false if there is none. */
    private synchronized boolean reopen(Mapping seen) {
        if (mapping != seen) {
            return true;
        }
        if (closed) {
            return false;
        }
        try {
            Mapping fresh = Mapping.open(path, writable);
            if (fresh.generation == seen.generation && Objects.equals(fresh.fileKey, seen.fileKey)) {
                fresh.retire();
                return false;
            }
            mapping = fresh;
            seen.retire();
            return true;
        } catch (IOException notThereYet) {
            return false;
        }
    }

    /** One mapped ring file, its immutable geometry, and who is using it. */
    private static final class Mapping {
        private static final int RETIRED = 1;
        private static final int USER = 2;

        final RingMemory memory;
        /** Calls using the mapping (in units of {@link #USER}) plus {@link #RETIRED} once nobody may start to. */
        private final AtomicInteger users = new AtomicInteger();
        final Object fileKey;
        final FrameFormat format;
        final int slotCount;
        final long slotBytes;
        final int frameBytes;
        final long generation;
        final String cameraId;
        final long writerPid;
        final long writerStartMillis;

        private Mapping(RingMemory memory, Object fileKey, Path path) throws RingFileException {
            this.memory = memory;
            this.fileKey = fileKey;
            this.slotCount = memory.getInt(SLOT_COUNT_OFFSET);
            this.slotBytes = memory.getLong(SLOT_BYTES_OFFSET);
            long frame = memory.getLong(FRAME_BYTES_OFFSET);
            int width = memory.getInt(WIDTH_OFFSET);
            int height = memory.getInt(HEIGHT_OFFSET);
            PixelFormat pf;
            long formatBytes;
            try {
                pf = PixelFormat.fromCode(memory.getInt(PIXEL_FORMAT_OFFSET));
                this.format = new FrameFormat(width, height, pf);
                formatBytes = format.frameBytes();
            } catch (IllegalArgumentException | ArithmeticException e) {
                // a corrupt (or hostile) header: any geometry, however absurd, is a clean "not a ring"
                throw new RingFileException(RingFileException.Problem.NOT_A_RING, path, "corrupt header: " + e.getMessage());
            }
            // the frame bound comes first: with it, slotBytes() and fileBytes() below cannot overflow to a negative
            // size that would pass the truncation check
            if (slotCount < RingWriter.MIN_SLOTS || slotCount > RingWriter.MAX_SLOTS || frame != formatBytes
                    || frame <= 0 || frame > (1 << 30) || slotBytes != slotBytes(frame)
                    || fileBytes(slotCount, frame) > RingWriter.MAX_FILE_BYTES
                    || memory.getInt(HEADER_BYTES_OFFSET) != HEADER_BYTES) {
                throw new RingFileException(RingFileException.Problem.NOT_A_RING, path,
                        "corrupt header (slots " + slotCount + ", frame bytes " + frame + " for " + format + ")");
            }
            if (memory.size() < fileBytes(slotCount, frame)) {
                throw new RingFileException(RingFileException.Problem.TRUNCATED, path, "file has " + memory.size()
                        + " bytes, its header needs " + fileBytes(slotCount, frame));
            }
            this.frameBytes = (int) frame;
            this.generation = memory.getLong(GENERATION_OFFSET);
            this.writerPid = memory.getLong(WRITER_PID_OFFSET);
            this.writerStartMillis = memory.getLong(WRITER_START_MILLIS_OFFSET);
            byte[] id = new byte[CAMERA_ID_BYTES];
            memory.getBytes(CAMERA_ID_OFFSET, id, id.length);
            int len = 0;
            while (len < id.length && id[len] != 0) {
                len++;
            }
            this.cameraId = new String(id, 0, len, StandardCharsets.UTF_8);
        }

        /** Starts a use; false once retired. */
        boolean tryUse() {
            int u;
            do {
                u = users.get();
                if ((u & RETIRED) != 0) {
                    return false;
                }
            } while (!users.compareAndSet(u, u + USER));
            return true;
        }

        /** Ends a use; the last one out of a retired mapping releases it. */
        void release() {
            if (users.addAndGet(-USER) == RETIRED) {
                memory.release();
            }
        }

        /** No new use may start; released now if none is running, else by the last {@link #release()}. */
        void retire() {
            if (users.getAndUpdate(u -> u | RETIRED) == 0) {
                memory.release();
            }
        }

        static Mapping open(Path path, boolean writable) throws IOException {
            try (FileChannel ch = writable
                    ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(path, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size < 8) {
                    throw new RingFileException(RingFileException.Problem.NOT_A_RING, path,
                            "not a framebus ring (" + size + " bytes)");
                }
                ByteBuffer head = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                ch.read(head, 0);
                if (head.getInt(0) != MAGIC) {
                    throw new RingFileException(RingFileException.Problem.NOT_A_RING, path,
                            "not a framebus ring (magic " + Integer.toHexString(head.getInt(0)) + ")");
                }
                if (size < HEADER_BYTES) {
                    throw new RingFileException(RingFileException.Problem.TRUNCATED, path,
                            "truncated ring: " + size + " bytes, the header alone is " + HEADER_BYTES);
                }
                if (size > Integer.MAX_VALUE) {
                    throw new RingFileException(RingFileException.Problem.NOT_A_RING, path, "file too large for a ring");
                }
                RingMemory memory = new ByteBufferRingMemory(FileMapping.map(ch, writable, size));
                try {
                    // acquire: pairs with the writer's release store of the version, after which the header is
                    // complete
                    int version = memory.getIntAcquire(VERSION_OFFSET);
                    if (version == 0) {
                        throw new RingFileException(RingFileException.Problem.NOT_READY, path,
                                "ring is still being initialised by its writer");
                    }
                    if (version != VERSION) {
                        throw new RingFileException(RingFileException.Problem.UNSUPPORTED_VERSION, path,
                                "ring format version " + version + ", this reader understands " + VERSION);
                    }
                    Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
                    return new Mapping(memory, key, path);
                } catch (IOException | RuntimeException e) {
                    memory.release();
                    throw e;
                }
            }
        }

        boolean replaced() {
            return memory.getIntOpaque(LIFECYCLE_OFFSET) == LIFECYCLE_REPLACED;
        }

        boolean closed() {
            return memory.getIntOpaque(LIFECYCLE_OFFSET) == LIFECYCLE_CLOSED;
        }

        long slotOffset(long seq) {
            return HEADER_BYTES + Math.floorMod(seq, slotCount) * slotBytes;
        }

        /** Copies frame {@code seq} into dst; null (dst unchanged in content ownership) if it is not intact. */
        FrameInfo copy(long seq, ByteBuffer dst) {
            long slot = slotOffset(seq);
            // acquire: the slot's payload and metadata are read after the lock word that guards them
            long lock = memory.getLongAcquire(slot + SLOT_LOCK_OFFSET);
            if (lock != seq << 1) {
                return null; // being rewritten (odd) or already holds a newer frame: lapped
            }
            if (dst.remaining() < frameBytes) {
                throw new java.nio.BufferOverflowException();
            }
            FrameInfo info = info(slot, seq);
            int start = dst.position();
            memory.copyTo(slot + SLOT_HEADER_BYTES, dst, frameBytes);
            if (!stillIntact(slot, lock)) {
                dst.position(start);
                return null;
            }
            return info;
        }

        boolean visit(long seq, FrameVisitor visitor) {
            long slot = slotOffset(seq);
            long lock = memory.getLongAcquire(slot + SLOT_LOCK_OFFSET); // acquire: as in copy()
            if (lock != seq << 1) {
                return false;
            }
            FrameInfo info = info(slot, seq);
            visitor.visit(info, memory.slice(slot + SLOT_HEADER_BYTES, frameBytes).asReadOnlyBuffer());
            return stillIntact(slot, lock);
        }

        /** The listener's visit of frame {@code seq} in place; null when the slot no longer holds it. */
        ViewResult view(long seq, FrameViewListener listener) {
            long slot = slotOffset(seq);
            long lock = memory.getLongAcquire(slot + SLOT_LOCK_OFFSET); // acquire: as in copy()
            if (lock != seq << 1) {
                return null;
            }
            FrameInfo info = info(slot, seq);
            ByteBuffer pixels = memory.slice(slot + SLOT_HEADER_BYTES, frameBytes).asReadOnlyBuffer();
            listener.onFrame(new FrameView() {
                @Override
                public FrameInfo info() {
                    return info;
                }

                @Override
                public ByteBuffer pixels() {
                    return pixels;
                }

                @Override
                public boolean intact() {
                    return stillIntact(slot, lock);
                }
            });
            return stillIntact(slot, lock) ? ViewResult.INTACT : ViewResult.TORN;
        }

        private boolean stillIntact(long slot, long lock) {
            // acquire fence: every payload load above completes before the lock word is read again (StampedLock
            // validate); an unchanged word proves the writer did not touch the slot meanwhile
            VarHandle.acquireFence();
            return memory.getLongOpaque(slot + SLOT_LOCK_OFFSET) == lock;
        }

        private FrameInfo info(long slot, long seq) {
            // revision 1 fields: zero (not given) in the slots of revision 0 writers, which zero-filled them
            int flags = memory.getInt(slot + SLOT_FLAGS_OFFSET);
            CaptureTimeSource timeSource = CaptureTimeSource.fromCode(
                    memory.getInt(slot + SLOT_CAPTURE_TIME_SOURCE_OFFSET));
            return new FrameInfo(cameraId, seq, generation,
                    memory.getLong(slot + SLOT_CAPTURE_EPOCH_NANOS_OFFSET),
                    memory.getLong(slot + SLOT_CAPTURE_MONO_NANOS_OFFSET),
                    memory.getLong(slot + SLOT_PTS_MICROS_OFFSET),
                    format,
                    (flags & FLAG_KEYFRAME) != 0,
                    timeSource == CaptureTimeSource.NONE ? 0
                            : memory.getLong(slot + SLOT_SOURCE_CAPTURE_EPOCH_NANOS_OFFSET),
                    timeSource,
                    (flags & FLAG_SOURCE_CLOCK_RESET) != 0,
                    memory.getLong(slot + SLOT_SOURCE_SEQUENCE_OFFSET));
        }

        /**
         * The shortest interval between the frames the slots still describe: one late or dropped frame does not
         * stretch the prediction (a capped 30 fps camera publishing at 25 fps skips a frame in five). 0 when
         * unknown; -1 when a frame after {@code afterSequence} is published already.
         */
        long shortestRecentInterval(long afterSequence) {
            long seq = memory.getLongAcquire(PUBLISHED_SEQ_OFFSET);
            if (seq > afterSequence) {
                return -1;
            }
            if (seq < 2) {
                return 0;
            }
            // slot seq-(slotCount-1) is the one the writer claims next, so it is left out when there is more history
            int pairs = (int) Math.max(1, Math.min(slotCount - 2, seq - 1));
            long interval = Long.MAX_VALUE;
            long newer = memory.getLongOpaque(slotOffset(seq) + SLOT_PUBLISH_MONO_NANOS_OFFSET);
            for (int k = 1; k <= pairs; k++) {
                long older = memory.getLongOpaque(slotOffset(seq - k) + SLOT_PUBLISH_MONO_NANOS_OFFSET);
                long i = newer - older;
                // a racing rewrite gives nonsense here; nonsense only costs a shorter park, never a missed frame
                if (i > 0 && i < interval) {
                    interval = i;
                }
                newer = older;
            }
            return interval < TimeUnit.SECONDS.toNanos(10) ? interval : 0;
        }

        long lastPublishNanos() {
            long seq = memory.getLongAcquire(PUBLISHED_SEQ_OFFSET);
            return memory.getLongOpaque(slotOffset(seq) + SLOT_PUBLISH_MONO_NANOS_OFFSET);
        }

        RingStatus status() {
            String text = "";
            RingError code = RingError.NONE;
            for (int attempt = 0; attempt < 100; attempt++) {
                long v = memory.getLongAcquire(ERROR_LOCK_OFFSET);
                if ((v & 1) != 0) {
                    Thread.onSpinWait();
                    continue;
                }
                int c = memory.getInt(ERROR_CODE_OFFSET);
                int len = Math.max(0, Math.min(ERROR_TEXT_BYTES, memory.getInt(ERROR_LENGTH_OFFSET)));
                byte[] bytes = new byte[len];
                memory.getBytes(ERROR_TEXT_OFFSET, bytes, len);
                VarHandle.acquireFence(); // the text loads complete before the lock is validated (see stillIntact)
                if (memory.getLongOpaque(ERROR_LOCK_OFFSET) == v) {
                    code = RingError.fromCode(c);
                    text = new String(bytes, StandardCharsets.UTF_8);
                    break;
                }
            }
            int lifecycle = memory.getIntOpaque(LIFECYCLE_OFFSET);
            return new RingStatus(cameraId, generation, format,
                    RingState.fromCode(memory.getIntOpaque(STATE_OFFSET)),
                    lifecycle == LIFECYCLE_CLOSED, lifecycle == LIFECYCLE_REPLACED,
                    code, text,
                    memory.getLongOpaque(HEARTBEAT_NANOS_OFFSET),
                    memory.getLongAcquire(PUBLISHED_SEQ_OFFSET),
                    memory.getLongOpaque(DECODED_OFFSET),
                    memory.getLongOpaque(DROPPED_OFFSET),
                    memory.getLongOpaque(RECONNECTS_OFFSET),
                    writerPid, writerStartMillis,
                    memory.getIntOpaque(SOURCE_WIDTH_OFFSET),
                    memory.getIntOpaque(SOURCE_HEIGHT_OFFSET),
                    memory.getIntOpaque(SOURCE_FPS_MILLI_OFFSET));
        }
    }
}
