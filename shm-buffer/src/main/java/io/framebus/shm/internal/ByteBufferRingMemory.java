package io.framebus.shm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link RingMemory} over one file mapping's ByteBuffer, through {@code MethodHandles.byteBufferViewVarHandle}:
 * atomic access modes with no JDK-internal API and no module-opening JVM flags. The mapping starts at
 * file offset 0 and is therefore page-aligned, so every 8-multiple offset is aligned for atomic modes.
 * A read-only mapping rejects every write mode with {@link java.nio.ReadOnlyBufferException}: readers
 * cannot corrupt a ring by accident.
 */
public final class ByteBufferRingMemory implements RingMemory {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final FileMapping mapping;
    private final ByteBuffer buffer;

    public ByteBufferRingMemory(FileMapping mapping) {
        this.mapping = mapping;
        this.buffer = mapping.buffer().order(ByteOrder.LITTLE_ENDIAN);
        if (buffer.alignmentOffset(0, 8) != 0) {
            throw new IllegalArgumentException("mapping is not 8-byte aligned");
        }
    }

    @Override
    public long size() {
        return buffer.capacity();
    }

    @Override
    public boolean writable() {
        return !buffer.isReadOnly();
    }

    @Override
    public long getLongAcquire(long offset) {
        return (long) LONGS.getAcquire(buffer, index(offset));
    }

    @Override
    public long getLongOpaque(long offset) {
        return (long) LONGS.getOpaque(buffer, index(offset));
    }

    @Override
    public long getLong(long offset) {
        return (long) LONGS.get(buffer, index(offset));
    }

    @Override
    public void setLongRelease(long offset, long value) {
        LONGS.setRelease(buffer, index(offset), value);
    }

    @Override
    public void setLongOpaque(long offset, long value) {
        LONGS.setOpaque(buffer, index(offset), value);
    }

    @Override
    public void setLong(long offset, long value) {
        LONGS.set(buffer, index(offset), value);
    }

    @Override
    public int getIntAcquire(long offset) {
        return (int) INTS.getAcquire(buffer, index(offset));
    }

    @Override
    public int getIntOpaque(long offset) {
        return (int) INTS.getOpaque(buffer, index(offset));
    }

    @Override
    public int getInt(long offset) {
        return (int) INTS.get(buffer, index(offset));
    }

    @Override
    public void setIntRelease(long offset, int value) {
        INTS.setRelease(buffer, index(offset), value);
    }

    @Override
    public void setIntOpaque(long offset, int value) {
        INTS.setOpaque(buffer, index(offset), value);
    }

    @Override
    public void setInt(long offset, int value) {
        INTS.set(buffer, index(offset), value);
    }

    @Override
    public ByteBuffer slice(long offset, int length) {
        return buffer.slice(index(offset), length).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void copyTo(long offset, ByteBuffer dst, int length) {
        // absolute bulk put: one memcpy (Unsafe.copyMemory inside the JDK), no intermediate array
        dst.put(dst.position(), buffer, index(offset), length);
        dst.position(dst.position() + length);
    }

    @Override
    public void copyFrom(ByteBuffer src, long offset) {
        buffer.put(index(offset), src, src.position(), src.remaining());
    }

    @Override
    public void getBytes(long offset, byte[] dst, int length) {
        buffer.get(index(offset), dst, 0, length);
    }

    @Override
    public void putBytes(long offset, byte[] src, int length) {
        buffer.put(index(offset), src, 0, length);
    }

    @Override
    public void prefault() {
        mapping.load();
    }

    @Override
    public void release() {
        mapping.unmap();
    }

    private static int index(long offset) {
        return Math.toIntExact(offset);
    }
}
