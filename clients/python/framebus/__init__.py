"""framebus: read camera frames from framebus shared-memory rings in Python (numpy).

    import framebus
    print(framebus.cameras())                      # ids of the rings in the default ring directory
    with framebus.open("front") as cam:            # by camera id, or by ring path
        for frame in cam.frames(timeout=5):        # waits cheaply; FrameTimeout after 5 s without a frame
            img = frame.bgr()                      # (h, w, 3) uint8
            ...

The ring format is docs/shm-format.md of the framebus repository.
"""

from ._errors import (CameraNotFoundError, CorruptRingError, FramebusError, FrameTimeout, LappedError,
                      NotARingError, RingFormatError, RingNotReadyError, RingTruncatedError, TornFrameError, UnsupportedVersionError)
from ._frame import Frame, FrameView
from ._layout import SUPPORTED_VERSIONS
from ._source import Source, Status, cameras, default_directory, open, ring_path

__version__ = "0.1.0"

__all__ = ["cameras", "open", "default_directory", "ring_path", "Source", "Status", "Frame", "FrameView",
           "FramebusError", "RingFormatError", "NotARingError", "RingNotReadyError", "UnsupportedVersionError",
           "RingTruncatedError", "CorruptRingError", "TornFrameError", "LappedError", "FrameTimeout", "CameraNotFoundError",
           "SUPPORTED_VERSIONS"]
