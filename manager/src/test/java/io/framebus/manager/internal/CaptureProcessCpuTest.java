package io.framebus.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CaptureProcessCpuTest {

    @Test
    void readsTheSameCpuTimeAsProcessHandle() {
        long busyUntil = System.nanoTime() + Duration.ofMillis(300).toNanos();
        long x = 0;
        while (System.nanoTime() < busyUntil) {
            x += x * 31 + 7; // burn some CPU so that the figures are not both 0
        }
        long before = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
        long fromProc = CaptureProcess.procCpuNanos(Path.of("/proc/self/stat"));
        long after = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
        assertThat(x).isNotZero();
        assertThat(fromProc).isPositive().isBetween(before - 10_000_000L, after + 10_000_000L); // one tick of slack
    }

    @Test
    void aMissingProcessIsMinusOne() {
        assertThat(CaptureProcess.procCpuNanos(Path.of("/proc/no-such-pid/stat"))).isEqualTo(-1);
    }
}
