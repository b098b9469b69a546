package io.framebus.benchmarks;

import static io.framebus.benchmarks.BenchFrames.HD_BGR24;
import static io.framebus.benchmarks.BenchFrames.RING_SLOTS;

import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import io.framebus.api.PixelFormat;
import io.framebus.shm.RingState;
import io.framebus.shm.RingWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Cross-process latency and waiting CPU of the ring, outside JMH: this process writes frames (1280x720 BGR24 unless
 * a scenario says otherwise) on a schedule into a ring on /dev/shm, and a second JVM ({@link WaitingReader}, same classpath, the same
 * {@code java}) waits for them with {@link io.framebus.shm.RingReader#awaitAfter}. Latency is the reader's
 * {@code System.nanoTime()} when {@code awaitAfter} returned with the frame copied into its buffer, minus the
 * writer's {@code System.nanoTime()} taken just before {@code publishClaimed}; it therefore includes the reader's
 * copy of 2.7 MB. The writer also notes how late it published each frame after its due time: that is the
 * machine's own scheduling noise, which no reader can beat. The idle scenario publishes nothing (the writer only
 * beats its heartbeat) and measures what the waiting reader costs.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.framebus.benchmarks.CrossProcessLatency [--quick]}
 */
public final class CrossProcessLatency {
    /** The reader's {@code awaitAfter} timeout: what a consumer calling {@code FrameSource.next} might pass. */
    static final long AWAIT_TIMEOUT_MILLIS = 1000;
    private static final long HEARTBEAT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long READER_START_TIMEOUT_SECONDS = 60;
    /** A frame small enough (3 KB) that its copy costs next to nothing: what is left is the wake-up. */
    static final FrameFormat TINY_GRAY8 = new FrameFormat(64, 48, PixelFormat.GRAY8);

    /**
     * One run: a fresh ring, a fresh reader JVM, a warm-up (not recorded), then the measured window.
     *
     * @param format       the ring's geometry
     * @param fps          frames per second, 0 for an idle ring
     * @param jitterMillis each frame is published up to this much before or after its nominal time (uniform)
     * @param dropEvery    every so many frames one is not published, as when the capture process caps a camera's
     *                     rate (30 fps camera, 25 fps published: every 6th dropped); 0 publishes every frame
     */
    record Scenario(String name, FrameFormat format, double fps, double jitterMillis, int dropEvery,
                    long warmupMillis, long measureMillis) {
        Scenario(String name, FrameFormat format, double fps, double jitterMillis, long warmupMillis,
                 long measureMillis) {
            this(name, format, fps, jitterMillis, 0, warmupMillis, measureMillis);
        }

        boolean idle() {
            return fps == 0;
        }
    }

    /** What the reader saw in the measured window, and what it cost. */
    record Result(Scenario scenario, long published, long frames, long missed, long laps, long timeouts,
                  LatencyStats latency, LatencyStats writerLateness, long windowNanos, long threadCpuNanos,
                  long processCpuNanos, List<FrameTiming> frameTimings) {
        double threadCpuPercentOfCore() {
            return 100.0 * threadCpuNanos / windowNanos;
        }

        double processCpuPercentOfCore() {
            return 100.0 * processCpuNanos / windowNanos;
        }
    }

    /**
     * One frame: its sequence, how late the writer published it after its due time (its own wake-up and the
     * copy into the slot), and the latency the reader saw (-1 when the reader did not record the frame).
     */
    record FrameTiming(long sequence, long publishLateNanos, long latencyNanos) {
    }

    private CrossProcessLatency() {
    }

    /** The scenarios of docs/benchmarks.md; {@code quick} shortens every window for a smoke run. */
    static List<Scenario> scenarios(boolean quick) {
        long warmup = quick ? 1000 : 5000;
        long measure = quick ? 3000 : 30_000;
        long idle = quick ? 3000 : 20_000;
        return List.of(
                new Scenario("25 fps", HD_BGR24, 25, 0, warmup, measure),
                new Scenario("100 fps", HD_BGR24, 100, 0, warmup, measure),
                new Scenario("25 fps, +/-5 ms jitter", HD_BGR24, 25, 5, warmup, measure),
                new Scenario("30 fps camera capped to 25 fps (every 6th frame dropped)", HD_BGR24, 30, 0, 6,
                        warmup, measure),
                new Scenario("25 fps, 64x48 GRAY8 (wake-up alone: copy negligible)", TINY_GRAY8, 25, 0, warmup,
                        measure),
                new Scenario("idle ring", HD_BGR24, 0, 0, quick ? 1000 : 2000, idle));
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        try (ScratchDirectory scratch = ScratchDirectory.create()) {
            List<Result> results = run(scratch, scenarios(quick), System.err);
            System.out.println(BenchmarkSuite.latencyTable(results));
        }
    }

