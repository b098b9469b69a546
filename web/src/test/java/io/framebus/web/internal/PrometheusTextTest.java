package io.framebus.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.framebus.api.SourceState;
import io.framebus.api.SourceStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    /** One sample line of the 0.0.4 text format: name, optional labels (escaped values), value. */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)\\})? "
                    + "(NaN|[+-]Inf|-?[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    /**
     * Parses exposition text the way a strict scraper does: every line is a HELP, a TYPE or a sample; every family
     * has exactly one HELP and one TYPE before its samples; a family's samples are not interleaved with another's.
     */
    static List<Sample> parse(String text) {
        assertThat(text).endsWith("\n");
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        String current = null;
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                current = line.substring(7).split(" ", 2)[0];
                assertThat(types).as("one HELP per family: " + current).doesNotContainKey(current);
                types.put(current, null);
            } else if (line.startsWith("# TYPE ")) {
                String[] t = line.substring(7).split(" ");
                assertThat(t[0]).as("TYPE follows its HELP").isEqualTo(current);
                assertThat(t[1]).isIn("counter", "gauge");
                assertThat(types.get(current)).as("one TYPE per family").isNull();
                types.put(current, t[1]);
            } else {
                Matcher m = SAMPLE.matcher(line);
                assertThat(m.matches()).as("sample line: " + line).isTrue();
                assertThat(m.group(1)).as("sample of the current family").isEqualTo(current);
                assertThat(types.get(current)).as("TYPE before samples").isNotNull();
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(2) != null) {
                    Matcher l = LABEL.matcher(m.group(2));
                    while (l.find()) {
                        labels.put(l.group(1), unescape(l.group(2)));
                    }
                }
                String v = m.group(3);
                double value = v.equals("+Inf") ? Double.POSITIVE_INFINITY : v.equals("-Inf")
                        ? Double.NEGATIVE_INFINITY : Double.parseDouble(v);
                samples.add(new Sample(m.group(1), labels, value));
            }
        }
        return samples;
    }

    private static String unescape(String v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\') {
                char n = v.charAt(++i);
                sb.append(n == 'n' ? '\n' : n);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Test
    void labelValuesAndHelpAreEscapedAsTheFormatSays() {
        StringBuilder sb = new StringBuilder();
        new PrometheusText(sb).family("x_total", PrometheusText.Type.COUNTER, "help with \\ and\nnewline and \"quotes\"")
                .sample(3, "camera", "a\"b\\c\nd", "state", "OK");
        assertThat(sb.toString()).isEqualTo("# HELP x_total help with \\\\ and\\nnewline and \"quotes\"\n"
                + "# TYPE x_total counter\n"
                + "x_total{camera=\"a\\\"b\\\\c\\nd\",state=\"OK\"} 3\n");
        List<Sample> back = parse(sb.toString());
        assertThat(back).containsExactly(new Sample("x_total", Map.of("camera", "a\"b\\c\nd", "state", "OK"), 3));
    }

    @Test
    void numbersAreWrittenAsPrometheusReadsThem() {
        assertThat(PrometheusText.number(0)).isEqualTo("0");
        assertThat(PrometheusText.number(-0.0)).isEqualTo("0");
        assertThat(PrometheusText.number(104857600)).isEqualTo("104857600");
        assertThat(PrometheusText.number(6.25)).isEqualTo("6.25");
        assertThat(PrometheusText.number(0.083)).isEqualTo("0.083");
        assertThat(PrometheusText.number(1e-7)).isEqualTo("1.0E-7");
        assertThat(PrometheusText.number(Double.NaN)).isEqualTo("NaN");
        assertThat(PrometheusText.number(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(PrometheusText.number(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    }

    @Test
    void invalidNamesAreRefused() {
        PrometheusText p = new PrometheusText(new StringBuilder());
        assertThatThrownBy(() -> p.family("1bad", PrometheusText.Type.GAUGE, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.family("bad-name", PrometheusText.Type.GAUGE, "x")).isInstanceOf(IllegalArgumentException.class);
        p.family("ok", PrometheusText.Type.GAUGE, "x");
        assertThatThrownBy(() -> p.sample(1, "bad-label", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.sample(1, "__reserved", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.sample(1, "odd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cameraMetricsHaveEverySeriesPerCameraAndParse() {
        SourceStatus front = CamerasJsonTest.streaming("front");
        SourceStatus odd = new SourceStatus("we\"ird\\id", SourceState.RESTARTING, false, "capture process 7 exited",
                -1, 3, 0, 0, 0, 0, 0, null, -1, -1);
        List<Sample> samples = parse(CameraMetrics.write(List.of(front, odd), 2));

        assertThat(value(samples, "framebus_cameras", Map.of())).isEqualTo(2);
        assertThat(value(samples, "framebus_web_preview_streams", Map.of())).isEqualTo(2);
        Map<String, String> f = Map.of("camera", "front");
        assertThat(value(samples, "framebus_camera_live", f)).isEqualTo(1);
        assertThat(value(samples, "framebus_camera_fps", f)).isEqualTo(6.04);
        assertThat(value(samples, "framebus_camera_frames_decoded_total", f)).isEqualTo(100);
        assertThat(value(samples, "framebus_camera_frames_published_total", f)).isEqualTo(25);
        assertThat(value(samples, "framebus_camera_frames_dropped_total", f)).isEqualTo(75);
        assertThat(value(samples, "framebus_camera_reconnects_total", f)).isEqualTo(2);
        assertThat(value(samples, "framebus_camera_restarts_total", f)).isEqualTo(1);
        assertThat(value(samples, "framebus_camera_latest_frame_age_seconds", f)).isEqualTo(0.083);
        assertThat(value(samples, "framebus_camera_process_cpu_ratio", f)).isEqualTo(0.0304);
        assertThat(value(samples, "framebus_camera_process_resident_memory_bytes", f)).isEqualTo(104_857_600);

        // the state is one-hot over every state
        for (SourceState s : SourceState.values()) {
            assertThat(value(samples, "framebus_camera_state", Map.of("camera", "front", "state", s.name())))
                    .isEqualTo(s == SourceState.STREAMING ? 1 : 0);
            assertThat(value(samples, "framebus_camera_state", Map.of("camera", "we\"ird\\id", "state", s.name())))
                    .isEqualTo(s == SourceState.RESTARTING ? 1 : 0);
        }
        // unknown values are absent, not -1
        Map<String, String> o = Map.of("camera", "we\"ird\\id");
        assertThat(samples).noneMatch(s -> s.labels().equals(o) && (s.name().endsWith("_age_seconds")
                || s.name().startsWith("framebus_camera_process_")));
        assertThat(value(samples, "framebus_camera_restarts_total", o)).isEqualTo(3);
        assertThat(samples).allMatch(s -> s.value() >= 0);
    }

    private static double value(List<Sample> samples, String name, Map<String, String> labels) {
        List<Sample> match = samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels)).toList();
        assertThat(match).as(name + labels).hasSize(1);
        return match.get(0).value();
    }
}
