package io.framebus.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.log.Logger;

/** What capture processes run is never something another local user could have planted. */
class CaptureInstallationTest {
    private final List<String> errors = new ArrayList<>();
    private final Logger log = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
            (proxy, method, args) -> {
                if (method.getName().equals("error")) {
                    errors.add(java.util.Arrays.deepToString(args));
                }
                return method.getReturnType() == boolean.class ? false : null;
            });
    private Path base;
    private final List<Path> made = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        base = Files.createTempDirectory("framebus-test-install-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
    }

    @AfterEach
    void tearDown() throws Exception {
        made.add(base);
        for (Path p : made) {
            if (Files.exists(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    @Test
    void aPlantedCacheOfAnotherUserIsNotUsed() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a directory away");
        Path planted = Files.createDirectory(base.resolve("cache"));
        Files.writeString(planted.resolve("libavcodec.so"), "not really FFmpeg");
        Files.setOwner(planted, planted.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        CaptureInstallation.NativeCache fallback = CaptureInstallation.nativeCache(planted.toString(), log);
        assertThat(fallback.temporary()).isTrue();
        Path used = fallback.dir();
        made.add(used);
        assertThat(used).isNotEqualTo(planted);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(used))).isEqualTo("rwx------");
        assertThat(errors).anySatisfy(e -> assertThat(e).contains("belongs to nobody"));
    }

    @Test
    void aNewCacheIsPrivate() throws Exception {
        Path cache = base.resolve("new-cache");
        assertThat(CaptureInstallation.nativeCache(cache.toString(), log))
                .isEqualTo(new CaptureInstallation.NativeCache(cache, false));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rwx------");
        // an own cache an older version made with the umask (0755) is narrowed, not replaced
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(CaptureInstallation.nativeCache(cache.toString(), log).dir()).isEqualTo(cache);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rwx------");
        // one that others could write into is not trusted
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        CaptureInstallation.NativeCache replaced = CaptureInstallation.nativeCache(cache.toString(), log);
        made.add(replaced.dir());
        assertThat(replaced.temporary()).isTrue();
        assertThat(errors).hasSize(1);
    }

    @Test
    void onlyASafeJavaExecutableIsTaken() throws Exception {
        Path own = Paths.get(System.getProperty("java.home"), "bin", "java");
        assertThat(CaptureInstallation.java("", log)).isEqualTo(own);
        assertThat(CaptureInstallation.java("bin/java", log)).as("relative").isEqualTo(own);
        Path script = Files.writeString(base.resolve("evil.sh"), "#!/bin/sh\nid\n");
        script.toFile().setExecutable(true);
        assertThat(CaptureInstallation.java(script.toString(), log)).as("not named java").isEqualTo(own);
        Path dir = Files.createDirectory(base.resolve("jdk"));
        Path fake = Files.writeString(dir.resolve("java"), "#!/bin/sh\nid\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(CaptureInstallation.java(fake.toString(), log)).as("writable by others").isEqualTo(own);
        assertThat(errors).hasSize(3);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        assertThat(CaptureInstallation.java(fake.toString(), log)).isEqualTo(fake);
    }

    @Test
    void aCaptureHomeOthersCanChangeIsReported() throws Exception {
        Path home = Files.createDirectory(base.resolve("capture"));
        assertThat(CaptureInstallation.writableByOthers(home)).isNull();
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(CaptureInstallation.writableByOthers(home)).contains("writable by other users");
    }
}
