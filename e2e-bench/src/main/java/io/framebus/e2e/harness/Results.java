package io.framebus.e2e.harness;

import io.framebus.e2e.LogHistogram;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The figures of one run, as the report needs them. */
final class Results {
    private Results() {
    }

    /** N decode-only processes. */
    record Floor(int n, boolean pass, String failure, double[] fps, double[] cpuPct, long[] rssKb, long[] pssKb,
                 double serverCpuPct, double machineBusyPct, double othersCpuPct, String load, double windowSeconds) {
        double minFps() {
            return fps.length == 0 ? 0 : Arrays.stream(fps).min().orElse(0);
        }

        double meanFps() {
            return Arrays.stream(fps).average().orElse(0);
        }

        double meanCpu() {
            return Arrays.stream(cpuPct).average().orElse(Double.NaN);
        }

        double meanRssMb() {
            return Arrays.stream(rssKb).average().orElse(Double.NaN) / 1024;
        }

        double meanPssMb() {
            return Arrays.stream(pssKb).average().orElse(Double.NaN) / 1024;
        }
    }

    /** Debian's ffmpeg CLI decoding one stream to the null muxer. */
    record FfmpegReference(double cpuPct, double fps) {
    }

    /** One camera of a system run, over the measurement window. */
    record Camera(String id, double fps, double publishedFps, double decodedFps, double cpuPct, long rssKb, long pssKb, long shmemKb, long gaps,
                  LogHistogram captureToCallback, LogHistogram publishToCallback, LogHistogram captureToPublish,
                  LogHistogram age) {
    }

    /** A kill -9 of a capture process: to a new capture process writing the ring, and to the new generation's first frame at the consumer. */
    record Kill(String camera, long respawnMillis, long recoveryMillis) {
    }

    /**
     * Which slow publish-to-consumer deliveries of the window coincided with a stop-the-world pause of the runtime
     * JVM (its safepoint log: GC and other VM operations).
     *
     * @param frames          frames of the window with a known publish time
     * @param slow            of those, delivered more than 1 ms after their publish
     * @param slowInPause     of the slow ones, those whose publish-to-callback interval overlapped a pause
     * @param inPause         frames (slow or not) that overlapped a pause
     * @param p99NoPause      p99 publish-to-callback (us) of the frames that overlapped no pause
     * @param pauses          pauses in the window
     * @param gcPauses        of those, GC pauses
     * @param pauseMillisMax  the longest pause (ms)
     * @param pauseMillisSum  all pauses together (ms)
     */
    record Attribution(int frames, int slow, int slowInPause, int inPause, long p99NoPause, int pauses, int gcPauses,
                       double pauseMillisMax, double pauseMillisSum) {
        static final Attribution NONE = new Attribution(0, 0, 0, 0, -1, 0, 0, 0, 0);
    }

    /** N cameras in the real system. */
    record SystemRun(int n, boolean pass, String failure, Map<String, Camera> cameras, double runtimeCpuPct,
                     long runtimeRssKb, long runtimePssKb, double serverCpuPct, double machineBusyPct,
                     double othersCpuPct, String load,
                     double windowSeconds, List<Long> startupMillis, List<Kill> kills, int restartsInWindow,
                     boolean cleanStop, int orphans, int leftoverRings, Attribution attribution) {

        double minFps() {
            return cameras.values().stream().mapToDouble(Camera::fps).min().orElse(0);
        }

        double meanFps() {
            return cameras.values().stream().mapToDouble(Camera::fps).average().orElse(0);
        }

        double minPublishedFps() {
            return cameras.values().stream().mapToDouble(Camera::publishedFps).min().orElse(0);
        }

        double minDecodedFps() {
            return cameras.values().stream().mapToDouble(Camera::decodedFps).min().orElse(0);
        }

        double meanDecodedFps() {
            return cameras.values().stream().mapToDouble(Camera::decodedFps).average().orElse(0);
        }

        double meanCaptureCpu() {
            return cameras.values().stream().mapToDouble(Camera::cpuPct).average().orElse(Double.NaN);
        }

        double meanRssMb() {
            return cameras.values().stream().mapToLong(Camera::rssKb).average().orElse(Double.NaN) / 1024;
        }

        double meanPssMb() {
            return cameras.values().stream().mapToLong(Camera::pssKb).average().orElse(Double.NaN) / 1024;
        }

        double meanShmemMb() {
            return cameras.values().stream().mapToLong(Camera::shmemKb).average().orElse(Double.NaN) / 1024;
        }

        long gaps() {
            return cameras.values().stream().mapToLong(Camera::gaps).sum();
        }

        LogHistogram merged(java.util.function.Function<Camera, LogHistogram> which) {
            LogHistogram all = new LogHistogram();
            cameras.values().forEach(c -> all.add(which.apply(c)));
            return all;
        }

        long worstP99(java.util.function.Function<Camera, LogHistogram> which) {
            return cameras.values().stream().mapToLong(c -> which.apply(c).percentile(0.99)).max().orElse(-1);
        }
    }
}
