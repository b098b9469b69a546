package io.framebus.e2e;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What {@link LatencyRecorder} writes every interval, and what the harness reads: one {@code key=value} line per
 * fact ({@link java.util.Properties} syntax), cumulative since the recorder started, so that a measurement
 * window is the difference of two summaries.
 *
 * <pre>
 * format=framebus-e2e-recorder-1
 * writtenEpochMillis=1795486646574          wall clock of the writing
 * writtenMonoNanos=4127481420000            System.nanoTime() of the writing
 * cameras=cam0,cam1
 * cam.cam0.bound=true                       a FrameSource of that camera is bound now
 * cam.cam0.frames=1234                      frames delivered to the callback
 * cam.cam0.gaps=0                           frames skipped inside a generation (sequence jumps)
 * cam.cam0.generation=3                     generation of the newest frame
 * cam.cam0.sequence=87                      sequence of the newest frame
 * cam.cam0.lastCallbackEpochMillis=...      wall clock of the newest callback
 * cam.cam0.lastCaptureMonoNanos=...         captureMonoNanos of the newest frame
 * cam.cam0.decoded=5678                     frames decoded by the current capture process (FrameSource.status())
 * cam.cam0.published=1357                   frames published by the current capture process (FrameSource.status())
 * cam.cam0.restarts=1                       capture restarts so far (FrameSource.status())
 * cam.cam0.generations=2@1795486646574/1795486646560,3@...   generation@first callback/first capture (epoch ms)
 * cam.cam0.hist.captureToCallback=...       histograms (us), LogHistogram format
 * cam.cam0.hist.publishToCallback=...
 * cam.cam0.hist.captureToPublish=...
 * cam.cam0.hist.age=...                     sampled age of the newest frame
 * </pre>
 */
public final class RecorderSummary {
    public static final String FORMAT = "framebus-e2e-recorder-1";

    /** The histograms kept per camera, by key. */
    public static final List<String> HISTOGRAMS = List.of("captureToCallback", "publishToCallback", "captureToPublish", "age");

    /** The first frame of one generation. */
    public record GenerationStart(long generation, long firstCallbackEpochMillis, long firstCaptureEpochMillis) {
    }

    /** One camera's cumulative figures. */
    public record Camera(String id, boolean bound, long frames, long gaps, long generation, long sequence,
                         long lastCallbackEpochMillis, long lastCaptureMonoNanos, List<GenerationStart> generations,
                         Map<String, LogHistogram> histograms, long decoded, long published, long restarts) {

        public LogHistogram histogram(String name) {
            LogHistogram h = histograms.get(name);
            return h == null ? new LogHistogram() : h;
        }

        /** The first generation that started (first callback) at or after {@code epochMillis}, if any. */
        public GenerationStart firstGenerationSince(long epochMillis) {
            for (GenerationStart g : generations) {
                if (g.firstCallbackEpochMillis() >= epochMillis) {
                    return g;
                }
            }
            return null;
        }
    }

    private final long writtenEpochMillis;
    private final long writtenMonoNanos;
    private final Map<String, Camera> cameras;

    public RecorderSummary(long writtenEpochMillis, long writtenMonoNanos, Map<String, Camera> cameras) {
        this.writtenEpochMillis = writtenEpochMillis;
        this.writtenMonoNanos = writtenMonoNanos;
        this.cameras = Collections.unmodifiableMap(new TreeMap<>(cameras));
    }

    public long writtenEpochMillis() {
        return writtenEpochMillis;
    }

    public long writtenMonoNanos() {
        return writtenMonoNanos;
    }

    public Map<String, Camera> cameras() {
        return cameras;
    }

    public Camera camera(String id) {
        return cameras.get(id);
    }

    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append("# framebus e2e recorder summary (cumulative); see io.framebus.e2e.RecorderSummary\n");
        sb.append("format=").append(FORMAT).append('\n');
        sb.append("writtenEpochMillis=").append(writtenEpochMillis).append('\n');
        sb.append("writtenMonoNanos=").append(writtenMonoNanos).append('\n');
        sb.append("cameras=").append(String.join(",", cameras.keySet())).append('\n');
        for (Camera c : cameras.values()) {
            String p = "cam." + c.id() + ".";
            sb.append(p).append("bound=").append(c.bound()).append('\n');
            sb.append(p).append("frames=").append(c.frames()).append('\n');
            sb.append(p).append("gaps=").append(c.gaps()).append('\n');
            sb.append(p).append("generation=").append(c.generation()).append('\n');
            sb.append(p).append("sequence=").append(c.sequence()).append('\n');
            sb.append(p).append("lastCallbackEpochMillis=").append(c.lastCallbackEpochMillis()).append('\n');
            sb.append(p).append("lastCaptureMonoNanos=").append(c.lastCaptureMonoNanos()).append('\n');
            sb.append(p).append("decoded=").append(c.decoded()).append('\n');
            sb.append(p).append("published=").append(c.published()).append('\n');
            sb.append(p).append("restarts=").append(c.restarts()).append('\n');
            sb.append(p).append("generations=");
            for (int i = 0; i < c.generations().size(); i++) {
                GenerationStart g = c.generations().get(i);
                sb.append(i == 0 ? "" : ",").append(g.generation()).append('@').append(g.firstCallbackEpochMillis())
                        .append('/').append(g.firstCaptureEpochMillis());
            }
            sb.append('\n');
            for (String h : HISTOGRAMS) {
                sb.append(p).append("hist.").append(h).append('=').append(c.histogram(h).format()).append('\n');
            }
        }
        return sb.toString();
    }

    public static RecorderSummary parse(String text) {
        try {
            return parse(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RecorderSummary read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    public static RecorderSummary parse(Reader reader) throws IOException {
        Properties p = new Properties();
        p.load(reader);
        if (!FORMAT.equals(p.getProperty("format"))) {
            throw new IllegalArgumentException("not a recorder summary (format " + p.getProperty("format") + ")");
        }
        Map<String, Camera> cams = new LinkedHashMap<>();
        String list = p.getProperty("cameras", "").trim();
        if (!list.isEmpty()) {
            for (String id : list.split(",")) {
                String k = "cam." + id + ".";
                List<GenerationStart> gens = new ArrayList<>();
                String g = p.getProperty(k + "generations", "").trim();
                if (!g.isEmpty()) {
                    for (String item : g.split(",")) {
                        int at = item.indexOf('@');
                        int slash = item.indexOf('/', at);
                        gens.add(new GenerationStart(Long.parseLong(item.substring(0, at)),
                                Long.parseLong(item.substring(at + 1, slash)), Long.parseLong(item.substring(slash + 1))));
                    }
                }
                Map<String, LogHistogram> hs = new LinkedHashMap<>();
                for (String h : HISTOGRAMS) {
                    hs.put(h, LogHistogram.parse(p.getProperty(k + "hist." + h, "")));
                }
                cams.put(id, new Camera(id, Boolean.parseBoolean(p.getProperty(k + "bound")), num(p, k + "frames"),
                        num(p, k + "gaps"), num(p, k + "generation"), num(p, k + "sequence"),
                        num(p, k + "lastCallbackEpochMillis"), num(p, k + "lastCaptureMonoNanos"), List.copyOf(gens), hs,
                        num(p, k + "decoded"), num(p, k + "published"), num(p, k + "restarts")));
            }
        }
        return new RecorderSummary(num(p, "writtenEpochMillis"), num(p, "writtenMonoNanos"), cams);
    }

    private static long num(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing " + key);
        }
        return Long.parseLong(v.trim());
    }
}
