package io.framebus.manager.internal;

import io.framebus.shm.RingDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.osgi.service.log.Logger;

/**
 * Where the capture processes' code comes from, checked before it is trusted: the java executable, the capture
 * program's folder, and the directory where JavaCPP unpacks FFmpeg's native libraries (and the class-data archive
 * lives). Each of them runs as the service user, so none may be changeable by another local user.
 */
final class CaptureInstallation {
    private CaptureInstallation() {
    }

    /** The configured java if it is safe, else (logged) the running JVM's. */
    static Path java(String configured, Logger log) {
        Path own = Paths.get(System.getProperty("java.home"), "bin", "java");
        if (configured == null || configured.isBlank()) {
            return own;
        }
        Path java = Paths.get(configured.trim());
        String problem = !java.isAbsolute() ? "is not an absolute path"
                : !java.getFileName().toString().equals("java") ? "is not named java"
                : !Files.isRegularFile(java) || !Files.isExecutable(java) ? "is not an executable file"
                : writableByOthers(java);
        if (problem != null) {
            log.error("javaExecutable {} {}; capture processes use {} instead", java, problem, own);
            return own;
        }
        return java;
    }

    /**
     * Where JavaCPP unpacks FFmpeg for the capture processes.
     *
     * @param temporary made for this run only (the configured one could not be trusted): remove it at the end
     */
    record NativeCache(Path dir, boolean temporary) {
    }

    /**
     * The native library cache: the configured directory or {@code <tmpdir>/framebus-javacpp-<user>}, made private
     * ({@link RingDirectory#ensurePrivate}). A directory of this user that only lacked the mode (made by an older
     * version with the umask's 0755: nobody else could write into it) is narrowed to 0700. When it cannot be trusted
     * (another user's, a symbolic link, writable by others), a new private temporary directory is used for the run,
     * and the reason logged.
     */
    static NativeCache nativeCache(String configured, Logger log) throws IOException {
        Path cache = configured == null || configured.isBlank()
                ? Paths.get(System.getProperty("java.io.tmpdir"), "framebus-javacpp-" + System.getProperty("user.name"))
                : Paths.get(configured.trim()).toAbsolutePath();
        try {
            narrowOwnDirectory(cache);
            RingDirectory.ensurePrivate(cache, "native library cache", "set nativeCacheDirectory in io.framebus.manager");
            return new NativeCache(cache, false);
        } catch (IOException e) {
            Path fresh = Files.createTempDirectory("framebus-javacpp-"); // 0700 by the JDK
            log.error("{}; using {} for this run", e.getMessage(), fresh);
            return new NativeCache(fresh, true);
        }
    }

    private static void narrowOwnDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                || !Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"))) {
            return;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (!perms.contains(PosixFilePermission.GROUP_WRITE) && !perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }

    /**
     * Why {@code path} (or a directory above it up to the root) could be changed by another user, or null. Sticky
     * world-writable directories such as /tmp are fine for the directories above, as for any file a user owns in them.
     */
    static String writableByOthers(Path path) {
        try {
            for (Path p = path; p != null; p = p.getParent()) {
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                boolean others = perms.contains(PosixFilePermission.GROUP_WRITE)
                        || perms.contains(PosixFilePermission.OTHERS_WRITE);
                if (others && (p.equals(path) || !sticky(p))) {
                    return "is writable by other users (" + p + " is "
                            + java.nio.file.attribute.PosixFilePermissions.toString(perms) + ")";
                }
            }
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return null; // no POSIX permissions to check on this file system
        }
    }

    private static boolean sticky(Path dir) {
        try {
            Object mode = Files.getAttribute(dir, "unix:mode");
            return mode instanceof Integer m && (m & 01000) != 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
