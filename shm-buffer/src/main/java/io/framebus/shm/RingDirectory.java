package io.framebus.shm;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Where rings live, and housekeeping: the private directory, free space, stale rings of dead writers. */
public final class RingDirectory {
    /** File name suffix of ring files. */
    public static final String SUFFIX = ".ring";
    /** The wake-up socket of ring {@code name.ring} is {@code name.ring.wake} (docs/shm-format.md). */
    public static final String WAKE_SUFFIX = ".wake";

    /**
     * Between a camera id and an output name in the ring file of a camera's extra output:
     * {@code <id>~<output>.ring}. No camera id contains it ({@link #CAMERA_ID}), so no two cameras' files collide.
     */
    public static final String OUTPUT_SEPARATOR = "~";

    /** A camera id usable as a file name: letters, digits, dot, underscore, dash; no leading dot; 1..64. */
    public static final Pattern CAMERA_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private RingDirectory() {
    }

    /** The default ring directory: {@code /dev/shm/framebus-<user>} (the temp dir where /dev/shm is missing). */
    public static Path defaultDirectory() {
        Path shm = Paths.get("/dev/shm");
        Path base = Files.isDirectory(shm) ? shm : Paths.get(System.getProperty("java.io.tmpdir"));
        return base.resolve("framebus-" + System.getProperty("user.name", "user"));
    }

    /** The ring file of a camera in {@code dir}. */
    public static Path ringPath(Path dir, String cameraId) {
        if (!CAMERA_ID.matcher(cameraId).matches()) {
            throw new IllegalArgumentException("camera id '" + cameraId
                    + "' must be 1-64 characters of A-Z a-z 0-9 . _ - and not start with a dot");
        }
        return dir.resolve(cameraId + SUFFIX);
    }

    /** The wake-up socket of the ring at {@code ring}: the same name with {@value #WAKE_SUFFIX} appended. */
    public static Path wakeSocket(Path ring) {
        return ring.resolveSibling(ring.getFileName() + WAKE_SUFFIX);
    }

    /**
     * Removes a ring file and its wake-up socket (the socket first: a socket never outlives its ring). For the
     * supervisor of a writer that is gone or ends; a live writer removes its own with
     * {@link RingWriter#closeAndDelete()}.
     */
    public static void deleteRing(Path ring) throws IOException {
        Files.deleteIfExists(wakeSocket(ring));
        Files.deleteIfExists(ring);
    }

    /**
     * Creates {@code dir} with mode 0700 if it does not exist. An existing directory must belong to this user and
     * be accessible to nobody else: /dev/shm is world-writable, so another user could have created it first to
     * read or plant rings.
     */
    public static void ensure(Path dir) throws IOException {
        ensurePrivate(dir, "ring directory", "configure another ring directory");
    }

