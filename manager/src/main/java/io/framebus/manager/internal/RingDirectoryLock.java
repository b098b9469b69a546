package io.framebus.manager.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One runtime per ring directory. Two runtimes of one user that share a directory would each start the same
 * cameras and replace each other's rings in a loop; the second one is refused instead, with the pid of the
 * first. An OS file lock ({@code fcntl}) on {@value #FILE_NAME} in the directory: the kernel drops it when its
 * process dies, so a {@code kill -9} leaves nothing that blocks the next start.
 */
final class RingDirectoryLock {
    static final String FILE_NAME = ".framebus-manager.lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private RingDirectoryLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws IOException naming the directory and the runtime that holds it */
    static RingDirectoryLock acquire(Path ringDirectory) throws IOException {
        Path file = ringDirectory.resolve(FILE_NAME);
        FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            lock = null;
        }
        if (lock == null) {
            String holder = holder(ch);
            ch.close();
            throw new IOException("ring directory " + ringDirectory + " is in use by another framebus runtime"
                    + (holder.isEmpty() ? "" : " (pid " + holder + ")") + ": two runtimes would replace each "
                    + "other's rings; give this one its own ringDirectory in io.framebus.manager");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        return new RingDirectoryLock(file, ch, lock);
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            int n = ch.read(b, 0);
            return n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** Releases the directory and removes the lock file (the directory is left as it was found). */
    void release() {
        try {
            Files.deleteIfExists(file);
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the process is ending its use of the directory; the kernel drops the lock at exit in any case
        }
    }
}
