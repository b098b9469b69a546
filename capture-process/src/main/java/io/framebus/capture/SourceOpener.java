package io.framebus.capture;

import io.framebus.shm.RingError;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Opens a {@link SourceSpec}: live H.264/H.265 over RTSP/TCP with framebus's own RTSP client and RTP depacketizer
 * ({@link RtpCameraSource}, FFmpeg decodes), everything else, and whatever that client does not support, with
 * JavaCV's {@link FFmpegFrameGrabber} in RAW image mode: the grabber decodes but
 * never converts, so a frame's {@link AVFrame} is the decoder's own picture and only published frames are ever
 * converted (by {@link FrameConverter}, into the ring).
 *
 * <p>A JavaCV quirk to know: when {@code avformat_open_input} fails, {@code start()} tries a second time (to retry
 * without a {@code pixel_format} option, even when it set none), so a failing open takes up to two connect
 * timeouts and sends two requests. The capture loop's progress promise for an open accounts for that.
 */
final class SourceOpener {
    private final Supplier<List<String>> ffmpegErrors;
    private final CaptureLog log;
    private boolean fallbackLogged;

    /**
     * @param ffmpegErrors the FFmpeg error lines of the current attempt, for classifying failures
     * @param log          where a fallback from framebus's RTSP client to FFmpeg's is said (once)
     */
    SourceOpener(Supplier<List<String>> ffmpegErrors, CaptureLog log) {
        this.ffmpegErrors = ffmpegErrors;
        this.log = log;
    }

    /**
     * @param socketTimeoutMillis the socket timeout in the spec's options (0 for local sources), to tell a silent
     *                            peer from a broken one
     * @throws SourceException classified; the grabber is released
     */
    CameraSource open(SourceSpec spec, int socketTimeoutMillis, SourceClock clock) throws SourceException {
        if (RtpCameraSource.handles(spec)) {
            try {
                return RtpCameraSource.open(spec, socketTimeoutMillis, clock);
            } catch (RtspSession.Unsupported e) {
                if (!fallbackLogged) {
                    fallbackLogged = true;
                    log.info("RTSP: %s; using FFmpeg's RTSP client, which holds each frame until the next one starts"
                            + " (logged once)", e.getMessage());
                }
            }
        }
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(spec.input());
        if (spec.format() != null) {
            g.setFormat(spec.format());
        }
        g.setImageMode(FrameGrabber.ImageMode.RAW);
        spec.options().forEach(g::setOption);
        spec.videoOptions().forEach(g::setVideoOption);
        String maxDelay = spec.options().get("max_delay");
        if (maxDelay != null) {
            // JavaCV writes its own max_delay (default -1) into the context after opening; keep ours
            g.setMaxDelay(Integer.parseInt(maxDelay));
        }
        long t0 = System.nanoTime();
        try {
            g.start(spec.findStreamInfo());
        } catch (FrameGrabber.Exception e) {
            long elapsedMillis = (System.nanoTime() - t0) / 1_000_000;
            releaseQuietly(g);
            ErrorClassifier.Classified c = ErrorClassifier.classifyOpen(e.getMessage(), ffmpegErrors.get(),
                    elapsedMillis, spec.live() ? socketTimeoutMillis : 0);
            throw new SourceException(c.error(), c.description(), e);
        }
        if (!g.hasVideo()) {
            releaseQuietly(g);
            throw new SourceException(RingError.UNSUPPORTED, "no video stream in the source");
        }
        return new FfmpegSource(g);
    }

    static void releaseQuietly(FFmpegFrameGrabber g) {
        try {
            g.release();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            // nothing useful to do: the source is being given up anyway
        }
    }

    /** An opened source: frames out, facts about the stream. */
    interface CameraSource extends AutoCloseable {
        /**
         * The next decoded video frame (or next key frame), or null when the stream ended or a read failed or timed
         * out (JavaCV does not say which; the FFmpeg log does). The frame's {@link Frame#opaque} is the decoder's
         * {@link AVFrame}, valid until the next call.
         */
        Frame next(boolean keyframesOnly) throws FrameGrabber.Exception;

        /** Width the stream announces, 0 when it did not (e.g. RTSP without SPS in the SDP). */
        int width();

        int height();

        /** The stream's frame rate, 0 when unknown. */
        double frameRate();

        String codecName();

        /**
         * The source's own capture time of the frame {@link #next} returned last, from the {@link SourceClock} the
         * source was opened with; {@link SourceClock.Stamp#NONE} for sources that give none.
         */
        default SourceClock.Stamp sourceTime(long nowMonoNanos) {
            return SourceClock.Stamp.NONE;
        }

        @Override
        void close();
    }

    /** A source read, depacketized and decoded by FFmpeg (through JavaCV's grabber). */
    static final class FfmpegSource implements CameraSource {
        private final FFmpegFrameGrabber grabber;

        private FfmpegSource(FFmpegFrameGrabber grabber) {
            this.grabber = grabber;
        }

        @Override
        public Frame next(boolean keyframesOnly) throws FrameGrabber.Exception {
            return keyframesOnly ? grabber.grabKeyFrame() : grabber.grabImage();
        }

        @Override
        public int width() {
            return grabber.getImageWidth();
        }

        @Override
        public int height() {
            return grabber.getImageHeight();
        }

        @Override
        public double frameRate() {
            double fps = grabber.getFrameRate();
            return Double.isFinite(fps) && fps > 0 && fps < 1000 ? fps : 0;
        }

        @Override
        public String codecName() {
            String name = grabber.getVideoCodecName();
            return name == null || name.isBlank() ? "video" : name;
        }

        @Override
        public void close() {
            // avformat_close_input: for RTSP it sends TEARDOWN without waiting for the answer
            releaseQuietly(grabber);
        }
    }
}
