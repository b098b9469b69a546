package io.framebus.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RingDirectoryLockTest {
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory(Paths.get("/dev/shm"), "framebus-test-lock-");
    }

    @AfterEach
    void tearDown() throws Exception {
        Files.deleteIfExists(dir.resolve(RingDirectoryLock.FILE_NAME));
        Files.deleteIfExists(dir);
    }

    @Test
    void aSecondRuntimeOnTheSameDirectoryIsRefusedWithTheFirstOnesPid() throws Exception {
        RingDirectoryLock first = RingDirectoryLock.acquire(dir);
        assertThatThrownBy(() -> RingDirectoryLock.acquire(dir))
                .hasMessageContaining("ring directory " + dir + " is in use by another framebus runtime")
                .hasMessageContaining("pid " + ProcessHandle.current().pid())
                .hasMessageContaining("ringDirectory");
        first.release();
        assertThat(dir.resolve(RingDirectoryLock.FILE_NAME)).doesNotExist();
        RingDirectoryLock.acquire(dir).release(); // free again
    }

    @Test
    void anotherProcessHoldingTheLockRefusesUsAndItsDeathFreesIt() throws Exception {
        // flock(1) from util-linux takes the same kind of lock? No: Java's FileLock is fcntl(F_SETLK); a second JVM
        // is the faithful other runtime. It holds the lock until it is killed (-9: nothing cleaned up).
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        Path src = dir.resolve("Hold.java");
        Files.writeString(src, "public class Hold { public static void main(String[] a) throws Exception {"
                + " var ch = java.nio.channels.FileChannel.open(java.nio.file.Path.of(a[0]),"
                + " java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);"
                + " ch.lock(); System.out.println(\"LOCKED\"); System.out.flush();"
                + " new java.util.concurrent.CountDownLatch(1).await(); } }"); // holds the lock until killed
        Process holder = new ProcessBuilder(java.toString(), src.toString(),
                dir.resolve(RingDirectoryLock.FILE_NAME).toString()).redirectErrorStream(true).start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine();
            assertThat(line).isEqualTo("LOCKED");
            assertThatThrownBy(() -> RingDirectoryLock.acquire(dir)).hasMessageContaining("in use by another");
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(src);
        }
        RingDirectoryLock.acquire(dir).release();
    }
}
