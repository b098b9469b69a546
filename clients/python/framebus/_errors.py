"""Exceptions of the framebus client. Every message names the file and what is wrong with it."""


class FramebusError(Exception):
    """Base class of every error this package raises on purpose."""


class RingFormatError(FramebusError):
    """The file is not a readable ring (base class of the more precise errors below)."""

    def __init__(self, path, message):
        super().__init__(f"{path}: {message}")
        self.path = path


class NotARingError(RingFormatError):
    """Not a framebus ring at all (wrong magic, not a regular file), or a corrupt header."""


class RingNotReadyError(RingFormatError):
    """The writer is still initialising the file (version 0): retry later."""


class UnsupportedVersionError(RingFormatError):
    """A ring format version this reader does not understand (written by a newer or older framebus)."""

    def __init__(self, path, message, version):
        super().__init__(path, message)
        self.version = version


class RingTruncatedError(RingFormatError):
    """The file is shorter than its header says; also raised when it shrinks under a reader."""


class CorruptRingError(RingFormatError):
    """The header or a slot holds values no writer writes (e.g. a slot whose length is not the frame size)."""


class TornFrameError(FramebusError):
    """A zero-copy view was overwritten by the writer while the consumer used it: discard what was computed."""


class LappedError(FramebusError):
    """Every attempt to copy a frame was overwritten by the writer before it was complete (a writer far faster
    than this reader, with few slots): no frame this time; the next call may get one. Never a torn frame."""


class FrameTimeout(FramebusError, TimeoutError):
    """No new frame arrived within the timeout."""


class CameraNotFoundError(FramebusError, FileNotFoundError):
    """No ring file for this camera (id) or at this path."""