    /**
     * Makes {@code dir} a private directory of this user, or refuses it: created with mode 0700 when missing (and
     * chmod-ed again, since the umask may have removed bits), and when it exists, it must be a real directory (not
     * a symbolic link), belong to this user and be accessible to nobody else. For every directory under a
     * world-writable parent (/dev/shm, /tmp) whose contents a process trusts: rings, native libraries, the
     * class-data archive. Another local user who creates it first could otherwise read frames or plant code.
     *
     * @param what   what the directory is, for the message
     * @param remedy what a user can do instead, for the message
     * @throws IOException naming the directory and the problem
     */
    public static void ensurePrivate(Path dir, String what, String remedy) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.setPosixFilePermissions(dir, OWNER_ONLY); // the umask may have removed bits; never added any
            return;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(what + " " + dir + " is not a directory (a symbolic link or a file): refusing to "
                    + "use it (remove it or " + remedy + ")");
        }
        String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
        String me = System.getProperty("user.name");
        if (me != null && !owner.equals(me)) {
            throw new IOException(what + " " + dir + " belongs to " + owner + ", not to " + me
                    + ": refusing to use it (remove it or " + remedy + ")");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (!OWNER_ONLY.containsAll(perms)) {
            throw new IOException(what + " " + dir + " is accessible to other users ("
                    + PosixFilePermissions.toString(perms) + "); it must be rwx------");
        }
    }

    /** Free bytes in the file system of {@code dir}. */
    public static long usableBytes(Path dir) throws IOException {
        FileStore store = Files.getFileStore(dir);
        return store.getUsableSpace();
    }

    /**
     * Throws NO_SPACE unless {@code dir} can take {@code bytes} more. A ring being replaced frees its space only
     * after the new one exists, so the full size is needed.
     */
    static void requireSpace(Path dir, long bytes, Path target) throws RingFileException {
        long usable;
        try {
            usable = usableBytes(dir);
        } catch (IOException e) {
            return; // unknown: the zero-fill in RingWriter still turns a full disk into a clean error
        }
        if (usable < bytes) {
            throw new RingFileException(RingFileException.Problem.NO_SPACE, target,
                    "needs " + mib(bytes) + " but " + dir + " has only " + mib(usable) + " free"
                            + " (a smaller frame size or fewer ring slots fits; /dev/shm size is a mount option)");
        }
    }

    /** Ring files in {@code dir}. */
    public static List<Path> rings(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            ds.forEach(out::add);
        }
        return out;
    }

    /**
     * Deletes the rings in {@code dir} whose writer process is gone (or that are closed, replaced or not rings
     * at all), and leftover temporary files of writers that died while creating one; and the wake-up sockets of
     * the rings deleted or gone.
     *
     * @return the ring and temporary files deleted (not the sockets)
     */
    public static List<Path> removeStale(Path dir) throws IOException {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                boolean stale;
                if (name.endsWith(SUFFIX)) {
                    stale = isStale(p);
                    if (stale) {
                        Files.deleteIfExists(wakeSocket(p));
                    }
                } else if (name.endsWith(SUFFIX + WAKE_SUFFIX)) {
                    // a killed writer's socket (a live writer's ring is in place before its socket is bound);
                    // removed, not listed: it goes with its ring
                    Path ring = p.resolveSibling(name.substring(0, name.length() - WAKE_SUFFIX.length()));
                    if (!Files.exists(ring) || isStale(ring)) {
                        Files.deleteIfExists(p);
                    }
                    continue;
                } else if (name.contains(SUFFIX + ".") && name.endsWith(".tmp")) {
                    stale = !pidAlive(name);
                } else {
                    continue;
                }
                if (stale && Files.deleteIfExists(p)) {
                    removed.add(p);
                }
            }
        }
        return removed;
    }

    /** True when the ring at {@code path} has no live writer: closed, replaced, dead or reused pid, or not a ring. */
    public static boolean isStale(Path path) throws IOException {
        try (RingReader r = RingReader.openForWriter(path)) {
            RingStatus s = r.status();
            return s.closed() || s.replaced() || !r.writerAlive();
        } catch (RingFileException notARing) {
            // a writer renames complete files into place, so a half-initialised or truncated ring at the final path
            // is debris; a newer format version may belong to a live newer writer and is left alone
            return notARing.problem() != RingFileException.Problem.NOT_READY
                    && notARing.problem() != RingFileException.Problem.UNSUPPORTED_VERSION;
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    static boolean writerAlive(long pid, long startMillis) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .map(p -> sameStart(startMillis, startMillis(p)))
                .orElse(false);
    }

    /**
     * Whether two start times computed for one pid name the same process. On Linux a JVM computes them as its boot
     * time (whole seconds, read once per JVM, and moved by every step of the wall clock) plus the process's start
     * tick, so the same process can give values a whole number of seconds apart in two JVMs; the part below the
     * second comes from the tick and never moves. 0 means unknown: the pid alone decides.
     */
    static boolean sameStart(long recorded, long current) {
        return recorded == 0 || current == 0 || Math.floorMod(recorded - current, 1000L) == 0;
    }

    static long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    private static boolean pidAlive(String tmpName) {
        // <id>.ring.<pid>.tmp
        String[] parts = tmpName.split("\\.");
        try {
            long pid = Long.parseLong(parts[parts.length - 2]);
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
