package io.framebus.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every ring benchmark of docs/benchmarks.md in one go (JMH first, then the cross-process harness) and
 * prints one summary table with the ratios of the same run. {@code benchmarks/run.sh} calls this.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.framebus.benchmarks.BenchmarkSuite [--quick] [--skip-jmh]
 * [--skip-latency] [--only TEXT] [--out DIR]}; {@code --quick} is a smoke run with short windows whose figures
 * mean nothing; {@code --only} keeps the cross-process scenario named TEXT, or else those whose name contains it.
 */
public final class BenchmarkSuite {
    private static final double RATIO_TARGET = 1.25;
    private static final double VISIT_TARGET_NANOS = 1000;
    private static final double LATENCY_P99_TARGET_NANOS = 1_000_000;
    private static final double IDLE_CPU_TARGET_PERCENT = 1.0;

    private BenchmarkSuite() {
    }

    public static void main(String[] args) throws Exception {
        List<String> options = List.of(args);
        boolean quick = options.contains("--quick");
        int outIndex = options.indexOf("--out");
        Path out = Paths.get(outIndex >= 0 ? options.get(outIndex + 1) : "benchmark-results");
        Files.createDirectories(out);

        StringBuilder summary = new StringBuilder();
        summary.append("# framebus ring benchmarks, ").append(Instant.now()).append(quick ? " (QUICK: smoke run, figures mean nothing)" : "").append('\n');
        summary.append(environment()).append('\n');
        String loadBefore = loadAverage();

        Map<String, RunResult> jmh = options.contains("--skip-jmh") ? Map.of() : runJmh(quick, out);
        List<CrossProcessLatency.Result> latency = List.of();
        if (!options.contains("--skip-latency")) {
            try (ScratchDirectory scratch = ScratchDirectory.create()) {
                int only = options.indexOf("--only");
                List<CrossProcessLatency.Scenario> scenarios = CrossProcessLatency.scenarios(quick);
                if (only >= 0) {
                    String wanted = options.get(only + 1);
                    List<CrossProcessLatency.Scenario> exact = scenarios.stream()
                            .filter(s -> s.name().equals(wanted)).toList();
                    scenarios = !exact.isEmpty() ? exact
                            : scenarios.stream().filter(s -> s.name().contains(wanted)).toList();
                }
                latency = CrossProcessLatency.run(scratch, scenarios, System.out);
            }
            writeFrameTimings(latency, out);
        }
        summary.append("load average before: ").append(loadBefore).append(", after: ").append(loadAverage())
                .append("\n\n");
        if (!jmh.isEmpty()) {
            summary.append(jmhTable(jmh)).append('\n');
        }
        if (!latency.isEmpty()) {
            summary.append(latencyTable(latency)).append('\n');
        }
        Path file = out.resolve("summary.md");
        Files.writeString(file, summary, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(summary);
        System.out.println("(summary written to " + file.toAbsolutePath() + ", JMH results to "
                + out.resolve("jmh-results.json").toAbsolutePath() + ")");
    }

    private static Map<String, RunResult> runJmh(boolean quick, Path out) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(RingPublishBenchmark.class.getName() + "\\.")
                .include(RingReadBenchmark.class.getName() + "\\.")
                .addProfiler(GCProfiler.class)
                .resultFormat(ResultFormatType.JSON)
                .result(out.resolve("jmh-results.json").toString());
        if (quick) {
            options.warmupIterations(2).warmupTime(TimeValue.milliseconds(300))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(300));
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        Map<String, RunResult> byMethod = new HashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            byMethod.put(name.substring(name.lastIndexOf('.') + 1), r);
        }
        return byMethod;
    }

    /** One CSV per scenario, for a closer look at the tail: which frames were slow, and was the writer late. */
    static void writeFrameTimings(List<CrossProcessLatency.Result> results, Path out) throws IOException {
        for (int i = 0; i < results.size(); i++) {
            StringBuilder csv = new StringBuilder("# ").append(results.get(i).scenario().name())
                    .append("\nsequence,publish_late_nanos,latency_nanos\n");
            for (CrossProcessLatency.FrameTiming f : results.get(i).frameTimings()) {
                csv.append(f.sequence()).append(',').append(f.publishLateNanos()).append(',').append(f.latencyNanos())
                        .append('\n');
            }
            Files.writeString(out.resolve("latency-" + i + ".csv"), csv, StandardCharsets.UTF_8);
        }
    }

    static String jmhTable(Map<String, RunResult> r) {
        StringBuilder t = new StringBuilder();
        t.append("| benchmark | result | baseline | ratio of medians | target | met? |\n");
        t.append("|---|---|---|---|---|---|\n");
        ratioRow(t, r, "publish 1280x720 BGR24 (RingWriter.publish from a direct buffer)", "publish",
                "copyToDirect", "direct -> direct", true);
        ratioRow(t, r, "publish, same run", "publish", "copyToMapped", "direct -> MappedByteBuffer (/dev/shm file)", true);
        ratioRow(t, r, "publish, same run (footprint control)", "publish", "copyToMappedSlots",
                "direct -> 4 slot-sized regions of a /dev/shm file in turn", false);
        ratioRow(t, r, "copy-out read (RingReader.readLatest into a direct buffer)", "readLatest", "copyFromMapped",
                "MappedByteBuffer (/dev/shm file) -> direct", true);
        absoluteRow(t, r, "zero-copy read overhead (visitLatest, visitor ignores the pixels)", "visitLatestIgnoringPixels");
        absoluteRow(t, r, "zero-copy read overhead (visitLatest, visitor reads one byte)", "visitLatestReadingOneByte");
        t.append("\nAllocation per operation (JMH gc profiler): ");
        List<String> alloc = new ArrayList<>();
        for (String m : List.of("publish", "readLatest", "visitLatestIgnoringPixels", "visitLatestReadingOneByte")) {
            if (r.containsKey(m)) {
                alloc.add(m + " " + allocBytes(r.get(m)));
            }
        }
        t.append(String.join(", ", alloc)).append('\n');
        return t.toString();
    }

    private static void ratioRow(StringBuilder t, Map<String, RunResult> r, String label, String subject,
                                 String baseline, String baselineLabel, boolean targeted) {
        if (!r.containsKey(subject) || !r.containsKey(baseline)) {
            return;
        }
        Result<?> s = r.get(subject).getPrimaryResult();
        Result<?> b = r.get(baseline).getPrimaryResult();
        double ratio = median(s) / median(b);
        t.append(String.format(Locale.ROOT, "| %s | %s | %s: %s | %.2f (means: %.2f) | %s | %s |%n", label,
                sampleText(s), baselineLabel, sampleText(b), ratio, micros(s) / micros(b),
                targeted ? "<= " + RATIO_TARGET : "(information)",
                targeted ? (ratio <= RATIO_TARGET ? "yes" : "NO") : "-"));
    }

    /** The median of a sampled result in µs (the mean for a result that is not sampled). */
    private static double median(Result<?> result) {
        if (result.getStatistics().getN() < 100) {
            return micros(result); // averaged, not sampled
        }
        return micros(result.getStatistics().getPercentile(50), result.getScoreUnit());
    }

    private static String sampleText(Result<?> result) {
        return String.format(Locale.ROOT, "p50 %.1f µs, p90 %.1f µs, mean %.1f ± %.1f µs", median(result),
                micros(result.getStatistics().getPercentile(90), result.getScoreUnit()), micros(result),
                micros(result.getScoreError(), result.getScoreUnit()));
    }

    private static void absoluteRow(StringBuilder t, Map<String, RunResult> r, String label, String method) {
        if (!r.containsKey(method)) {
            return;
        }
        Result<?> p = r.get(method).getPrimaryResult();
        double nanos = micros(p) * 1000;
        t.append(String.format(Locale.ROOT, "| %s | %.1f ± %.1f ns | - | - | < 1 µs | %s |%n", label, nanos,
                micros(p.getScoreError(), p.getScoreUnit()) * 1000, nanos < VISIT_TARGET_NANOS ? "yes" : "NO"));
    }

    static String latencyTable(List<CrossProcessLatency.Result> results) {
        StringBuilder t = new StringBuilder();
        t.append("| cross-process: writer JVM -> reader JVM (awaitAfter, frame copied) | p50 | p90 | p99 | p99.9 | max "
                + "| frames seen/published (missed, laps) | writer late p99 / max | reader CPU, % of one core: "
                + "waiting thread / whole JVM | target | met? |\n");
        t.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (CrossProcessLatency.Result r : results) {
            CrossProcessLatency.Scenario s = r.scenario();
            String cpu = String.format(Locale.ROOT, "%.3f / %.3f", r.threadCpuPercentOfCore(),
                    r.processCpuPercentOfCore());
            if (s.idle()) {
                boolean met = r.processCpuPercentOfCore() < IDLE_CPU_TARGET_PERCENT;
                t.append(String.format(Locale.ROOT, "| %s (%s), %d s: writer heartbeats every 100 ms, no frames "
                        + "| - | - | - | - | - | %d/%d | - | %s | CPU < 1 %% | %s |%n", s.name(), s.format(),
                        s.measureMillis() / 1000, r.frames(), r.published(), cpu, met ? "yes" : "NO"));
            } else {
                LatencyStats l = r.latency();
                LatencyStats w = r.writerLateness();
                boolean met = l.count() > 0 && l.p99Nanos() < LATENCY_P99_TARGET_NANOS;
                t.append(String.format(Locale.ROOT, "| %s (%s), %d s | %s | %s | %s | %s | %s | %d/%d (%d, %d) "
                        + "| %s / %s | %s | p99 < 1 ms | %s |%n", s.name(), s.format(), s.measureMillis() / 1000,
                        us(l.p50Nanos()), us(l.p90Nanos()), us(l.p99Nanos()), us(l.p999Nanos()), us(l.maxNanos()),
                        r.frames(), r.published(), r.missed(), r.laps(), us(w.p99Nanos()), us(w.maxNanos()), cpu,
                        met ? "yes" : "NO"));
            }
        }
        return t.toString();
    }

    static String describe(CrossProcessLatency.Result r) {
        LatencyStats l = r.latency();
        LatencyStats w = r.writerLateness();
        return String.format(Locale.ROOT, "frames %d/%d missed %d laps %d timeouts %d; latency p50 %s p90 %s p99 %s "
                        + "p99.9 %s max %s; writer late p50 %s p99 %s max %s; reader CPU thread %.3f %% "
                        + "process %.3f %% of a core",
                r.frames(), r.published(), r.missed(), r.laps(), r.timeouts(), us(l.p50Nanos()), us(l.p90Nanos()),
                us(l.p99Nanos()), us(l.p999Nanos()), us(l.maxNanos()), us(w.p50Nanos()), us(w.p99Nanos()),
                us(w.maxNanos()), r.threadCpuPercentOfCore(), r.processCpuPercentOfCore());
    }

    private static String us(long nanos) {
        return String.format(Locale.ROOT, "%.0f µs", nanos / 1000.0);
    }

    private static double micros(Result<?> result) {
        return micros(result.getScore(), result.getScoreUnit());
    }

    private static double micros(double value, String unit) {
        String u = unit.substring(0, unit.indexOf('/'));
        return switch (u) {
            case "ns" -> value / 1000;
            case "us" -> value;
            case "ms" -> value * 1000;
            case "s" -> value * 1_000_000;
            default -> throw new IllegalArgumentException("unexpected unit " + unit);
        };
    }

    private static String allocBytes(RunResult r) {
        for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
            if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                return String.format(Locale.ROOT, "%.0f B/op", e.getValue().getScore());
            }
        }
        return "n/a";
    }

    private static String environment() {
        String cpu = "unknown";
        try {
            cpu = Files.readAllLines(Paths.get("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException ignored) {
            // not Linux
        }
        return String.format(Locale.ROOT, "machine: %d CPUs (%s), %s %s (%s), %s %s%n",
                Runtime.getRuntime().availableProcessors(), cpu, System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("java.vendor"),
                System.getProperty("os.name"), System.getProperty("os.version"));
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "n/a";
        }
    }
}
