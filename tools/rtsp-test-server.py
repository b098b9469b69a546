#!/usr/bin/python3
"""A live H.264 RTSP test camera on 127.0.0.1, built on GStreamer's RTSP server.

framebus's tests and benchmarks start it to have a real RTSP source: videotestsrc (live, at the given
frame rate) encoded by x264 with zero-latency settings and a key frame every second, optionally
behind HTTP basic authentication.

Run it with Debian's interpreter, /usr/bin/python3: it needs the gi bindings from the packages
python3-gi, gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-{base,good,ugly} (a pyenv or venv
python on PATH usually lacks them).

    /usr/bin/python3 tools/rtsp-test-server.py --port 8554 --path /cam --width 1280 --height 720 --fps 25

It prints "READY <port>" on stdout once it accepts connections (and nothing else on stdout), so a
harness can wait for that line. It runs until it gets SIGTERM or SIGINT, or until its stdin is closed
when --exit-on-eof is given (no orphan server when the harness dies).
"""

import argparse
import signal
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


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
    p.add_argument("--bitrate", type=int, default=0, help="x264 bitrate in kbit/s (default: x264enc's)")
    p.add_argument("--user", help="require HTTP basic authentication with this user")
    p.add_argument("--password", default="", help="password of --user")
    p.add_argument("--exit-on-eof", action="store_true", help="exit when stdin is closed")
    return p.parse_args(argv)


def launch_line(a):
    keyint = a.keyint if a.keyint > 0 else a.fps
    bitrate = " bitrate=%d" % a.bitrate if a.bitrate > 0 else ""
    # is-live makes videotestsrc produce at the frame rate, like a camera; tune=zerolatency and
    # ultrafast keep the encoder from buffering frames (no lookahead, no B-frames);
    # config-interval=1 repeats SPS/PPS so a client that joins mid-stream can decode the next key frame.
    return ("( videotestsrc is-live=true pattern={pattern} "
            "! video/x-raw,width={w},height={h},framerate={fps}/1 "
            "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={keyint}{bitrate} "
            "! rtph264pay name=pay0 pt=96 config-interval=1 )").format(
        pattern=a.pattern, w=a.width, h=a.height, fps=a.fps, keyint=keyint, bitrate=bitrate)


def main(argv):
    a = parse_args(argv)
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(a.address)
    server.set_service(str(a.port))

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch_line(a))
    # one pipeline for all clients: every client sees the same live stream, as with a camera
    factory.set_shared(True)

    if a.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", a.user)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(a.user, a.password), token)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_role_from_structure(Gst.Structure.new_from_string(
            "%s, media.factory.access=(boolean)true, media.factory.construct=(boolean)true" % a.user))
        factory.set_permissions(permissions)

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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
