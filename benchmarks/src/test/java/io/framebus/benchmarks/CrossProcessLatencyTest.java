package io.framebus.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Keeps the cross-process harness working as the ring evolves: a short run with a real reader JVM. Only what the
 * reader saw is checked, never how fast: figures belong in docs/benchmarks.md.
 */
class CrossProcessLatencyTest {
    @Test
    void aReaderInAnotherJvmSeesTheFramesAndReportsItsCpu() throws Exception {
        CrossProcessLatency.Scenario scenario = new CrossProcessLatency.Scenario("smoke",
                CrossProcessLatency.TINY_GRAY8, 50, 0, 500, 1000);
        try (ScratchDirectory scratch = ScratchDirectory.create()) {
            CrossProcessLatency.Result result = CrossProcessLatency.run(scratch.resolve("smoke.ring"), scenario);

            assertThat(result.published()).isPositive();
            assertThat(result.frames()).isPositive();
            // how many of them the reader caught depends on the machine's load: only that it saw no frame twice or invented one
            assertThat(result.frames()).isLessThanOrEqualTo(result.published());
            assertThat(result.latency().count()).isEqualTo((int) result.frames());
            assertThat(result.latency().minNanos()).isPositive();
            assertThat(result.windowNanos()).isPositive();
            assertThat(result.threadCpuNanos()).isPositive();
            assertThat(Files.exists(scratch.resolve("smoke.ring"))).isFalse();
        }
    }

    @Test
    void theScratchDirectoryIsRemovedWithItsFiles() throws Exception {
        ScratchDirectory scratch = ScratchDirectory.create();
        Files.writeString(scratch.resolve("leftover"), "x");

        scratch.close();

        assertThat(scratch.path()).doesNotExist();
    }
}
