#!/usr/bin/env python3
"""Command line reader of framebus ring files: a thin shim over the `framebus` package in clients/python.

    python3 tools/python/framebus_ring.py /dev/shm/framebus-$USER/front.ring --status --latest --json

Runs from a checkout without installing anything (the package is imported from ../../clients/python when it is not
installed); `pip install ./clients/python` gives the same tool as `python3 -m framebus` and `framebus-ring`.
"""

import os
import sys

try:
    import framebus  # noqa: F401  (installed)
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "clients", "python"))

from framebus.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(prog="framebus_ring"))
