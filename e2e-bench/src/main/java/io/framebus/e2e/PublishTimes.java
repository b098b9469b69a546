package io.framebus.e2e;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Looks up when a frame was published: the {@code publish mono} field of its slot in the camera's ring file
 * (docs/shm-format.md, "Slots"), read under the slot's seqlock. The API's {@code FrameInfo} carries the capture
 * time only (taken before the conversion into the ring), so this is how the recorder splits capture-to-consumer
 * into capture-to-publish (conversion + publish) and publish-to-consumer (doorbell, copy, hand-off).
 *
 * <p>One instance per camera, used by one thread at a time (the camera's frame callbacks are serialised).
 */
final class PublishTimes {
    // offsets from docs/shm-format.md (RingLayout)
    private static final int MAGIC = 0x47524246;
    private static final int SLOT_COUNT_OFFSET = 12;
    private static final int SLOT_BYTES_OFFSET = 16;
    private static final int GENERATION_OFFSET = 48;
    private static final int HEADER_BYTES = 4096;
    private static final int SLOT_LOCK = 0;
    private static final int SLOT_PUBLISH_MONO_NANOS = 40;

    private final Path ring;
    private MappedByteBuffer map;
    private long generation = -1;
    private int slotCount;
    private long slotBytes;

    PublishTimes(Path ring) {
        this.ring = ring;
    }

    /** The publish time of frame {@code sequence} of {@code generation}, or -1 if it is no longer (or not) there. */
    long publishMonoNanos(long generation, long sequence) {
        if (this.generation != generation && !remap(generation)) {
            return -1;
        }
        long slot = HEADER_BYTES + (sequence % slotCount) * slotBytes;
        if (slot + 128 > map.capacity()) {
            return -1;
        }
        int at = (int) slot;
        long lock = map.getLong(at + SLOT_LOCK);
        VarHandle.acquireFence();
        if (lock != sequence << 1) {
            return -1; // being rewritten, or already holds a newer frame
        }
        long published = map.getLong(at + SLOT_PUBLISH_MONO_NANOS);
        VarHandle.acquireFence();
        return map.getLong(at + SLOT_LOCK) == lock ? published : -1;
    }

    private boolean remap(long wanted) {
        map = null;
        this.generation = -1;
        try (FileChannel ch = FileChannel.open(ring, StandardOpenOption.READ)) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            m.order(ByteOrder.LITTLE_ENDIAN);
            if (m.capacity() < HEADER_BYTES || m.getInt(0) != MAGIC || m.getLong(GENERATION_OFFSET) != wanted) {
                return false; // not (yet) the ring of this generation; try again with the next frame
            }
            map = m;
            slotCount = m.getInt(SLOT_COUNT_OFFSET);
            slotBytes = m.getLong(SLOT_BYTES_OFFSET);
            this.generation = wanted;
            return slotCount >= 2 && slotBytes > 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
