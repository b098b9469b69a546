package io.framebus.shm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One writer JVM publishing as fast as it can into a 4-slot ring, two reader JVMs reading it concurrently: over
 * millions of reads no torn frame may be accepted, and the readers must have been lapped (the writer is faster),
 * which shows that the lap path is exercised.
 */
class RingStressIT {
    private static final long READS_PER_READER = Long.getLong("framebus.stress.reads", 1_500_000);

    private Path dir;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        dir = TestRings.newRingDirectory();
    }

    @AfterEach
    void tearDown() {
        processes.forEach(Process::destroyForcibly);
        TestRings.deleteRecursively(dir);
    }

    @Test
    void noTornFrameIsEverAccepted() throws Exception {
        Path ring = dir.resolve("stress.ring");
        Path stop = dir.resolve("stop");
        Process writer = jvm(StressWriter.class, ring.toString(), stop.toString(), "128", "64", "4");
        BufferedReader writerOut = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
        assertThat(writerOut.readLine()).isEqualTo("READY");

        Process a = jvm(StressReader.class, ring.toString(), Long.toString(READS_PER_READER));
        Process b = jvm(StressReader.class, ring.toString(), Long.toString(READS_PER_READER));
        Map<String, Long> ra = result(a);
        Map<String, Long> rb = result(b);
        Files.createFile(stop);
        assertThat(writer.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String published = writerOut.readLine();

        System.out.println("reader a " + ra + ", reader b " + rb + ", writer " + published);
        for (Map<String, Long> r : List.of(ra, rb)) {
            assertThat(r.get("reads")).isEqualTo(READS_PER_READER);
            assertThat(r.get("torn")).as("torn frames accepted").isZero();
            assertThat(r.get("accepted")).as("most reads return a frame").isGreaterThan(READS_PER_READER / 2);
        }
        assertThat(ra.get("laps") + rb.get("laps")).as("laps counted").isPositive();
        assertThat(published).startsWith("published=");
    }

    private Process jvm(Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        processes.add(p);
        return p;
    }

    private static Map<String, Long> result(Process p) throws Exception {
        Map<String, Long> out = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] kv = line.split("=", 2);
                out.put(kv[0], Long.parseLong(kv[1].trim()));
            }
        }
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).isZero();
        return out;
    }
}
