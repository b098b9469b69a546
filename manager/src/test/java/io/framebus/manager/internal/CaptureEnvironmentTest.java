package io.framebus.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** A capture process inherits only the runtime's harmless environment: no $[env:NAME] secret. */
class CaptureEnvironmentTest {

    @Test
    void onlyTheAllowedVariablesReachACaptureProcess() throws Exception {
        Set<String> dropped = System.getenv().keySet().stream()
                .filter(k -> !CaptureProcess.CHILD_ENVIRONMENT.contains(k) && !k.startsWith("LC_"))
                .collect(Collectors.toSet());
        Assumptions.assumeFalse(dropped.isEmpty(), "the test JVM has no variable that should be dropped");
        Path dir = Files.createTempDirectory("framebus-test-env-");
        try {
            // a stand-in "java" that writes its environment and exits
            Path out = dir.resolve("env.txt");
            Path java = Files.writeString(dir.resolve("java"), "#!/bin/sh\nenv > '" + out + "'\n");
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
            Process p = CaptureProcess.launch(java, List.of(), "-Dframebus.camera=env", dir);
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            Map<String, String> seen = Files.readAllLines(out).stream().filter(l -> l.contains("="))
                    .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1),
                            (a, b) -> a));
            seen.keySet().removeIf(k -> k.equals("PWD") || k.equals("SHLVL") || k.equals("_")); // the shell's own
            assertThat(seen.keySet()).allSatisfy(k -> assertThat(CaptureProcess.CHILD_ENVIRONMENT.contains(k)
                    || k.startsWith("LC_")).as(k).isTrue());
            assertThat(seen.keySet()).doesNotContainAnyElementsOf(dropped);
            if (System.getenv("PATH") != null) {
                assertThat(seen).containsEntry("PATH", System.getenv("PATH"));
            }
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
