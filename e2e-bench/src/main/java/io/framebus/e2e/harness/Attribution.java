package io.framebus.e2e.harness;

import io.framebus.e2e.LogHistogram;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts the recorder's per-frame trace next to the runtime JVM's safepoint log (both on CLOCK_MONOTONIC): which
 * slow publish-to-consumer deliveries overlapped a stop-the-world pause.
 */
final class Attribution {
    // [5709029198087ns] Safepoint "G1CollectForAllocation", Time since last: ..., Total: 24955264 ns
    private static final Pattern SAFEPOINT = Pattern.compile("^\\[(\\d+)ns\\] Safepoint \"([^\"]+)\".*Total: (\\d+) ns");

    private Attribution() {
    }

    record Pause(long start, long end, String operation) {
    }

    static List<Pause> pauses(List<String> safepointLog) {
        List<Pause> out = new ArrayList<>();
        for (String line : safepointLog) {
            Matcher m = SAFEPOINT.matcher(line);
            if (m.find()) {
                long end = Long.parseLong(m.group(1));
                out.add(new Pause(end - Long.parseLong(m.group(3)), end, m.group(2)));
            }
        }
        return out;
    }

    /** Frames whose callback falls in [fromMono, toMono]. */
    static Results.Attribution of(Path trace, Path safepoints, long fromMono, long toMono) {
        try {
            return of(Files.readAllLines(trace, StandardCharsets.US_ASCII), Files.readAllLines(safepoints, StandardCharsets.UTF_8),
                    fromMono, toMono);
        } catch (IOException | RuntimeException e) {
            return Results.Attribution.NONE;
        }
    }

    static Results.Attribution of(List<String> traceLines, List<String> safepointLines, long fromMono, long toMono) {
        List<Pause> all = pauses(safepointLines);
        int frames = 0;
        int slow = 0;
        int slowInPause = 0;
        int inPause = 0;
        LogHistogram clean = new LogHistogram();
        for (String line : traceLines) {
            String[] f = line.trim().split(" ");
            if (f.length != 6) {
                continue;
            }
            long published = Long.parseLong(f[4]);
            long callback = Long.parseLong(f[5]);
            if (published <= 0 || callback < fromMono || callback > toMono) {
                continue;
            }
            frames++;
            boolean paused = false;
            for (Pause p : all) {
                if (p.start() < callback && p.end() > published) {
                    paused = true;
                    break;
                }
            }
            long micros = (callback - published) / 1000;
            if (paused) {
                inPause++;
            } else {
                clean.record(micros);
            }
            if (micros > 1000) {
                slow++;
                if (paused) {
                    slowInPause++;
                }
            }
        }
        int pauses = 0;
        int gc = 0;
        double max = 0;
        double sum = 0;
        for (Pause p : all) {
            if (p.end() >= fromMono && p.start() <= toMono) {
                pauses++;
                if (p.operation().startsWith("G1") || p.operation().contains("GC") || p.operation().contains("Collect")) {
                    gc++;
                }
                double ms = (p.end() - p.start()) / 1e6;
                max = Math.max(max, ms);
                sum += ms;
            }
        }
        return new Results.Attribution(frames, slow, slowInPause, inPause, clean.percentile(0.99), pauses, gc, max, sum);
    }
}
