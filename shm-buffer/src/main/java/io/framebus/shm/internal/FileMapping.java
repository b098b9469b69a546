package io.framebus.shm.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One mapping of a file's first {@code size} bytes, and the means to end it.
 *
 * <p>Java 17 has no supported way to unmap a {@link MappedByteBuffer}: its memory returns to the system when the
 * GC collects the buffer. Java 22 and later map through a {@code java.lang.foreign.Arena}
 * ({@code FileChannel.map(MapMode, long, long, Arena)}); closing the arena unmaps at once, and the
 * {@code ByteBuffer} view of the segment then throws {@link IllegalStateException} on access instead of touching
 * unmapped memory. That API is public and final from Java 22 on; it is reached by reflection here because the
 * bundles are compiled for Java 17. Whoever calls {@link #unmap()} guarantees that no access is in progress
 * (the ring reader counts its users for that). A mapping nobody unmaps (a dropped reader, a writer's former ring)
 * is unmapped when it becomes unreachable, as on Java 17: a shared arena is never freed by the GC otherwise.
 */
public final class FileMapping {
    private static final Foreign FOREIGN = Foreign.find();

    private final ByteBuffer buffer;
    private final Object segment;
    /** Closes the arena once, either from {@link #unmap()} or when this mapping became unreachable. */
    private final Cleaner.Cleanable unmapping;

    private FileMapping(ByteBuffer buffer, Object segment, AutoCloseable arena, Cleaner cleaner) {
        this.buffer = buffer;
        this.segment = segment;
        // the cleaning action holds the arena only, so this mapping object stays collectable
        this.unmapping = arena == null ? null : cleaner.register(this, () -> closeArena(arena));
    }

    /** Whether {@link #unmap()} returns the memory at once (Java 22+), rather than at a later GC. */
    public static boolean unmapsAtOnce() {
        return FOREIGN != null;
    }

    /** Maps bytes {@code [0, size)} of the channel's file; the mapping outlives the channel. */
    public static FileMapping map(FileChannel channel, boolean writable, long size) throws IOException {
        FileChannel.MapMode mode = writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY;
        if (FOREIGN == null) {
            return new FileMapping(channel.map(mode, 0, size), null, null, null);
        }
        return FOREIGN.map(channel, mode, size);
    }

    /** The mapped bytes, position 0, capacity {@code size}; read-only when mapped read-only. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** Touches every page so that later accesses take no page fault. */
    public void load() {
        if (segment != null) {
            FOREIGN.load(segment);
        } else if (buffer instanceof MappedByteBuffer mapped) {
            mapped.load();
        }
    }

    /** Ends the mapping: at once on Java 22+, at the GC's next collection of the buffer on Java 17. */
    public void unmap() {
        if (unmapping != null) {
            unmapping.clean();
        }
    }

    private static void closeArena(AutoCloseable arena) {
        try {
            arena.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot unmap: " + e.getMessage(), e);
        }
    }

    /** {@code java.lang.foreign}, looked up once; null below Java 22 (where it is absent or a preview API). */
    private static final class Foreign {
        private final Cleaner cleaner = Cleaner.create();
        private final Method ofShared;
        private final Method map;
        private final Method asByteBuffer;
        private final Method load;

        private Foreign(Method ofShared, Method map, Method asByteBuffer, Method load) {
            this.ofShared = ofShared;
            this.map = map;
            this.asByteBuffer = asByteBuffer;
            this.load = load;
        }

        static Foreign find() {
            if (Runtime.version().feature() < 22 || Boolean.getBoolean("framebus.ring.noArena")) {
                return null;
            }
            try {
                Class<?> arena = Class.forName("java.lang.foreign.Arena");
                Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
                return new Foreign(arena.getMethod("ofShared"),
                        FileChannel.class.getMethod("map", FileChannel.MapMode.class, long.class, long.class, arena),
                        segment.getMethod("asByteBuffer"), segment.getMethod("load"));
            } catch (ReflectiveOperationException absent) {
                return null;
            }
        }

        FileMapping map(FileChannel channel, FileChannel.MapMode mode, long size) throws IOException {
            AutoCloseable arena = (AutoCloseable) call(ofShared, null);
            try {
                Object segment = call(map, channel, mode, 0L, size, arena);
                return new FileMapping((ByteBuffer) call(asByteBuffer, segment), segment, arena, cleaner);
            } catch (IOException | RuntimeException | Error e) {
                closeArena(arena);
                throw e;
            }
        }

        void load(Object segment) {
            try {
                call(load, segment);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static Object call(Method method, Object target, Object... args) throws IOException {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("java.lang.foreign is not accessible: " + e.getMessage(), e);
            }
        }
    }
}
