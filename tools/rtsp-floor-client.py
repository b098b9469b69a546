#!/usr/bin/python3
"""The latency floor: a minimal RTSP client that decodes each frame as soon as its last packet has arrived.

framebus's source-to-consumer latency benchmark runs it side by side with a capture process on the same
stream of tools/rtsp-test-server.py --timecode, so that what the capture path adds can be told from what the
server, the network and decoding cost anyway. The pipeline is GStreamer's, from Debian:

    rtspsrc latency=0 protocols=tcp ! rtph264depay ! avdec_h264 max-threads=1 ! appsink
    (rtph265depay ! avdec_h265 for --codec h265)

The depayloader hands the decoder one access unit when the RTP packet with the marker bit arrives, the decoder
runs without frame threads (which would hold frames back), and the sink takes every frame at once (no clock).

For every decoded frame it prints one line on stdout, taken as the sample reaches the sink:

    FRAME <time code in microseconds> <CLOCK_MONOTONIC nanoseconds when the frame arrived>

(the time code is read from the picture as io.framebus.benchmarks.Timecode does; -1 when it cannot be read).
It prints "READY" once the pipeline plays. It ends on SIGTERM/SIGINT, or when stdin is closed (--exit-on-eof).
Needs python3-gi, gstreamer1.0-plugins-{base,good,bad} and gstreamer1.0-libav; run it with /usr/bin/python3.

    /usr/bin/python3 tools/rtsp-floor-client.py --url rtsp://127.0.0.1:8554/test --width 1280 --exit-on-eof
"""

import argparse
import signal
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

import numpy as np  # noqa: E402

BLOCKS = 64
VALUE_BITS = 48


def crc8(data):
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def decode_timecode(luma, width):
    """The time code of a frame (see tools/rtsp-test-server.py), or -1."""
    bw = max(8, width // BLOCKS)
    bh = max(16, 2 * bw)
    if bw * BLOCKS > width or 2 * bh > luma.shape[0]:
        return -1
    row = luma[bh + bh // 4:bh + bh // 4 + bh // 2, :bw * (BLOCKS - 4)].astype(np.float32)
    cols = row.reshape(row.shape[0], BLOCKS - 4, bw)[:, :, bw // 4:bw // 4 + bw // 2]
    level = cols.mean(axis=(0, 2))
    last = len(level) - 1
    white = (level[0] + level[last]) / 2
    black = (level[1] + level[last - 1]) / 2
    if white - black < 64:
        return -1
    threshold = (white + black) / 2
    bits = level >= threshold
    if not bits[0] or bits[1] or bits[last - 1] or not bits[last]:
        return -1
    value = 0
    for i in range(VALUE_BITS):
        value = (value << 1) | int(bits[2 + i])
    check = 0
    for i in range(8):
        check = (check << 1) | int(bits[2 + VALUE_BITS + i])
    return value if check == crc8(value.to_bytes(VALUE_BITS // 8, "big")) else -1


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True)
    p.add_argument("--codec", choices=("h264", "h265"), default="h264")
    p.add_argument("--width", type=int, required=True, help="frame width (to find the time code row)")
    p.add_argument("--height", type=int, required=True)
    p.add_argument("--exit-on-eof", action="store_true", help="exit when stdin is closed")
    a = p.parse_args(argv)

    Gst.init(None)
    codec = "h265" if a.codec == "h265" else "h264"
    pipeline = Gst.parse_launch(
        "rtspsrc name=src latency=0 protocols=tcp ! rtp{c}depay ! avdec_{c} max-threads=1 "
        "! video/x-raw,format=I420 ! appsink name=sink emit-signals=true sync=false max-buffers=4 drop=false"
        .format(c=codec))
    pipeline.get_by_name("src").set_property("location", a.url)
    sink = pipeline.get_by_name("sink")
    stride = (a.width + 3) // 4 * 4  # GStreamer's default I420 luma stride
    out = sys.stdout
    lock = threading.Lock()

    def on_sample(appsink):
        arrived = time.monotonic_ns()
        sample = appsink.emit("pull-sample")
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if not ok:
            return Gst.FlowReturn.OK
        try:
            luma = np.frombuffer(info.data, dtype=np.uint8, count=stride * a.height).reshape(a.height, stride)
            micros = decode_timecode(luma[:, :a.width], a.width)
        finally:
            buf.unmap(info)
        with lock:
            out.write("FRAME %d %d\n" % (micros, arrived))
            out.flush()
        return Gst.FlowReturn.OK

    sink.connect("new-sample", on_sample)
    loop = GLib.MainLoop()

    def on_message(_bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            print("floor client error: %s (%s)" % (err, dbg), file=sys.stderr, flush=True)
            loop.quit()
        elif msg.type == Gst.MessageType.EOS:
            loop.quit()

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)

    def stop(*_):
        loop.quit()

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, stop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, stop)
    if a.exit_on_eof:
        def watch_stdin():
            sys.stdin.buffer.read()
            GLib.idle_add(stop)
        threading.Thread(target=watch_stdin, daemon=True).start()

    pipeline.set_state(Gst.State.PLAYING)
    with lock:
        out.write("READY\n")
        out.flush()
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
