package io.framebus.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The doorbell pump of a capture process outlives a delivery that throws. */
class DoorbellPumpTest {

    @Test
    void aFailingDeliveryIsLoggedAndTheNextFramesStillRing() throws Exception {
        // a stand-in child with the capture process's pipes: three doorbell bytes, a moment apart, then it waits
        // for its stdin to end like a capture process
        Process child = new ProcessBuilder("sh", "-c", "printf x; sleep 0.3; printf y; sleep 0.3; printf z; cat >/dev/null")
                .start();
        AtomicInteger rings = new AtomicInteger();
        List<String> log = new CopyOnWriteArrayList<>();
        CaptureProcess p = CaptureProcess.adopt("cam", child, "", () -> {
            if (rings.incrementAndGet() == 1) {
                throw new IllegalStateException("a consumer's bug");
            }
        }, log::add);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> rings.get() >= 3);
            assertThat(log).anySatisfy(l -> assertThat(l).startsWith("[cam] ERROR frame delivery failed")
                    .contains("a consumer's bug"));
        } finally {
            p.stop(Duration.ofSeconds(2));
        }
        assertThat(child.isAlive()).isFalse();
    }
}
