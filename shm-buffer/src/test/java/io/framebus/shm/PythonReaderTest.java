package io.framebus.shm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import io.framebus.api.PixelFormat;
import io.framebus.shm.internal.RingLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves that docs/shm-format.md is enough for another language: rings written by {@link RingWriter} are read by
 * tools/python/framebus_ring.py (the command line of the Python client in clients/python: pread + numpy) in a
 * separate process, and everything it reports (header, status, last error, frame metadata, pixels through numpy's
 * shapes) matches what the Java side wrote.
 */
class PythonReaderTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String INSTALL_HINT = "install python3-numpy (apt-get install python3-numpy; the project's"
            + " ./test.sh installs it)";
    /** Generous: starting python and importing numpy takes well under a second; this only stops a hung child. */
    private static final long PYTHON_TIMEOUT_SECONDS = 60;
    private static final long EPOCH_BASE_NANOS = 1_700_000_000_000_000_000L;

    private static Path script;
    private Path dir;

    /** One value of a frame's pattern: channel or plane {@code plane} at {@code row}, {@code col}. */
    @FunctionalInterface
    interface PixelPattern {
        int value(long seq, int plane, int row, int col);
    }

    @BeforeAll
    static void requirePythonWithNumpy() throws Exception {
        String configured = System.getProperty("framebus.python.reader");
        assertThat(configured).as("system property framebus.python.reader (set by shm-buffer/pom.xml)").isNotBlank();
        script = Path.of(configured).toAbsolutePath().normalize();
        assertThat(script).as("the Python ring reader").isRegularFile();
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " is missing: this test runs the Python ring reader; " + INSTALL_HINT);
        }
        Result numpy = run(List.of(PYTHON, "-c", "import numpy"));
        if (numpy.exit() != 0) {
            String[] why = numpy.stderr().strip().split("\n");
            fail(PYTHON + " cannot import numpy (" + why[why.length - 1] + "): " + INSTALL_HINT);
        }
    }

    @BeforeEach
    void createRingDirectory() throws IOException {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "framebus-test-");
    }

    @AfterEach
    void deleteRingDirectory() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Test
    void bgr24RingWithStatusErrorAndCountersReadsTheSameInPython() throws Exception {
        FrameFormat format = new FrameFormat(1280, 720, PixelFormat.BGR24);
        PixelPattern pattern = (seq, channel, row, col) -> switch (channel) {
            case 0 -> (int) (seq % 251);   // blue
            case 1 -> row % 256;           // green
            default -> col % 256;          // red
        };
        Path ring = dir.resolve("front.ring");
        // quotes, a backslash and multi-byte UTF-8: the text survives the ring and Python's JSON escaping
        String errorText = "no data for 2 s from rtsp://front/stream: \"read timeout\" \\ \u00fcber \u2014 "
                + "\u6444\u50cf";
        try (RingWriter writer = RingWriter.create(ring, "front", format, 4, 7)) {
            long[] captureMono = new long[7];
            for (long seq = 1; seq <= 6; seq++) { // 6 frames in 4 slots: the ring has wrapped
                captureMono[(int) seq] = System.nanoTime();
                // revision 1: the camera's capture time (RTCP) and the decoded picture's number
                writer.claim().put(frame(format, seq, pattern));
                writer.publishClaimed(EPOCH_BASE_NANOS + seq, captureMono[(int) seq], seq * 40_000, seq % 3 == 0,
                        EPOCH_BASE_NANOS - 1000 + seq, io.framebus.api.CaptureTimeSource.RTCP, seq == 6, 100 + seq);
            }
            writer.state(RingState.STREAMING);
            writer.error(RingError.TIMEOUT, errorText);
            writer.addDecoded(10);
            writer.addDropped(4);
            writer.addReconnect();
            writer.addReconnect();
            writer.sourceInfo(1920, 1080, 29.97);
            writer.heartbeat();

            Map<String, String> out = readWithPython(ring, "--status", "--latest", "--pixel", "701,1000");

            assertThat(str(out, "camera_id")).isEqualTo("front");
            assertThat(num(out, "version")).isEqualTo(RingLayout.VERSION);
            assertThat(num(out, "generation")).isEqualTo(7);
            assertThat(num(out, "width")).isEqualTo(1280);
            assertThat(num(out, "height")).isEqualTo(720);
            assertThat(str(out, "pixel_format")).isEqualTo("BGR24");
            assertThat(num(out, "pixel_format_code")).isEqualTo(PixelFormat.BGR24.code());
            assertThat(num(out, "stride")).isEqualTo(1280 * 3);
            assertThat(num(out, "frame_bytes")).isEqualTo(format.frameBytes());
            assertThat(num(out, "slot_count")).isEqualTo(4);
            assertThat(num(out, "slot_bytes")).isEqualTo(RingLayout.slotBytes(format.frameBytes()));
            assertThat(num(out, "file_bytes")).isEqualTo(Files.size(ring));
            assertThat(num(out, "writer_pid")).isEqualTo(ProcessHandle.current().pid());
            assertThat(num(out, "writer_start_millis")).isEqualTo(RingDirectory.startMillis(ProcessHandle.current()));
            assertThat(bool(out, "writer_alive")).as("Python computes the writer's start time as Java does").isTrue();
            assertThat(bool(out, "stale")).isFalse();
            assertThat(str(out, "lifecycle")).isEqualTo("open");
            assertThat(str(out, "state")).isEqualTo("STREAMING");
            assertThat(num(out, "state_code")).isEqualTo(RingState.STREAMING.code());
            assertThat(str(out, "error")).isEqualTo("TIMEOUT");
            assertThat(num(out, "error_code")).isEqualTo(RingError.TIMEOUT.code());
            assertThat(str(out, "error_text")).isEqualTo(errorText);
            assertThat(num(out, "published_sequence")).isEqualTo(6);
            assertThat(num(out, "decoded_frames")).isEqualTo(10);
            assertThat(num(out, "dropped_frames")).isEqualTo(4);
            assertThat(num(out, "reconnects")).isEqualTo(2);
            assertThat(num(out, "source_width")).isEqualTo(1920);
            assertThat(num(out, "source_height")).isEqualTo(1080);
            assertThat(dbl(out, "source_fps")).isEqualTo(29.97);
            // Not a timing assertion: a heartbeat age that is negative or absurd would mean the two processes do
            // not share the clock (System.nanoTime() and time.monotonic_ns() are both CLOCK_MONOTONIC).
            assertThat(dbl(out, "heartbeat_age_ms")).isBetween(0.0, 600_000.0);

            assertThat(bool(out, "frame")).isTrue();
            assertThat(num(out, "frame_sequence")).isEqualTo(6);
            assertThat(num(out, "frame_generation")).isEqualTo(7);
            assertThat(num(out, "frame_capture_epoch_nanos")).isEqualTo(EPOCH_BASE_NANOS + 6);
            assertThat(num(out, "frame_capture_mono_nanos")).isEqualTo(captureMono[6]);
            assertThat(num(out, "frame_pts_micros")).isEqualTo(6 * 40_000);
            assertThat(bool(out, "frame_keyframe")).isTrue();
            assertThat(num(out, "frame_source_capture_epoch_nanos")).isEqualTo(EPOCH_BASE_NANOS - 1000 + 6);
            assertThat(str(out, "frame_capture_time_source")).isEqualTo("RTCP");
            assertThat(bool(out, "frame_source_clock_reset")).isTrue();
            assertThat(num(out, "frame_source_sequence")).isEqualTo(106);
            assertThat(num(out, "frame_payload_bytes")).isEqualTo(format.frameBytes());
            assertFramePixels(out, format, 6, pattern, 701, 1000);
            assertThat(raw(out, "frame_shape")).isEqualTo("[720, 1280, 3]");
            assertThat(str(out, "frame_channels")).isEqualTo("BGR");
        }
    }

    @Test
    void gray8RingOfAClosedWriterIsReadAndReportedStale() throws Exception {
        FrameFormat format = new FrameFormat(640, 480, PixelFormat.GRAY8);
        PixelPattern pattern = (seq, plane, row, col) -> (int) ((row * 7 + col * 3 + seq) & 0xFF);
        Path ring = dir.resolve("gray.ring");
        RingWriter writer = RingWriter.create(ring, "gray", format, 2, 1);
        for (long seq = 1; seq <= 3; seq++) {
            writer.publish(ByteBuffer.wrap(frame(format, seq, pattern)), EPOCH_BASE_NANOS, System.nanoTime(),
                    FrameInfo.NO_PTS, false);
        }
        writer.close(); // closed, not deleted: readers still see the last frame, and that the ring is stale

        Map<String, String> out = readWithPython(ring, "--status", "--latest", "--pixel", "317,501");

        assertThat(str(out, "camera_id")).isEqualTo("gray");
        assertThat(num(out, "generation")).isEqualTo(1);
        assertThat(str(out, "pixel_format")).isEqualTo("GRAY8");
        assertThat(num(out, "stride")).isEqualTo(640);
        assertThat(str(out, "lifecycle")).isEqualTo("closed");
        assertThat(str(out, "state")).isEqualTo("STOPPED");
        assertThat(bool(out, "stale")).isTrue();
        assertThat(str(out, "error")).isEqualTo("NONE");
        assertThat(str(out, "error_text")).isEmpty();
        assertThat(num(out, "frame_sequence")).isEqualTo(3);
        assertThat(isNull(out, "frame_pts_micros")).as("NO_PTS reads as null").isTrue();
        assertThat(bool(out, "frame_keyframe")).isFalse();
        assertThat(raw(out, "frame_shape")).isEqualTo("[480, 640]");
        assertFramePixels(out, format, 3, pattern, 317, 501);
    }

    @Test
    void yuv420pRingWithOddSizeHasCeilSizedChromaPlanes() throws Exception {
        FrameFormat format = new FrameFormat(321, 241, PixelFormat.YUV420P); // chroma planes 161 x 121
        PixelPattern pattern = (seq, plane, row, col) -> switch (plane) {
            case 0 -> (int) ((row + 2 * col + seq) & 0xFF);
            case 1 -> (100 + row) & 0xFF;
            default -> (int) ((200 + col + seq) & 0xFF);
        };
        Path ring = dir.resolve("yuv.ring");
        try (RingWriter writer = RingWriter.create(ring, "yuv", format, 3, 1)) {
            for (long seq = 1; seq <= 5; seq++) {
                writer.publish(ByteBuffer.wrap(frame(format, seq, pattern)), EPOCH_BASE_NANOS + seq,
                        System.nanoTime(), seq, true);
            }
            Map<String, String> out = readWithPython(ring, "--latest", "--pixel", "239,17");

            assertThat(out).doesNotContainKey("state"); // --latest alone: no status
            assertThat(num(out, "frame_sequence")).isEqualTo(5);
            assertThat(num(out, "frame_payload_bytes")).isEqualTo(321 * 241 + 2 * 161 * 121);
            assertThat(raw(out, "frame_shape")).isEqualTo("[[241, 321], [121, 161], [121, 161]]");
            assertThat(str(out, "frame_channels")).isEqualTo("YUV");
            assertFramePixels(out, format, 5, pattern, 239, 17);
        }
    }

    @Test
    void replacedRingIsFollowedThroughThePathWithTheNextGeneration() throws Exception {
        Path ring = dir.resolve("cam.ring");
        FrameFormat nv12 = new FrameFormat(64, 48, PixelFormat.NV12);
        PixelPattern pattern = (seq, plane, row, col) -> (plane * 50 + row + col) & 0xFF;
        try (RingWriter first = RingWriter.create(ring, "cam", new FrameFormat(32, 16, PixelFormat.RGB24), 2, 3);
             RingWriter second = replaceAfterOneFrame(first, nv12)) {
            Map<String, String> empty = readWithPython(ring, "--status", "--latest");
            assertThat(num(empty, "generation")).isEqualTo(4);
            assertThat(str(empty, "pixel_format")).isEqualTo("NV12");
            assertThat(num(empty, "published_sequence")).isZero();
            assertThat(bool(empty, "frame")).as("no frame published in the new ring yet").isFalse();

            second.publish(ByteBuffer.wrap(frame(nv12, 1, pattern)), 0, System.nanoTime(), 0, true);
            Map<String, String> out = readWithPython(ring, "--latest", "--pixel", "13,41");
            assertThat(num(out, "frame_generation")).isEqualTo(4);
            assertThat(raw(out, "frame_shape")).isEqualTo("[[48, 64], [24, 32, 2]]");
            assertFramePixels(out, nv12, 1, pattern, 13, 41);
        }
    }

    @Test
    void filesThatAreNotReadableRingsGiveClearErrors() throws Exception {
        Path ring = dir.resolve("ok.ring");
        try (RingWriter writer = RingWriter.create(ring, "ok", new FrameFormat(64, 64, PixelFormat.GRAY8), 2)) {
            writer.publish(ByteBuffer.allocate(64 * 64), 0, System.nanoTime(), 0, true);
        }
        Path text = Files.writeString(dir.resolve("text.ring"), "this is not a ring, just some text\n");
        assertPythonRejects(text, "not a framebus ring (magic");

        Path truncated = dir.resolve("truncated.ring");
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(ring), RingLayout.HEADER_BYTES + 100));
        assertPythonRejects(truncated, "truncated ring");

        Path notReady = Files.copy(ring, dir.resolve("notready.ring"));
        putInt(notReady, RingLayout.VERSION_OFFSET, 0);
        assertPythonRejects(notReady, "still being initialised");

        Path future = Files.copy(ring, dir.resolve("future.ring"));
        putInt(future, RingLayout.VERSION_OFFSET, RingLayout.VERSION + 1);
        assertPythonRejects(future, "ring format version 2");

        Path corrupt = Files.copy(ring, dir.resolve("corrupt.ring"));
        putInt(corrupt, RingLayout.WIDTH_OFFSET, 65);
        assertPythonRejects(corrupt, "corrupt header");
    }

    private static RingWriter replaceAfterOneFrame(RingWriter first, FrameFormat next) throws IOException {
        first.publish(ByteBuffer.allocate((int) first.format().frameBytes()), 0, System.nanoTime(), 0, true);
        return first.replace(next);
    }

    // ---- expectations computed on the Java side

    /** The frame's bytes laid out as docs/shm-format.md says for its pixel format. */
    private static byte[] frame(FrameFormat format, long seq, PixelPattern pattern) {
        byte[] out = new byte[Math.toIntExact(format.frameBytes())];
        int w = format.width();
        int h = format.height();
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        switch (format.pixelFormat()) {
            case BGR24, RGB24 -> {
                for (int r = 0; r < h; r++) {
                    for (int c = 0; c < w; c++) {
                        for (int k = 0; k < 3; k++) {
                            out[(r * w + c) * 3 + k] = (byte) pattern.value(seq, k, r, c);
                        }
                    }
                }
            }
            case GRAY8, YUV420P, NV12 -> {
                for (int r = 0; r < h; r++) {
                    for (int c = 0; c < w; c++) {
                        out[r * w + c] = (byte) pattern.value(seq, 0, r, c);
                    }
                }
                for (int r = 0; format.pixelFormat() != PixelFormat.GRAY8 && r < ch; r++) {
                    for (int c = 0; c < cw; c++) {
                        int u = pattern.value(seq, 1, r, c);
                        int v = pattern.value(seq, 2, r, c);
                        if (format.pixelFormat() == PixelFormat.YUV420P) {
                            out[w * h + r * cw + c] = (byte) u;
                            out[w * h + cw * ch + r * cw + c] = (byte) v;
                        } else {
                            out[w * h + (r * cw + c) * 2] = (byte) u;
                            out[w * h + (r * cw + c) * 2 + 1] = (byte) v;
                        }
                    }
                }
            }
        }
        return out;
    }

    /** CRC-32 of the whole payload, the mean of every channel or plane, and every channel at (row, col). */
    private static void assertFramePixels(Map<String, String> out, FrameFormat format, long seq, PixelPattern pattern,
                                          int row, int col) {
        CRC32 crc = new CRC32();
        crc.update(frame(format, seq, pattern));
        assertThat(num(out, "frame_crc32")).as("CRC-32 of the payload").isEqualTo(crc.getValue());

        boolean packed = format.pixelFormat().planes() == 1;
        int channels = format.pixelFormat() == PixelFormat.GRAY8 ? 1 : 3;
        List<Double> means = doubles(raw(out, "frame_mean"));
        assertThat(means).hasSize(channels);
        List<Long> pixel = new ArrayList<>();
        for (int k = 0; k < channels; k++) {
            boolean full = packed || k == 0;
            int h = full ? format.height() : (format.height() + 1) / 2;
            int w = full ? format.width() : (format.width() + 1) / 2;
            double sum = 0;
            for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                    sum += pattern.value(seq, k, r, c) & 0xFF;
                }
            }
            assertThat(means.get(k)).as("mean of channel %d", k).isCloseTo(sum / ((double) h * w), within(1e-6));
            pixel.add((long) (pattern.value(seq, k, full ? row : row / 2, full ? col : col / 2) & 0xFF));
        }
        assertThat(longs(raw(out, "frame_pixel"))).as("every channel at %d,%d", row, col).isEqualTo(pixel);
    }

    private static void putInt(Path file, int offset, int value) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value), offset);
        }
    }

    // ---- running the Python reader

    record Result(int exit, String stdout, String stderr) {
    }

    private static Map<String, String> readWithPython(Path ring, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), ring.toString(), "--json"));
        command.addAll(List.of(options));
        Result result = run(command);
        assertThat(result.exit()).as("exit status of %s; stderr: %s", command, result.stderr()).isZero();
        return parseFlatJson(result.stdout());
    }

    private static void assertPythonRejects(Path file, String message) throws Exception {
        Result result = run(List.of(PYTHON, script.toString(), file.toString(), "--json"));
        assertThat(result.exit()).as("exit status for %s; stdout: %s", file, result.stdout()).isEqualTo(2);
        assertThat(result.stderr()).contains(file.toString()).contains(message).doesNotContain("Traceback");
    }

    /** Runs a command to its end; the child is killed (by its pid) if it outlives the timeout or the test. */
    private static Result run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).start();
        try {
            process.getOutputStream().close();
            CompletableFuture<String> stdout = drain(process.getInputStream());
            CompletableFuture<String> stderr = drain(process.getErrorStream());
            if (!process.waitFor(PYTHON_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail("%s did not finish within %d s", command, PYTHON_TIMEOUT_SECONDS);
            }
            return new Result(process.exitValue(), stdout.get(PYTHON_TIMEOUT_SECONDS, TimeUnit.SECONDS),
                    stderr.get(PYTHON_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /** Reads a child's stream on its own thread, so that a full stderr pipe can never block its stdout. */
    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (in) {
                text.complete(new String(in.readAllBytes(), UTF_8));
            } catch (IOException | RuntimeException e) {
                text.completeExceptionally(e);
            }
        }, "python-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }

    // ---- the reader's --json output: one flat object, one "key": value per line (no JSON library needed)

    private static Map<String, String> parseFlatJson(String json) {
        String[] lines = json.strip().split("\n");
        assertThat(lines[0]).as("JSON output:%n%s", json).isEqualTo("{");
        assertThat(lines[lines.length - 1]).as("JSON output:%n%s", json).isEqualTo("}");
        Map<String, String> values = new LinkedHashMap<>();
        Pattern entry = Pattern.compile("^ \"([a-z0-9_]+)\": (.+?),?$");
        for (int i = 1; i < lines.length - 1; i++) {
            Matcher m = entry.matcher(lines[i]);
            assertThat(m.matches()).as("JSON line '%s'", lines[i]).isTrue();
            values.put(m.group(1), m.group(2));
        }
        return values;
    }

    private static String raw(Map<String, String> out, String key) {
        assertThat(out).as("keys printed by the Python reader").containsKey(key);
        return out.get(key);
    }

    private static long num(Map<String, String> out, String key) {
        return Long.parseLong(raw(out, key));
    }

    private static double dbl(Map<String, String> out, String key) {
        return Double.parseDouble(raw(out, key));
    }

    private static boolean bool(Map<String, String> out, String key) {
        assertThat(raw(out, key)).isIn("true", "false");
        return Boolean.parseBoolean(raw(out, key));
    }

    private static boolean isNull(Map<String, String> out, String key) {
        return raw(out, key).equals("null");
    }

    /** A JSON string value, unescaped (Python's json.dumps escapes every non-ASCII character as \\uXXXX). */
    private static String str(Map<String, String> out, String key) {
        String v = raw(out, key);
        assertThat(v).as("%s is a JSON string", key).startsWith("\"").endsWith("\"");
        StringBuilder s = new StringBuilder();
        for (int i = 1; i < v.length() - 1; i++) {
            char c = v.charAt(i);
            if (c != '\\') {
                s.append(c);
                continue;
            }
            char e = v.charAt(++i);
            switch (e) {
                case 'n' -> s.append('\n');
                case 't' -> s.append('\t');
                case 'r' -> s.append('\r');
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'u' -> {
                    s.append((char) Integer.parseInt(v.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> s.append(e); // \" \\ \/
            }
        }
        return s.toString();
    }

    private static List<Double> doubles(String jsonList) {
        return Stream.of(jsonList.replaceAll("[\\[\\]\\s]", "").split(",")).map(Double::valueOf).toList();
    }

    private static List<Long> longs(String jsonList) {
        return Stream.of(jsonList.replaceAll("[\\[\\]\\s]", "").split(",")).map(Long::valueOf).toList();
    }
}
