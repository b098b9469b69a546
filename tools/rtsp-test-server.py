#!/usr/bin/python3
"""A live H.264 (or H.265) RTSP test camera on 127.0.0.1, built on GStreamer's RTSP server.

framebus's tests and benchmarks start it to have a real RTSP source: videotestsrc (live, at the given
frame rate) encoded by x264 (x265 with --codec h265) with zero-latency settings and a key frame every
second, optionally behind HTTP basic authentication.

Run it with Debian's interpreter, /usr/bin/python3: it needs the gi bindings from the packages
python3-gi, gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-{base,good,ugly,bad} (a pyenv or venv
python on PATH usually lacks them).

    /usr/bin/python3 tools/rtsp-test-server.py --port 8554 --path /cam --width 1280 --height 720 --fps 25

It prints "READY <port>" on stdout once it accepts connections (and nothing else on stdout), so a
harness can wait for that line. It runs until it gets SIGTERM or SIGINT, or until its stdin is closed
when --exit-on-eof is given (no orphan server when the harness dies).

With --timecode the frames come from an appsrc fed by this script instead of videotestsrc: a mid-grey
picture with one row of TIMECODE_BLOCKS black/white blocks near the top that carries, in binary, the
host's CLOCK_MONOTONIC time in microseconds (time.monotonic_ns() // 1000, the clock of Java's
System.nanoTime() on Linux) taken when the frame was produced, just before it is handed to the encoder.
Frames are produced at the real rate (never ahead). Layout of the row, left to right, each block
width // 64 pixels wide (at least 8) and twice that high (at least 16), starting at y = block height:

    white, black (guard) | 48 bits of the value, most significant first | CRC-8 (poly 0x07) of the
    value's 6 bytes, big-endian | black, white (guard) | 4 unused grey blocks

A white block means 1. Luma: black 16, grey 128, white 235 (video range). The reader is
io.framebus.benchmarks.Timecode in benchmarks/.

The server's RTCP sender reports map RTP timestamps to the host's wall clock (NTP). With --ntp-offset-ms N they
use a clock N ms ahead instead (a camera whose clock is off), to check a client's RTCP mapping.
"""

import argparse
import signal
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gio, GLib, GObject, Gst, GstRtspServer  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--address", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, required=True, help="TCP port of the RTSP server")
    p.add_argument("--path", default="/test", help="mount path of the stream (default /test)")
    p.add_argument("--width", type=int, default=640)
    p.add_argument("--height", type=int, default=480)
    p.add_argument("--fps", type=int, default=25, help="frames per second (integer)")
    p.add_argument("--pattern", default="smpte",
                   help="videotestsrc pattern: smpte, ball, black, white, red, green, blue, snow, ... (default smpte)")
    p.add_argument("--keyint", type=int, default=0,
                   help="frames between key frames (default: --fps, i.e. one key frame per second)")
    p.add_argument("--bitrate", type=int, default=0, help="encoder bitrate in kbit/s (default: the encoder's)")
    p.add_argument("--codec", choices=("h264", "h265"), default="h264",
                   help="h264 (x264enc, default) or h265 (x265enc from gstreamer1.0-plugins-bad)")
    p.add_argument("--slices", type=int, default=0, help="slices per frame (default: the encoder's, one)")
    p.add_argument("--ntp-offset-ms", type=int, default=None,
                   help="the camera's clock in its RTCP sender reports runs this many ms ahead of the host's "
                        "(negative: behind); without it the reports carry the host's wall clock")
    p.add_argument("--user", help="require HTTP basic authentication with this user")
    p.add_argument("--password", default="", help="password of --user")
    p.add_argument("--tls-cert", metavar="FILE",
                   help="serve RTSP over TLS (rtsps://) with this PEM certificate (needs --tls-key)")
    p.add_argument("--tls-key", metavar="FILE", help="PEM private key of --tls-cert")
    p.add_argument("--exit-on-eof", action="store_true", help="exit when stdin is closed")
    p.add_argument("--timecode", action="store_true",
                   help="frames carry the monotonic time they were produced at, burned into the pixels "
                        "(replaces --pattern; see the module documentation)")
    a = p.parse_args(argv)
    if (a.tls_cert is None) != (a.tls_key is None):
        p.error("--tls-cert and --tls-key go together")
    return a