    static List<Result> run(ScratchDirectory scratch, List<Scenario> scenarios, java.io.PrintStream log)
            throws IOException, InterruptedException {
        List<Result> results = new ArrayList<>();
        int index = 0;
        for (Scenario s : scenarios) {
            log.printf(Locale.ROOT, "# cross-process: %s (warm-up %d ms, measured %d ms)%n", s.name(),
                    s.warmupMillis(), s.measureMillis());
            Result r = run(scratch.resolve("latency-" + index++ + ".ring"), s);
            log.println("#   " + BenchmarkSuite.describe(r));
            results.add(r);
        }
        return results;
    }

    static Result run(Path ringPath, Scenario scenario) throws IOException, InterruptedException {
        RingWriter ring = RingWriter.create(ringPath, "bench", scenario.format(), RING_SLOTS);
        ring.state(scenario.idle() ? RingState.CONNECTING : RingState.STREAMING);
        int maxSamples = (int) Math.max(16, scenario.fps() * scenario.measureMillis() / 1000 * 2 + 16);
        Process process = new ProcessBuilder(readerCommand(ringPath, maxSamples))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BlockingQueue<String> lines = follow(process);
            PrintWriter commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(),
                    StandardCharsets.UTF_8), true);
            expect(lines, WaitingReader.READY, process);
            Writer writer = new Writer(ring, scenario);
            writer.runFor(TimeUnit.MILLISECONDS.toNanos(scenario.warmupMillis()), false);
            long publishedBefore = ring.publishedSequence();
            commands.println(WaitingReader.START + " " + publishedBefore);
            writer.runFor(TimeUnit.MILLISECONDS.toNanos(scenario.measureMillis()), true);
            writer.lingerHalfAPeriod(); // so that the reader gets the last frame before the window closes
            commands.println(WaitingReader.STOP);
            long published = ring.publishedSequence() - publishedBefore;
            String latencies = expect(lines, WaitingReader.LATENCIES, process);
            String result = expect(lines, WaitingReader.RESULT, process);
            commands.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IOException("reader pid " + process.pid() + " did not exit");
            }
            return parse(scenario, published, latencies, result, writer);
        } finally {
            stop(process);
            ring.closeAndDelete();
        }
    }

    private static List<String> readerCommand(Path ringPath, int maxSamples) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        String jvmArgs = System.getProperty("framebus.bench.readerJvmArgs", "").trim();
        if (!jvmArgs.isEmpty()) {
            command.addAll(List.of(jvmArgs.split("\\s+")));
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WaitingReader.class.getName());
        command.add(ringPath.toString());
        command.add(Long.toString(AWAIT_TIMEOUT_MILLIS));
        command.add(Integer.toString(maxSamples));
        return command;
    }

    /** The reader's stdout, line by line, so that waiting for a line can time out. */
    private static BlockingQueue<String> follow(Process process) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException closed) {
                // the process is gone; expect() reports it
            }
        }, "reader-" + process.pid() + "-stdout");
        pump.setDaemon(true);
        pump.start();
        return lines;
    }

    private static String expect(BlockingQueue<String> lines, String prefix, Process process)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READER_START_TIMEOUT_SECONDS);
        while (System.nanoTime() - deadline < 0) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                throw new IOException("reader pid " + process.pid() + " exited with " + process.exitValue()
                        + " before printing " + prefix);
            }
        }
        throw new IOException("reader pid " + process.pid() + " printed no " + prefix + " within "
                + READER_START_TIMEOUT_SECONDS + " s");
    }

    /** Ends the reader process by its pid: politely, then forcibly. */
    private static void stop(Process process) throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static Result parse(Scenario scenario, long published, String latencyLine, String resultLine,
                                Writer writer) {
        String values = latencyLine.substring(WaitingReader.LATENCIES.length()).trim();
        String[] parts = values.isEmpty() ? new String[0] : values.split(",");
        long[] samples = new long[parts.length];
        Map<Long, Long> latencyBySequence = new HashMap<>();
        for (int i = 0; i < parts.length; i++) {
            int colon = parts[i].indexOf(':');
            samples[i] = Long.parseLong(parts[i].substring(colon + 1));
            latencyBySequence.put(Long.parseLong(parts[i].substring(0, colon)), samples[i]);
        }
        List<FrameTiming> timings = new ArrayList<>();
        for (int i = 0; i < writer.latenessCount; i++) {
            long sequence = writer.sequences[i];
            timings.add(new FrameTiming(sequence, writer.lateness[i], latencyBySequence.getOrDefault(sequence, -1L)));
        }
        Map<String, Long> fields = new HashMap<>();
        for (String kv : resultLine.substring(WaitingReader.RESULT.length()).trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            fields.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
        }
        return new Result(scenario, published, fields.get("frames"), fields.get("missed"), fields.get("laps"),
                fields.get("timeouts"), LatencyStats.of(samples, samples.length), writer.lateness(),
                fields.get("windowNanos"),
                fields.get("threadCpuNanos"), fields.get("processCpuNanos"), timings);
    }

    /** Publishes like a capture process: a decoded frame written into the claimed slot, timestamped, published. */
    private static final class Writer {
        private final RingWriter ring;
        private final Scenario scenario;
        private final ByteBuffer decoded;
        private final int frameBytes;
        private final SplittableRandom random = new SplittableRandom(42);
        private final long periodNanos;
        private final long jitterNanos;
        /** How late each measured frame was published after its due time (the writer's own wake-up and copy). */
        private final long[] lateness;
        private final long[] sequences;
        private int latenessCount;
        private long lastHeartbeat;
        private long framesDue;
        private long nextNominal;

        Writer(RingWriter ring, Scenario scenario) {
            this.ring = ring;
            this.scenario = scenario;
            this.frameBytes = (int) scenario.format().frameBytes();
            this.decoded = BenchFrames.patternFrame(frameBytes);
            this.lateness = new long[(int) (scenario.fps() * scenario.measureMillis() / 1000) + 16];
            this.sequences = new long[lateness.length];
            this.periodNanos = scenario.idle() ? HEARTBEAT_NANOS : (long) (1e9 / scenario.fps());
            this.jitterNanos = (long) (scenario.jitterMillis() * 1e6);
        }

        /**
         * Publishes the frames due in the next {@code durationNanos}. One schedule runs across calls, so the
         * switch from warm-up to measurement skips no frame (a gap would be a dropped frame to the reader).
         */
        void runFor(long durationNanos, boolean measured) {
            long now = System.nanoTime();
            long end = now + durationNanos;
            if (nextNominal == 0) {
                nextNominal = now + periodNanos;
            }
            for (; nextNominal - end < 0; nextNominal += periodNanos) {
                long due = jitterNanos == 0 ? nextNominal
                        : nextNominal + random.nextLong(-jitterNanos, jitterNanos + 1);
                sleepUntil(due);
                boolean dropped = scenario.dropEvery() > 0 && ++framesDue % scenario.dropEvery() == 0;
                if (!scenario.idle() && !dropped) {
                    ByteBuffer slot = ring.claim();
                    slot.put(0, decoded, 0, frameBytes);
                    long publishNanos = System.nanoTime();
                    long sequence = ring.publishClaimed(System.currentTimeMillis() * 1_000_000L, publishNanos,
                            FrameInfo.NO_PTS, true);
                    if (measured && latenessCount < lateness.length) {
                        sequences[latenessCount] = sequence;
                        lateness[latenessCount++] = publishNanos - due;
                    }
                }
                long beat = System.nanoTime();
                if (beat - lastHeartbeat >= HEARTBEAT_NANOS) {
                    ring.heartbeat();
                    lastHeartbeat = beat;
                }
            }
        }

        void lingerHalfAPeriod() {
            sleepUntil(System.nanoTime() + periodNanos / 2);
        }

        LatencyStats lateness() {
            return LatencyStats.of(lateness, latenessCount);
        }

        private static void sleepUntil(long deadline) {
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
            }
        }
    }
}
