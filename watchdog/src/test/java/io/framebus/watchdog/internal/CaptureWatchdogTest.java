package io.framebus.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.framebus.api.SourceState;
import io.framebus.manager.CaptureProbe;
import io.framebus.manager.SupervisedCamera;
import io.framebus.manager.SupervisionPolicy;
import io.framebus.manager.WatchdogReport;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.osgi.service.log.Logger;

/** The watchdog's single thread survives a camera whose probe throws an Error. */
class CaptureWatchdogTest {

    @Test
    void anErrorOfOneCameraIsLoggedAndTheRoundsGoOn() throws Exception {
        List<String> errors = new CopyOnWriteArrayList<>();
        Logger log = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("error")) {
                        errors.add(java.util.Arrays.deepToString(args));
                    }
                    return method.getReturnType() == boolean.class ? false : null;
                });
        CaptureWatchdog watchdog = new CaptureWatchdog();
        Field f = CaptureWatchdog.class.getDeclaredField("log");
        f.setAccessible(true);
        f.set(watchdog, log);
        AtomicInteger probes = new AtomicInteger();
        SupervisedCamera broken = new SupervisedCamera() {
            @Override
            public String cameraId() {
                return "broken";
            }

            @Override
            public SupervisionPolicy policy() {
                return new SupervisionPolicy(10_000, 5, 300_000);
            }

            @Override
            public CaptureProbe probe() {
                if (probes.incrementAndGet() == 1) {
                    throw new StackOverflowError("deep in a probe");
                }
                return new CaptureProbe(false, -1, false, -1, 0, false, 0, SourceState.STOPPED, 0, 0, -1);
            }

            @Override
            public void restart(String reason) {
            }

            @Override
            public void report(WatchdogReport report) {
            }
        };
        WatchdogConfig config = (WatchdogConfig) Proxy.newProxyInstance(WatchdogConfig.class.getClassLoader(),
                new Class<?>[] {WatchdogConfig.class}, (proxy, method, args) -> method.getName().equals("intervalMillis")
                        ? 20 : method.getDefaultValue());
        watchdog.addCamera(broken);
        watchdog.activate(config);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> probes.get() >= 3);
            assertThat(errors).anySatisfy(e -> assertThat(e).contains("StackOverflowError"));
        } finally {
            watchdog.deactivate();
        }
    }
}
