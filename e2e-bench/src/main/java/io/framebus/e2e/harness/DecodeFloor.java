package io.framebus.e2e.harness;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * The decode-only floor: one RTSP stream decoded by the same FFmpeg build as the capture program (JavaCV's
 * {@link FFmpegFrameGrabber} in RAW image mode: decoded, never converted), with the capture program's options for
 * RTSP over TCP (docs/capture-process.md, "FFmpeg options and why"), and nothing else: no ring, no conversion, no
 * fps cap, no heartbeat. Runs with the capture program's jars on the class path:
 *
 * <pre>
 * java -cp 'distribution/target/framebus/capture/lib/*:e2e-bench/target/classes' io.framebus.e2e.harness.DecodeFloor rtsp://127.0.0.1:8554/cam0
 * </pre>
 *
 * <p>Prints {@code FIRST <epochMillis>} after the first decoded frame, then {@code FRAMES <nanoTime> <decoded>}
 * every second; exits when its stdin ends (the harness is gone) or the stream fails ({@code ERROR ...}, status 1).
 */
public final class DecodeFloor {
    private DecodeFloor() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: DecodeFloor <rtsp url>");
            System.exit(2);
        }
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        Thread stdin = new Thread(() -> {
            try {
                InputStream in = System.in;
                while (in.read() >= 0) {
                    // nothing is sent; only the end matters
                }
            } catch (IOException ignored) {
                // same as the end
            }
            Runtime.getRuntime().halt(0);
        }, "stdin-watch");
        stdin.setDaemon(true);
        stdin.start();

        FFmpegFrameGrabber g = new FFmpegFrameGrabber(args[0]);
        g.setFormat("rtsp");
        g.setImageMode(FrameGrabber.ImageMode.RAW);
        // the capture program's RTSP/TCP options (SourceSpec): no probing backlog, no buffering, no reorder queue
        g.setOption("rtsp_transport", "tcp");
        g.setOption("timeout", "5000000");
        g.setOption("allowed_media_types", "video");
        g.setOption("fflags", "nobuffer");
        g.setOption("probesize", "32768");
        g.setOption("analyzeduration", "500000");
        g.setOption("max_delay", "0");
        g.setOption("reorder_queue_size", "0");
        g.setVideoOption("flags", "low_delay");
        g.setMaxDelay(0);
        g.start(false);

        AtomicLong decoded = new AtomicLong();
        Thread reporter = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(1000);
                    System.out.println("FRAMES " + System.nanoTime() + " " + decoded.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "reporter");
        reporter.setDaemon(true);
        reporter.start();

        boolean first = true;
        while (true) {
            Frame f;
            try {
                f = g.grabImage();
            } catch (FrameGrabber.Exception e) {
                System.out.println("ERROR " + e.getMessage());
                System.exit(1);
                return;
            }
            if (f == null) {
                System.out.println("ERROR stream ended");
                System.exit(1);
                return;
            }
            decoded.incrementAndGet();
            if (first) {
                first = false;
                System.out.println("FIRST " + System.currentTimeMillis());
            }
        }
    }
}
