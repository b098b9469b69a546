package io.framebus.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AttributionTest {

    private static final List<String> SAFEPOINTS = List.of(
            "[5000000000ns] Safepoint \"G1CollectForAllocation\", Time since last: 1024161605 ns, Reaching safepoint: 14428 ns, "
                    + "Cleanup: 149393 ns, At safepoint: 4791443 ns, Total: 5000000 ns",
            "[9000000000ns] Safepoint \"ICBufferFull\", Time since last: 661353197 ns, Reaching safepoint: 493754 ns, "
                    + "Cleanup: 169931 ns, At safepoint: 10831 ns, Total: 1000000 ns",
            "not a safepoint line");

    @Test
    void slowDeliveriesAreMatchedToThePausesTheyOverlap() {
        List<String> trace = List.of(
                "cam0 2 1 100 4990000000 4997000000",   // published during the GC pause (4.995..5.000 s): 7 ms, paused
                "cam0 2 2 100 6000000000 6000500000",   // 0.5 ms, no pause
                "cam1 2 1 100 7000000000 7003000000",   // 3 ms, no pause: slow for another reason
                "cam1 2 2 100 0 7100000000",            // publish time unknown: not counted
                "cam1 2 3 100 8999500000 9000200000",   // 0.7 ms across the end of the ICBufferFull pause
                "cam1 2 4 100 20000000000 20000100000", // after the window
                "garbage");
        Results.Attribution a = Attribution.of(trace, SAFEPOINTS, 1_000_000_000L, 10_000_000_000L);
        assertThat(a.frames()).isEqualTo(4);
        assertThat(a.slow()).isEqualTo(2);
        assertThat(a.slowInPause()).isEqualTo(1);
        assertThat(a.inPause()).isEqualTo(2);
        assertThat(a.p99NoPause()).isBetween(3000L, 3050L);
        assertThat(a.pauses()).isEqualTo(2);
        assertThat(a.gcPauses()).isEqualTo(1);
        assertThat(a.pauseMillisMax()).isEqualTo(5.0);
        assertThat(a.pauseMillisSum()).isEqualTo(6.0);
    }

    @Test
    void pausesAreParsedFromTheEndTimeAndTotal() {
        List<Attribution.Pause> p = Attribution.pauses(SAFEPOINTS);
        assertThat(p).containsExactly(new Attribution.Pause(4_995_000_000L, 5_000_000_000L, "G1CollectForAllocation"),
                new Attribution.Pause(8_999_000_000L, 9_000_000_000L, "ICBufferFull"));
    }
}
