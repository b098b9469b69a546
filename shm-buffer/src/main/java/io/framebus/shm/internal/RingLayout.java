package io.framebus.shm.internal;

/**
 * Every offset of the ring file, in one place (docs/shm-format.md is the prose twin of this class; keep
 * them in step). All integers are little-endian; every long sits on an 8-byte boundary so that VarHandle
 * atomic access modes are allowed on it. Fields that change at different rates live on different
 * 128-byte blocks (two cache lines, against adjacent-line prefetch) so that the heartbeat the writer
 * beats every few hundred milliseconds never invalidates the line that waiting readers poll.
 */
public final class RingLayout {
    private RingLayout() {
    }

    /** "FBRG" read as a little-endian int. */
    public static final int MAGIC = 0x47524246;
    /** Format version; written last, with release semantics, as the "file is initialised" flag. */
    public static final int VERSION = 1;

    public static final int HEADER_BYTES = 4096;
    public static final int PAGE_BYTES = 4096;

    // ---- block 0: identity and geometry, written once before VERSION
    public static final int MAGIC_OFFSET = 0;            // int
    public static final int VERSION_OFFSET = 4;          // int
    public static final int HEADER_BYTES_OFFSET = 8;     // int
    public static final int SLOT_COUNT_OFFSET = 12;      // int
    public static final int SLOT_BYTES_OFFSET = 16;      // long: stride from one slot to the next
    public static final int FRAME_BYTES_OFFSET = 24;     // long: payload bytes of every frame
    public static final int WIDTH_OFFSET = 32;           // int
    public static final int HEIGHT_OFFSET = 36;          // int
    public static final int PIXEL_FORMAT_OFFSET = 40;    // int: PixelFormat.code()
    public static final int STRIDE_OFFSET = 44;          // int: bytes per row of the first plane
    public static final int GENERATION_OFFSET = 48;      // long
    public static final int WRITER_PID_OFFSET = 56;      // long
    public static final int WRITER_START_MILLIS_OFFSET = 64; // long: writer process start, epoch ms (pid reuse)
    public static final int CREATED_MILLIS_OFFSET = 72;  // long: epoch ms when this file was created
    public static final int SLOT_PAYLOAD_OFFSET_OFFSET = 80; // int: payload offset inside a slot
    /** Revision of format version 1: 0 (files of writers before it), 1 (the slot's source time and sequence). */
    public static final int REVISION_OFFSET = 84;        // int, stored with the geometry, before the version
    public static final int REVISION = 1;

    // ---- block 1: camera id, written once
    public static final int CAMERA_ID_OFFSET = 128;      // 64 bytes UTF-8, NUL padded
    public static final int CAMERA_ID_BYTES = 64;
    /** int: 0 open, 1 closed, 2 replaced. Read on every read, written once or twice: it lives with read-mostly data,
     *  not with the heartbeat. Release stores (by the writer on close, by the next writer on replace). */
    public static final int LIFECYCLE_OFFSET = 192;

    // ---- block 2: the published sequence, alone: this is the word waiting readers poll
    public static final int PUBLISHED_SEQ_OFFSET = 256;  // long

    // ---- block 3: liveness and counters, written by the writer with opaque stores
    public static final int HEARTBEAT_NANOS_OFFSET = 384;   // long: writer's System.nanoTime() (CLOCK_MONOTONIC)
    public static final int STATE_OFFSET = 392;             // int: RingState.code()
    public static final int DECODED_OFFSET = 400;           // long
    public static final int DROPPED_OFFSET = 408;           // long
    public static final int RECONNECTS_OFFSET = 416;        // long
    public static final int STATE_SINCE_NANOS_OFFSET = 424; // long: monotonic time of the last state change

    // ---- block 4: the last error, under its own seqlock
    public static final int ERROR_LOCK_OFFSET = 512;     // long: odd while the writer changes the error
    public static final int ERROR_CODE_OFFSET = 520;     // int: RingError.code()
    public static final int ERROR_LENGTH_OFFSET = 524;   // int: bytes of UTF-8 text
    public static final int ERROR_NANOS_OFFSET = 528;    // long: monotonic time of the error
    public static final int ERROR_TEXT_OFFSET = 640;     // UTF-8, ERROR_TEXT_BYTES long
    public static final int ERROR_TEXT_BYTES = 1024;

    // ---- block 5: what the source delivers (informational)
    public static final int SOURCE_WIDTH_OFFSET = 1664;  // int
    public static final int SOURCE_HEIGHT_OFFSET = 1668; // int
    public static final int SOURCE_FPS_MILLI_OFFSET = 1672; // int: source frame rate x 1000, 0 unknown

    public static final int LIFECYCLE_OPEN = 0;
    public static final int LIFECYCLE_CLOSED = 1;
    public static final int LIFECYCLE_REPLACED = 2;

    // ---- slot: a 128-byte header, then the payload; slots are page-aligned
    public static final int SLOT_LOCK_OFFSET = 0;           // long: (seq << 1) | 1 while written, seq << 1 when complete
    public static final int SLOT_SEQUENCE_OFFSET = 8;       // long
    public static final int SLOT_CAPTURE_EPOCH_NANOS_OFFSET = 16; // long
    public static final int SLOT_CAPTURE_MONO_NANOS_OFFSET = 24;  // long
    public static final int SLOT_PTS_MICROS_OFFSET = 32;    // long, Long.MIN_VALUE when none
    public static final int SLOT_PUBLISH_MONO_NANOS_OFFSET = 40; // long
    public static final int SLOT_PAYLOAD_BYTES_OFFSET = 48; // int
    public static final int SLOT_FLAGS_OFFSET = 52;         // int
    // revision 1 (zero in slots of revision 0 writers, which read as "not given")
    public static final int SLOT_SOURCE_CAPTURE_EPOCH_NANOS_OFFSET = SLOT_FLAGS_OFFSET + 4; // long, 0 when none
    public static final int SLOT_CAPTURE_TIME_SOURCE_OFFSET = SLOT_SOURCE_CAPTURE_EPOCH_NANOS_OFFSET + 8; // int
    public static final int SLOT_SOURCE_SEQUENCE_OFFSET = SLOT_CAPTURE_TIME_SOURCE_OFFSET + 8; // long (4 bytes pad)
    public static final int SLOT_HEADER_BYTES = 128;

    public static final int FLAG_KEYFRAME = 1;
    /** Revision 1: the frame starts a new time line of the source's clock (FrameInfo.sourceClockReset). */
    public static final int FLAG_SOURCE_CLOCK_RESET = 2;

    /** Bytes from one slot to the next for a payload of {@code frameBytes}: header + payload, page-aligned. */
    public static long slotBytes(long frameBytes) {
        return alignUp(SLOT_HEADER_BYTES + frameBytes, PAGE_BYTES);
    }

    public static long fileBytes(int slotCount, long frameBytes) {
        return HEADER_BYTES + slotCount * slotBytes(frameBytes);
    }

    public static long alignUp(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }
}