def encoder_and_payloader(a):
    """The encoder and RTP payloader of the stream, both with zero-latency settings."""
    keyint = a.keyint if a.keyint > 0 else a.fps
    bitrate = " bitrate=%d" % a.bitrate if a.bitrate > 0 else ""
    slices = " option-string=slices=%d" % a.slices if a.slices > 1 else ""
    # tune=zerolatency and ultrafast keep the encoder from buffering frames (no lookahead, no B-frames);
    # config-interval=1 repeats the parameter sets so a client that joins mid-stream can decode the next key frame.
    if a.codec == "h265":
        return ("x265enc tune=zerolatency speed-preset=ultrafast key-int-max={keyint}{bitrate}{slices} "
                "! rtph265pay name=pay0 pt=96 config-interval=1").format(keyint=keyint, bitrate=bitrate,
                                                                          slices=slices)
    return ("x264enc tune=zerolatency speed-preset=ultrafast key-int-max={keyint}{bitrate}{slices} "
            "! rtph264pay name=pay0 pt=96 config-interval=1").format(keyint=keyint, bitrate=bitrate, slices=slices)


def launch_line(a):
    # is-live makes videotestsrc produce at the frame rate, like a camera
    return ("( videotestsrc is-live=true pattern={pattern} "
            "! video/x-raw,width={w},height={h},framerate={fps}/1 "
            "! {encode} )").format(pattern=a.pattern, w=a.width, h=a.height, fps=a.fps,
                                   encode=encoder_and_payloader(a))


TIMECODE_BLOCKS = 64
TIMECODE_BITS = 48


