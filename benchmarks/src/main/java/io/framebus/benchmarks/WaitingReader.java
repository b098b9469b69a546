package io.framebus.benchmarks;

import io.framebus.api.FrameInfo;
import io.framebus.shm.RingFileException;
import io.framebus.shm.RingReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * The reader process of {@link CrossProcessLatency}: follows a ring with {@link RingReader#awaitAfter} (a copy of
 * every frame into its own direct buffer, as a consumer of the copy API does) and notes, for every frame, its
 * {@link System#nanoTime()} when {@code awaitAfter} returned minus the writer's timestamp taken just before
 * publishing ({@code captureMonoNanos}). CLOCK_MONOTONIC is one clock for every process of the host.
 *
 * <p>Protocol on stdin/stdout, one line each: prints {@code READY} once the ring is open; {@code START <sequence>}
 * opens the measurement window (CPU counters are read; frames after that sequence are recorded), {@code STOP}
 * closes it; then prints
 * {@code LATENCIES sequence:nanos,...} and {@code RESULT key=value ...} and exits. End of stdin (the harness died) also stops.
 *
 * <p>Usage: {@code WaitingReader <ring path> <awaitAfter timeout ms> <max samples>}
 */
public final class WaitingReader {
    static final String READY = "READY";
    static final String START = "START";
    static final String STOP = "STOP";
    static final String LATENCIES = "LATENCIES";
    static final String RESULT = "RESULT";

    private static final long OPEN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final RingReader reader;
    private final long awaitTimeoutNanos;
    private final long[] latencies;
    private final long[] sequences;
    private final long waitingThreadId = Thread.currentThread().getId();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private volatile boolean recording;
    /** Frames up to this one were published before the window opened; written before 'recording' (volatile). */
    private long firstSequenceAfter;
    private volatile boolean stopped;
    // written by the command thread, read by the waiting thread after it saw 'stopped' (volatile)
    private long windowStartNanos;
    private long windowEndNanos;
    private long threadCpuStartNanos;
    private long threadCpuEndNanos;
    private long processCpuStartNanos;
    private long processCpuEndNanos;
    private long lapsAtStart;
    private long lapsAtEnd;

    private WaitingReader(RingReader reader, long awaitTimeoutNanos, int maxSamples) {
        this.reader = reader;
        this.awaitTimeoutNanos = awaitTimeoutNanos;
        this.latencies = new long[maxSamples];
        this.sequences = new long[maxSamples];
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: WaitingReader <ring path> <awaitAfter timeout ms> <max samples>");
            System.exit(2);
        }
        RingReader reader = openWhenThere(Paths.get(args[0]));
        WaitingReader waiting = new WaitingReader(reader, TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[1])),
                Integer.parseInt(args[2]));
        if (!waiting.threads.isThreadCpuTimeSupported()) {
            System.err.println("thread CPU time is not supported by this JVM");
            System.exit(3);
        }
        waiting.threads.setThreadCpuTimeEnabled(true);
        Thread commands = new Thread(waiting::followCommands, "harness-commands");
        commands.setDaemon(true);
        commands.start();
        System.out.println(READY);
        System.out.flush();
        waiting.waitForFrames();
    }

    private static RingReader openWhenThere(Path path) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + OPEN_TIMEOUT_NANOS;
        while (true) {
            try {
                return RingReader.open(path);
            } catch (NoSuchFileException | RingFileException notYet) {
                if (System.nanoTime() - deadline > 0) {
                    throw notYet;
                }
                Thread.sleep(10);
            }
        }
    }

    private void waitForFrames() throws InterruptedException {
        ByteBuffer dst = ByteBuffer.allocateDirect((int) reader.format().frameBytes());
        long generation = reader.generation();
        long sequence = reader.publishedSequence();
        int samples = 0;
        long frames = 0;
        long missed = 0;
        long timeouts = 0;
        while (!stopped) {
            dst.clear();
            FrameInfo info = reader.awaitAfter(generation, sequence, dst, awaitTimeoutNanos);
            long seenNanos = System.nanoTime();
            if (info == null) {
                if (recording) {
                    timeouts++;
                }
                continue;
            }
            if (recording && info.sequence() > firstSequenceAfter) {
                frames++;
                if (samples < latencies.length) {
                    sequences[samples] = info.sequence();
                    latencies[samples++] = seenNanos - info.captureMonoNanos();
                }
                if (info.generation() == generation) {
                    missed += info.sequence() - sequence - 1;
                }
            }
            generation = info.generation();
            sequence = info.sequence();
        }
        StringJoiner values = new StringJoiner(",", LATENCIES + " ", "");
        for (int i = 0; i < samples; i++) {
            values.add(sequences[i] + ":" + latencies[i]);
        }
        System.out.println(values);
        System.out.println(RESULT + " frames=" + frames + " missed=" + missed + " timeouts=" + timeouts
                + " laps=" + (lapsAtEnd - lapsAtStart)
                + " windowNanos=" + (windowEndNanos - windowStartNanos)
                + " threadCpuNanos=" + (threadCpuEndNanos - threadCpuStartNanos)
                + " processCpuNanos=" + (processCpuEndNanos - processCpuStartNanos));
        System.out.flush();
    }

    private void followCommands() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith(START)) {
                    firstSequenceAfter = Long.parseLong(line.substring(START.length()).trim());
                    lapsAtStart = reader.laps();
                    processCpuStartNanos = os.getProcessCpuTime();
                    threadCpuStartNanos = threads.getThreadCpuTime(waitingThreadId);
                    windowStartNanos = System.nanoTime();
                    recording = true;
                } else if (STOP.equals(line.trim())) {
                    recording = false;
                    windowEndNanos = System.nanoTime();
                    threadCpuEndNanos = threads.getThreadCpuTime(waitingThreadId);
                    processCpuEndNanos = os.getProcessCpuTime();
                    lapsAtEnd = reader.laps();
                    stopped = true;
                    return;
                }
            }
        } catch (IOException e) {
            System.err.println("reader lost its harness: " + e);
        }
        stopped = true; // end of input: the harness is gone
        if (windowEndNanos == 0) {
            System.exit(1);
        }
    }
}
