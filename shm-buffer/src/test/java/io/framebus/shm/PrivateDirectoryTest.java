package io.framebus.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RingDirectory#ensurePrivate}: what another local user could have prepared is refused. */
class PrivateDirectoryTest {
    private Path base;

    @BeforeEach
    void setUp() {
        base = TestRings.newRingDirectory();
    }

    @AfterEach
    void tearDown() {
        TestRings.deleteRecursively(base);
    }

    @Test
    void aMissingDirectoryIsCreatedOwnerOnlyWhateverTheUmask() throws Exception {
        Path dir = base.resolve("a/b");
        RingDirectory.ensurePrivate(dir, "cache", "use another");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        RingDirectory.ensurePrivate(dir, "cache", "use another"); // and accepted as it is the next time
    }

    @Test
    void aSymbolicLinkIsRefusedEvenToOwnDirectory() throws Exception {
        Path target = Files.createDirectory(base.resolve("target"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path link = Files.createSymbolicLink(base.resolve("link"), target);
        assertThatThrownBy(() -> RingDirectory.ensurePrivate(link, "native library cache", "set nativeCacheDirectory"))
                .hasMessageContaining("native library cache " + link).hasMessageContaining("symbolic link");
    }

    @Test
    void aDirectoryOpenToOthersIsRefused() throws Exception {
        Path open = Files.createDirectory(base.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> RingDirectory.ensurePrivate(open, "cache", "use another"))
                .hasMessageContaining("accessible to other users").hasMessageContaining("rwxrwxrwx");
    }

    @Test
    void anotherUsersDirectoryIsRefused() throws Exception {
        Path theirs = Files.createDirectory(base.resolve("theirs"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "only root can give a directory away");
        Files.setOwner(theirs, theirs.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertThatThrownBy(() -> RingDirectory.ensurePrivate(theirs, "cache", "use another"))
                .hasMessageContaining("belongs to nobody");
    }
}
