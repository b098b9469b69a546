package io.framebus.shm;

import java.io.IOException;
import java.nio.file.Path;

/** A ring file cannot be created or opened; {@link #problem()} says why, the message says it to a person. */
public final class RingFileException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the file. */
    public enum Problem {
        /** The file does not start with the ring magic number. */
        NOT_A_RING,
        /** The file is shorter than its header says. */
        TRUNCATED,
        /** The file was written by another format version. */
        UNSUPPORTED_VERSION,
        /** The writer has not finished initialising the file. */
        NOT_READY,
        /** The ring directory lacks the space for the ring. */
        NO_SPACE,
        /** Parameters that cannot make a ring (slot count, frame size). */
        INVALID_GEOMETRY
    }

    private final Problem problem;
    private final transient Path path;

    public RingFileException(Problem problem, Path path, String message) {
        super(path + ": " + message);
        this.problem = problem;
        this.path = path;
    }

    public Problem problem() {
        return problem;
    }

    public Path path() {
        return path;
    }
}
