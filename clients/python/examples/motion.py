#!/usr/bin/env python3
"""A detector-style consumer: watches several cameras at once and prints simple motion events.

    python3 motion.py                      # every camera in the ring directory
    python3 motion.py front back --threshold 4 --duration 60

One asyncio task per camera; each waits for frames with `async for frame in cam.aframes(...)` (cheap: a waiting
camera costs next to no CPU), turns the frame into a small grey image and compares it with the previous one. Motion
= mean absolute difference above the threshold (0..255). A camera that stops sending is reported with the reason
its ring gives (writer gone, reconnecting, last error), and picked up again when its capture process restarts.
"""

import argparse
import asyncio
import sys
import time

import numpy as np

try:
    import framebus
except ImportError:  # run from a checkout without installing
    import os
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import framebus


def small_gray(frame, step=4):
    """Luma, every `step`-th pixel: cheap, and enough to see motion."""
    return frame.gray()[::step, ::step].astype(np.int16)


async def watch(name, directory, threshold, stop_at):
    cam = None
    while cam is None:
        try:
            cam = framebus.open(name, directory)
        except framebus.CameraNotFoundError:
            print(f"{name}: no ring yet, waiting", flush=True)
            await asyncio.sleep(1)
    previous, moving = None, False
    with cam:
        while time.monotonic() < stop_at:
            try:
                frame = await cam.anext(timeout=min(5.0, max(0.1, stop_at - time.monotonic())))
            except framebus.FrameTimeout:
                if time.monotonic() < stop_at:
                    s = cam.status()
                    why = ", ".join(s.stale_reasons) or s.state
                    print(f"{name}: no frames for 5 s ({why}; last error {s.error}: {s.error_text or '-'})",
                          flush=True)
                continue
            except framebus.FramebusError as e:  # e.g. a corrupt or truncated file at the path
                print(f"{name}: {e}", flush=True)
                await asyncio.sleep(1)
                continue
            img = small_gray(frame)
            if previous is not None and previous.shape == img.shape:
                score = float(np.abs(img - previous).mean())
                if score > threshold and not moving:
                    print(f"{name}: motion started, score {score:.1f}, frame {frame.sequence}, "
                          f"{time.strftime('%H:%M:%S', time.localtime(frame.timestamp))}, "
                          f"age {frame.age() * 1000:.0f} ms", flush=True)
                elif score <= threshold and moving:
                    print(f"{name}: motion ended, frame {frame.sequence}", flush=True)
                moving = score > threshold
            previous = img


async def main_async(args):
    names = args.cameras or framebus.cameras(args.dir)
    if not names:
        print(f"no cameras in {args.dir or framebus.default_directory()}", file=sys.stderr)
        return 1
    print(f"watching {', '.join(names)}", flush=True)
    stop_at = time.monotonic() + (args.duration if args.duration else float("inf"))
    await asyncio.gather(*(watch(n, args.dir, args.threshold, stop_at) for n in names))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("cameras", nargs="*", help="camera ids or ring paths (default: every camera in the directory)")
    p.add_argument("--dir", help="ring directory (default: $FRAMEBUS_RING_DIR or /dev/shm/framebus-$USER)")
    p.add_argument("--threshold", type=float, default=3.0, help="mean absolute grey difference that is motion")
    p.add_argument("--duration", type=float, default=0, help="stop after this many seconds (default: never)")
    try:
        return asyncio.run(main_async(p.parse_args()))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
