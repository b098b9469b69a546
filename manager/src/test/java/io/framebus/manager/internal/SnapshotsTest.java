package io.framebus.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotsTest {
    @TempDir
    Path dir;

    @Test
    void writesANewFileAndReplacesAnExistingOne() throws IOException {
        Path file = dir.resolve("snap.png");
        try (OutputStream out = Snapshots.open(file)) {
            out.write(new byte[] {1, 2, 3});
        }
        try (OutputStream out = Snapshots.open(file)) {
            out.write(new byte[] {4});
        }
        assertThat(Files.readAllBytes(file)).containsExactly(4);
    }

    @Test
    void neverWritesThroughASymbolicLink() throws IOException {
        Path victim = Files.writeString(dir.resolve("authorized_keys"), "keep me", StandardCharsets.UTF_8);
        Path link = Files.createSymbolicLink(dir.resolve("snap.png"), victim);
        assertThatThrownBy(() -> Snapshots.open(link).close()).isInstanceOf(IOException.class)
                .hasMessageContaining("symbolic link").hasMessageContaining("snap.png");
        assertThat(Files.readString(victim)).isEqualTo("keep me");

        // a dangling link would create its target
        Path dangling = Files.createSymbolicLink(dir.resolve("snap2.png"), dir.resolve("created-elsewhere"));
        assertThatThrownBy(() -> Snapshots.open(dangling).close()).hasMessageContaining("symbolic link");
        assertThat(dir.resolve("created-elsewhere")).doesNotExist();
    }

    @Test
    void refusesWhatIsNotARegularFile() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("snap.png"));
        assertThatThrownBy(() -> Snapshots.open(sub).close()).hasMessageContaining("not a regular file");
    }
}
