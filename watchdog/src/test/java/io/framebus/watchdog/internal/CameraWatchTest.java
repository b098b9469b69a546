package io.framebus.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.framebus.api.SourceState;
import io.framebus.contract.CaptureExit;
import io.framebus.manager.CaptureProbe;
import io.framebus.manager.SupervisionPolicy;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The watchdog's decisions for probes of dead, hung, stalled and healthy captures, on a clock the test moves. */
class CameraWatchTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final SupervisionPolicy POLICY = new SupervisionPolicy(2000, 3, 60_000);
    private static final WatchdogConfig CONFIG = defaults();

    private final CameraWatch watch = new CameraWatch();
    private long now = 1_000_000 * MS;

    @Test
    void healthyStreamingCaptureIsLeftAlone() {
        for (int i = 1; i <= 20; i++) {
            CameraWatch.Decision d = check(streaming(i, 100));
            assertThat(d.restartReason()).isNull();
            assertThat(d.report().override()).isNull();
            now += 250 * MS;
        }
    }

    @Test
    void deadProcessIsRestartedAfterABackoffThatGrows() {
        CameraWatch.Decision d = check(dead(137));
        assertThat(d.report().override()).isEqualTo(SourceState.RESTARTING);
        assertThat(d.report().reason()).contains("exited with 137 (killed by signal 9)").contains("restarting in");
        assertThat(d.restartReason()).isNull();
        long base = CONFIG.restartDelayMillis();
        assertThat(untilRestart(dead(137))).isBetween(base * 8 / 10 * MS, (base * 12 / 10 + 250) * MS);
        check(dead(137));
        assertThat(announcedDelayMillis(check(dead(137)).report().reason())).as("backoff doubles")
                .isBetween(2 * base * 8 / 10, 2 * base * 12 / 10);
    }

    @Test
    void aPermanentExitIsFailedAtOnceAndRetriedOnlySlowly() {
        CameraWatch.Decision d = check(dead(CaptureExit.INVALID_SETTINGS.code()));
        assertThat(d.report().override()).isEqualTo(SourceState.FAILED);
        assertThat(d.report().reason()).contains("invalid settings (exit code 2)").contains("a restart cannot fix this");
        assertThat(untilRestart(dead(CaptureExit.INVALID_SETTINGS.code())))
                .isGreaterThanOrEqualTo(CONFIG.failedRetryMillis() * MS - 250 * MS);
        CameraWatch.Decision crash = new CameraWatch().check(dead(CaptureExit.RING_UNAVAILABLE.code()),
                new SupervisionPolicy(10_000, 5, 300_000), CONFIG, 0);
        assertThat(crash.report().override()).as("a transient exit is restarted with backoff")
                .isEqualTo(SourceState.RESTARTING);
    }

    @Test
    void backoffDoublesWithJitterUpToTheCapAndResetsAfterAStableRun() {
        RestartBudget budget = new RestartBudget();
        long base = 250 * MS;
        long max = 2000 * MS;
        assertThat(budget.nextDelayNanos(base, max)).isBetween(200 * MS, 300 * MS);
        budget.recordRestart(0);
        assertThat(budget.nextDelayNanos(base, max)).isBetween(400 * MS, 600 * MS);
        for (int i = 0; i < 10; i++) {
            budget.recordRestart(0);
        }
        assertThat(budget.nextDelayNanos(base, max)).isBetween(1600 * MS, 2400 * MS);
        budget.healthy(0, 1000 * MS);
        budget.healthy(1000 * MS, 1000 * MS);
        assertThat(budget.consecutive()).isZero();
        assertThat(budget.nextDelayNanos(base, max)).isBetween(200 * MS, 300 * MS);
    }

    private static long announcedDelayMillis(String reason) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("restarting in (\\d+) ms").matcher(reason);
        assertThat(m.find()).as(reason).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void hungProcessIsStalledThenRestarted() {
        check(streaming(1, 100));
        CaptureProbe hung = new CaptureProbe(true, 42, true, -1, 60_000 * MS, true, 2500 * MS, SourceState.STREAMING, 1, 1, 0);
        CameraWatch.Decision d = check(hung);
        assertThat(d.report().override()).isEqualTo(SourceState.STALLED);
        assertThat(d.report().reason()).contains("stopped beating for 2.5 s");
        assertThat(untilRestart(hung)).isPositive();
    }

    @Test
    void aFrozenProcessIsFoundWithinTheFrozenTimeoutWhateverTheStallTimeout() {
        SupervisionPolicy patient = new SupervisionPolicy(60_000, 3, 600_000);
        CameraWatch w = new CameraWatch();
        w.check(streaming(1, 100), patient, CONFIG, now);
        CaptureProbe slowBeat = new CaptureProbe(true, 42, true, -1, 60_000 * MS, true,
                (CONFIG.frozenTimeoutMillis() - 100) * MS, SourceState.STREAMING, 1, 2, 0);
        assertThat(w.check(slowBeat, patient, CONFIG, now).report().override()).isNull();
        CaptureProbe frozen = new CaptureProbe(true, 42, true, -1, 60_000 * MS, true,
                (CONFIG.frozenTimeoutMillis() + 100) * MS, SourceState.STREAMING, 1, 2, 0);
        CameraWatch.Decision d = w.check(frozen, patient, CONFIG, now);
        assertThat(d.report().override()).isEqualTo(SourceState.STALLED);
        assertThat(d.report().reason()).contains("stopped beating").contains("hung or frozen");
    }

    @Test
    void theStallTimeoutStillGovernsAStreamThatStopsWhileItsProcessBeats() {
        SupervisionPolicy patient = new SupervisionPolicy(60_000, 3, 600_000);
        CameraWatch w = new CameraWatch();
        w.check(streaming(7, 100), patient, CONFIG, now);
        now += 30_000 * MS;
        assertThat(w.check(streaming(7, 100), patient, CONFIG, now).report().override()).isNull();
        now += 31_000 * MS;
        assertThat(w.check(streaming(7, 100), patient, CONFIG, now).report().reason())
                .contains("no new frame for 61.0 s while STREAMING");
    }

    @Test
    void framesThatStopWhileStreamingAreAStall() {
        check(streaming(7, 100));
        now += 1000 * MS;
        assertThat(check(streaming(7, 100)).report().override()).isNull();
        now += 1500 * MS;
        CameraWatch.Decision d = check(streaming(7, 100));
        assertThat(d.report().override()).isEqualTo(SourceState.STALLED);
        assertThat(d.report().reason()).contains("no new frame for 2.5 s while STREAMING");
    }

    @Test
    void framesAndHeartbeatThatStopTogetherAreReportedAsAFrozenProcess() {
        check(streaming(7, 100));
        now += 2100 * MS; // the frame clock started at this check, the last beat came a little later
        CameraWatch.Decision d = check(streaming(7, 1900));
        assertThat(d.report().override()).isEqualTo(SourceState.STALLED);
        assertThat(d.report().reason()).contains("stopped beating for 1.9 s");
    }

    @Test
    void reconnectingInsideTheProcessIsNotAStall() {
        CaptureProbe reconnecting = new CaptureProbe(true, 42, true, -1, 60_000 * MS, true, 100 * MS,
                SourceState.RECONNECTING, 1, 7, 0);
        for (int i = 0; i < 40; i++) {
            assertThat(check(reconnecting).report().override()).isNull();
            now += 250 * MS;
        }
    }

    @Test
    void tooManyRestartsWithinTheWindowMeanFailedAndSlowRetries() {
        for (int i = 0; i < POLICY.maxRestarts(); i++) {
            check(dead(1));
            untilRestart(dead(1));
        }
        CameraWatch.Decision d = check(dead(1));
        assertThat(d.report().override()).isEqualTo(SourceState.FAILED);
        assertThat(d.report().reason()).contains("3 restarts within 60 s, retrying every 60 s");
        assertThat(untilRestart(dead(1))).isGreaterThanOrEqualTo(59_000 * MS);
    }

    @Test
    void captureThatNeverCreatesItsRingIsRestartedAfterTheStartupGrace() {
        CaptureProbe starting = new CaptureProbe(true, 42, true, -1, 1000 * MS, false, 1000 * MS, SourceState.STARTING, 0, 0, 0);
        assertThat(check(starting).report().override()).isNull();
        CaptureProbe stuck = new CaptureProbe(true, 42, true, -1, 18_000 * MS, false, 18_000 * MS, SourceState.STARTING, 0, 0, 0);
        assertThat(check(stuck).report().reason()).contains("created no ring");
    }

    @Test
    void fpsIsMeasuredOverTheWindow() {
        double fps = 0;
        for (int i = 0; i <= 40; i++) { // 10 s at 4 checks/s, 6 frames per second
            fps = check(streaming(1 + (i * 6) / 4, 100)).report().fps();
            now += 250 * MS;
        }
        assertThat(fps).isBetween(5.5, 6.5);
    }

    private CameraWatch.Decision check(CaptureProbe probe) {
        return watch.check(probe, POLICY, CONFIG, now);
    }

    /** Advances the clock in watchdog ticks until a restart is ordered; returns how long that took. */
    private long untilRestart(CaptureProbe probe) {
        long start = now;
        for (int i = 0; i < 1000; i++) {
            now += 250 * MS;
            if (check(probe).restartReason() != null) {
                return now - start;
            }
        }
        throw new AssertionError("no restart ordered");
    }

    private CaptureProbe streaming(long seq, long heartbeatMs) {
        return new CaptureProbe(true, 42, true, -1, 60_000 * MS, true, heartbeatMs * MS, SourceState.STREAMING, 1, seq, 0);
    }

    private static CaptureProbe dead(int exitCode) {
        return new CaptureProbe(true, 42, false, exitCode, 5000 * MS, true, 100 * MS, SourceState.STREAMING, 1, 5, 0);
    }

    /** WatchdogConfig with its declared defaults, as DS builds it without a configuration. */
    private static WatchdogConfig defaults() {
        return (WatchdogConfig) Proxy.newProxyInstance(WatchdogConfig.class.getClassLoader(),
                new Class<?>[] {WatchdogConfig.class}, (p, m, a) -> m.getDefaultValue());
    }
}
