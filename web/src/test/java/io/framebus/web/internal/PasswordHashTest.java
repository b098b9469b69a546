package io.framebus.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PasswordHashTest {
    @Test
    void aHashMatchesItsPasswordOnly() {
        String stored = PasswordHash.create("correct horse".toCharArray(), 20_000);
        assertThat(stored).startsWith("pbkdf2-sha256:20000:").doesNotContain("correct horse");
        PasswordHash hash = PasswordHash.parse(stored);
        assertThat(hash.matches("correct horse".toCharArray())).isTrue();
        assertThat(hash.matches("correct horsE".toCharArray())).isFalse();
        assertThat(hash.matches(new char[0])).isFalse();
        assertThat(PasswordHash.create("correct horse".toCharArray(), 20_000)).as("salted").isNotEqualTo(stored);
    }

    @Test
    void malformedHashesAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> PasswordHash.parse("hunter22"))
                .hasMessageContaining("pbkdf2-sha256:<iterations>:<salt>:<hash>").hasMessageNotContaining("hunter22");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256:x:AAAA:AAAA")).hasMessageContaining("iteration");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256:100:AAAAAAAAAAAAAAAAAAAAAA==:"
                + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")).hasMessageContaining(">= 10000 iterations");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256:20000:%%:%%")).hasMessageContaining("Base64");
    }

    @Test
    void theCommandReadsThePasswordFromStdinAndPrintsAHashThatMatches() throws Exception {
        // the documented way: java -cp <web bundle jar> io.framebus.web.internal.PasswordHash
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                PasswordHash.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().write("from stdin\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(PasswordHash.parse(out).matches("from stdin".toCharArray())).isTrue();
        assertThat(out).startsWith("pbkdf2-sha256:" + PasswordHash.ITERATIONS + ":");

        Process withArg = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                PasswordHash.class.getName(), "on-the-command-line").redirectErrorStream(true)
                .redirectInput(new File("/dev/null")).start();
        String refusal = new String(withArg.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(withArg.waitFor()).isEqualTo(2);
        assertThat(refusal).contains("never from arguments");
    }
}
