#!/usr/bin/python3
"""An RTSP server on 127.0.0.1 that serves pre-encoded H.264 files as many cameras, built on GStreamer's RTSP server.

framebus's end-to-end benchmark (e2e-bench/) starts it to have many realistic RTSP sources whose server costs
little CPU: nothing is encoded, the files are only parsed and packetised. Each mount point /cam0 .. /cam<N-1>
plays an H.264 elementary stream (Annex B byte stream, e.g. `ffmpeg ... -c:v libx264 -f h264 file.h264`) in real
time, looping for ever with continuous timestamps, so a client sees a camera that never ends.

Run it with Debian's interpreter, /usr/bin/python3: it needs the gi bindings from the packages
python3-gi, gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-{base,good,bad} (a pyenv or venv
python on PATH usually lacks them).

    /usr/bin/python3 tools/rtsp-file-server.py --port 0 --mounts 16 --file media.h264 [--file other.h264 ...]

Files are assigned to the mounts in turn (/cam0 gets the first file, /cam1 the second, ...). The file's SPS must
carry the frame rate (x264 writes it), or give it with --fps.

Two ways to serve (what a client sees when it connects):

- default, "on demand": every RTSP session gets its own pipeline that starts at the beginning of the file, so the
  first frame a client receives is a key frame (like cameras that send a key frame to every new session).
- --live: one pipeline per mount, shared by all its clients and kept running after the last one leaves; a client
  that joins receives the stream where it is and has to wait for the next key frame (like cameras that do not).
  The clock of a mount starts with its first client.

It prints "READY <port>" on stdout once it accepts connections (and nothing else on stdout), so a harness can wait
for that line. It runs until it gets SIGTERM or SIGINT, or until its stdin is closed when --exit-on-eof is given (no
orphan server when the harness dies).
"""

import argparse
import os
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
    p.add_argument("--port", type=int, required=True, help="TCP port of the RTSP server (0: any free port)")
    p.add_argument("--file", action="append", required=True,
                   help="H.264 Annex B elementary stream file; repeat for more files (assigned to mounts in turn)")
    p.add_argument("--mounts", type=int, default=1, help="number of mount points /cam0 .. /cam<N-1> (default 1)")
    p.add_argument("--prefix", default="/cam", help="mount path prefix (default /cam)")
    p.add_argument("--fps", type=int, default=0,
                   help="frame rate of the files when their SPS does not carry one (default: from the SPS)")
    p.add_argument("--live", action="store_true",
                   help="one running pipeline per mount, shared by its clients (joiners wait for a key frame)")
    p.add_argument("--exit-on-eof", action="store_true", help="exit when stdin is closed")
    return p.parse_args(argv)


def launch_line(path, fps):
    # multifilesrc re-reads the file when it reaches its end (loop=true); the file is one byte stream to
    # h264parse, which splits it into access units and, since the bytes carry no timestamps, gives them
    # continuous decoding timestamps from the frame rate: no jump at the loop point. h264parse leaves the
    # presentation timestamp unset (it cannot know the frame order), so copy_dts_to_pts sets it (the files must
    # have no B-frames). The RTSP server's sink syncs on the pipeline clock, which paces the stream in real
    # time. config-interval=-1: SPS/PPS before every key frame.
    caps = "video/x-h264,stream-format=byte-stream"
    if fps > 0:
        caps += ",framerate=%d/1" % fps
    location = path.replace("%", "%%")  # multifilesrc's location is a printf pattern
    return ('( multifilesrc location="{loc}" loop=true caps="{caps}" '
            "! h264parse name=parse ! video/x-h264,stream-format=byte-stream,alignment=au "
            "! rtph264pay name=pay0 pt=96 config-interval=-1 )").format(loc=location, caps=caps)


def copy_dts_to_pts(_pad, info):
    buf = info.get_buffer()
    if buf is not None and buf.pts == Gst.CLOCK_TIME_NONE:
        buf.pts = buf.dts
    return Gst.PadProbeReturn.OK


def on_media_configure(_factory, media):
    parse = media.get_element().get_by_name("parse")
    parse.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, copy_dts_to_pts)


def main(argv):
    a = parse_args(argv)
    for f in a.file:
        if not os.path.isfile(f):
            print("no such file: %s" % f, file=sys.stderr, flush=True)
            return 2
    if a.mounts < 1:
        print("--mounts must be at least 1", file=sys.stderr, flush=True)
        return 2
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(a.address)
    server.set_service(str(a.port))
    # many cameras: the default backlog and thread pool are for a handful of clients
    server.set_backlog(max(5, a.mounts))

    mounts = server.get_mount_points()
    for i in range(a.mounts):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch_line(os.path.abspath(a.file[i % len(a.file)]), a.fps))
        factory.set_shared(a.live)
        factory.connect("media-configure", on_media_configure)
        if a.live:
            factory.set_stop_on_disconnect(False)
        mounts.add_factory("%s%d" % (a.prefix, i), factory)

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