def crc8(data):
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def timecode_bits(micros):
    """The 64 block values (1 white, 0 black, None grey) of one timecode row."""
    value = micros & ((1 << TIMECODE_BITS) - 1)
    bits = [1, 0]
    bits += [(value >> (TIMECODE_BITS - 1 - i)) & 1 for i in range(TIMECODE_BITS)]
    check = crc8(value.to_bytes(TIMECODE_BITS // 8, "big"))
    bits += [(check >> (7 - i)) & 1 for i in range(8)]
    bits += [0, 1]
    bits += [None] * (TIMECODE_BLOCKS - len(bits))
    return bits


def timecode_launch_line(a):
    # the same encoder and payloader as launch_line(); appsrc is live and stamps each buffer with the
    # pipeline's running time when it is pushed, so pacing comes from this script's producer thread
    return ("( appsrc name=timecodesrc is-live=true do-timestamp=true format=time block=false "
            "max-buffers=2 leaky-type=downstream "
            "max-bytes={maxbytes} caps=video/x-raw,format=I420,width={w},height={h},framerate={fps}/1 "
            "! {encode} )").format(
        w=a.width, h=a.height, fps=a.fps, encode=encoder_and_payloader(a),
        maxbytes=2 * a.width * a.height * 3 // 2)


class TimecodeProducer:
    """Feeds the shared media's appsrc at the frame rate, each frame stamped when it is produced."""

    def __init__(self, a):
        import numpy as np
        self.np = np
        self.width, self.height, self.fps = a.width, a.height, a.fps
        self.block_w = max(8, a.width // TIMECODE_BLOCKS)
        self.block_h = max(16, 2 * self.block_w)
        if self.block_w * TIMECODE_BLOCKS > a.width or 2 * self.block_h > a.height:
            raise SystemExit("--timecode needs at least %dx%d" % (8 * TIMECODE_BLOCKS, 64))
        y_size = a.width * a.height
        c_size = ((a.width + 1) // 2) * ((a.height + 1) // 2)
        self.frame = np.full(y_size + 2 * c_size, 128, dtype=np.uint8)
        self.luma = self.frame[:y_size].reshape(a.height, a.width)
        self.lock = threading.Lock()
        self.appsrc = None
        self.stopped = threading.Event()

    def media_configure(self, _factory, media):
        src = media.get_element().get_by_name("timecodesrc")
        with self.lock:
            self.appsrc = src

    def draw(self, micros):
        y0, y1 = self.block_h, 2 * self.block_h
        for i, bit in enumerate(timecode_bits(micros)):
            x0 = i * self.block_w
            self.luma[y0:y1, x0:x0 + self.block_w] = 128 if bit is None else (235 if bit else 16)

    def run(self):
        interval = 1_000_000_000 // self.fps
        due = time.monotonic_ns()
        while not self.stopped.is_set():
            now = time.monotonic_ns()
            if now < due:
                time.sleep((due - now) / 1e9)
                continue
            # late (e.g. the host was busy): produce now, never a burst of catch-up frames
            due = max(due + interval, now - interval // 2)
            with self.lock:
                src = self.appsrc
            if src is None:
                continue
            stamp = time.monotonic_ns()
            self.draw(stamp // 1000)
            buf = Gst.Buffer.new_wrapped(self.frame.tobytes())
            # FLUSHING while the media is not playing yet, or after it went away: the frame is lost, as a
            # camera's would be; a new media brings a new appsrc through media_configure
            src.emit("push-buffer", buf)


NTP_UNIX_OFFSET_NS = 2208988800 * Gst.SECOND


def offset_camera_clock(media, offset_ms):
    """Gives the media a wall clock offset_ms ahead of the host's, and has its RTCP sender reports use it.

    The media's pipeline clock is a realtime system clock calibrated to read NTP time (since 1900) plus the
    offset; rtpbin's ntp-time-source=clock-time then puts that clock's time into the sender reports, and the
    RTP timestamps follow the same clock, so a client's mapping should land offset_ms away from the host's time.
    """
    clock = GObject.new(Gst.SystemClock, clock_type=Gst.ClockType.REALTIME)
    internal = clock.get_internal_time()
    clock.set_calibration(internal, internal + NTP_UNIX_OFFSET_NS + offset_ms * Gst.MSECOND, 1, 1)
    media.set_clock(clock)
    pipeline = media.get_element().get_parent()

    def element_added(_bin, element):
        factory = element.get_factory()
        if factory is not None and factory.get_name() == "rtpbin":
            element.set_property("ntp-time-source", "clock-time")

    pipeline.connect("element-added", element_added)


def main(argv):
    a = parse_args(argv)
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(a.address)
    server.set_service(str(a.port))

    factory = GstRtspServer.RTSPMediaFactory()
    producer = None
    if a.timecode:
        producer = TimecodeProducer(a)
        factory.set_launch(timecode_launch_line(a))
        factory.connect("media-configure", producer.media_configure)
        threading.Thread(target=producer.run, daemon=True).start()
    else:
        factory.set_launch(launch_line(a))
    if a.ntp_offset_ms is not None:
        factory.connect("media-configure", lambda _f, media: offset_camera_clock(media, a.ntp_offset_ms))
    # one pipeline for all clients: every client sees the same live stream, as with a camera
    factory.set_shared(True)

    auth = None
    if a.user or a.tls_cert:
        auth = GstRtspServer.RTSPAuth()
    if a.tls_cert:
        # every connection is TLS (rtsps://); clients are not asked for a certificate
        auth.set_tls_certificate(Gio.TlsCertificate.new_from_files(a.tls_cert, a.tls_key))
        if not a.user:
            # RTSPAuth's default check allows everything only to an anonymous client it has a default token
            # for; without one, every request would be refused with 401
            token = GstRtspServer.RTSPToken()
            token.set_string("media.factory.role", "anonymous")
            auth.set_default_token(token)
            permissions = GstRtspServer.RTSPPermissions()
            permissions.add_role_from_structure(Gst.Structure.new_from_string(
                "anonymous, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"))
            factory.set_permissions(permissions)
    if a.user:
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", a.user)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(a.user, a.password), token)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_role_from_structure(Gst.Structure.new_from_string(
            "%s, media.factory.access=(boolean)true, media.factory.construct=(boolean)true" % a.user))
        factory.set_permissions(permissions)
    if auth is not None:
        server.set_auth(auth)

    server.get_mount_points().add_factory(a.path, factory)

    loop = GLib.MainLoop()
    if server.attach(None) == 0:
        print("cannot listen on %s:%d" % (a.address, a.port), file=sys.stderr, flush=True)
        return 1

    def stop(*_):
        loop.quit()

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, stop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, stop)
    if a.exit_on_eof:
        def watch_stdin():
            sys.stdin.buffer.read()
            GLib.idle_add(stop)
        threading.Thread(target=watch_stdin, daemon=True).start()

    print("READY %d" % server.get_bound_port(), flush=True)
    loop.run()
    if producer is not None:
        producer.stopped.set()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
