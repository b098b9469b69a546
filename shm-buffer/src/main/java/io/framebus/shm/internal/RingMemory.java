package io.framebus.shm.internal;

import java.nio.ByteBuffer;

/**
 * The only way ring code touches shared memory. One implementation ({@link ByteBufferRingMemory}, VarHandle
 * views over the ByteBuffer of a {@link FileMapping}: a MappedByteBuffer on Java 17, a MemorySegment's buffer on
 * Java 22+, which can be unmapped at once).
 *
 * <p>Offsets are absolute byte offsets into the file. Access modes follow the VarHandle vocabulary: plain,
 * opaque (atomic, no ordering), acquire/release.
 */
public interface RingMemory {
    long size();

    boolean writable();

    long getLongAcquire(long offset);

    long getLongOpaque(long offset);

    long getLong(long offset);

    void setLongRelease(long offset, long value);

    void setLongOpaque(long offset, long value);

    void setLong(long offset, long value);

    int getIntAcquire(long offset);

    int getIntOpaque(long offset);

    int getInt(long offset);

    void setIntRelease(long offset, int value);

    void setIntOpaque(long offset, int value);

    void setInt(long offset, int value);

    /** A view of {@code length} bytes at {@code offset}, positioned at 0, little-endian, sharing the memory. */
    ByteBuffer slice(long offset, int length);

    /** Copies {@code length} bytes at {@code offset} into {@code dst} at its position and advances it. */
    void copyTo(long offset, ByteBuffer dst, int length);

    /** Copies the remaining bytes of {@code src} to {@code offset}; {@code src}'s position is not changed. */
    void copyFrom(ByteBuffer src, long offset);

    void getBytes(long offset, byte[] dst, int length);

    void putBytes(long offset, byte[] src, int length);

    /** Touches every page so that later accesses take no page fault. */
    void prefault();

    /**
     * Ends the mapping (Java 22+: at once; Java 17: at a later GC). No access may be in progress or follow: on
     * Java 22+ a later access throws {@link IllegalStateException}.
     */
    void release();
}
