package io.framebus.capture;

import io.framebus.shm.RingError;

/** A source failed to open or to deliver, with the class of the failure for the ring header. */
final class SourceException extends Exception {
    private static final long serialVersionUID = 1L;

    private final RingError error;

    /** @param description what went wrong, in words; may contain a URL, which is masked before it leaves the process */
    SourceException(RingError error, String description) {
        super(description);
        this.error = error;
    }

    SourceException(RingError error, String description, Throwable cause) {
        super(description, cause);
        this.error = error;
    }

    RingError error() {
        return error;
    }
}
