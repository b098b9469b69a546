package io.framebus.capture;

import static org.bytedeco.ffmpeg.global.avcodec.AVDISCARD_NONKEY;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_LOW_DELAY;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_HEVC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_INPUT_BUFFER_PADDING_SIZE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_new_packet;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_mallocz;

import io.framebus.shm.RingError;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * A live H.264/H.265 camera read with {@link RtspSession} over TCP, depacketized by {@link RtpDepacketizer} (each
 * access unit complete at its RTP marker bit) and decoded by FFmpeg's decoder without its parser: a frame is
 * decoded as soon as its last packet has arrived, not when the next frame starts.
 *
 * <p>The decoder runs as the FFmpeg path's does: {@code low_delay} (no frame threads, which hold a frame each),
 * slice threads allowed, {@code skip_frame=nokey} in keyframes mode, where non-key access units are not even sent.
 */
final class RtpCameraSource implements SourceOpener.CameraSource {
    /** FFmpeg's FF_THREAD_SLICE and AV_FRAME_FLAG_KEY: macros the JavaCPP presets do not map. */
    private static final int FF_THREAD_SLICE = 2;
    private static final int AV_FRAME_FLAG_KEY = 1 << 1;

    private final RtspSession session;
    private final RtpDepacketizer depacketizer;
    private final AVCodecContext decoder;
    private final AVPacket packet;
    private final AVFrame picture;
    private final Frame frame = new Frame();
    private final ArrayDeque<RtpDepacketizer.AccessUnit> units = new ArrayDeque<>();
    private final int clockRate;
    private final String codecName;
    private long firstTimestamp = Long.MIN_VALUE;
    private boolean pictureHeld;
    private final SourceClock clock;
    /** RTP timestamps of the access units sent to the decoder, by the pts they were given (reordering decoders). */
    private final java.util.LinkedHashMap<Long, Long> rtpByPts = new java.util.LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<Long, Long> eldest) {
            return size() > 64;
        }
    };
    private long frameRtpTimestamp;
    private long lastUnitTimestamp = Long.MIN_VALUE;
    private long minDelta = Long.MAX_VALUE;
    private int rateSamples;
    private static final int RATE_SAMPLES = 8;

    private RtpCameraSource(RtspSession session, AVCodecContext decoder, String codecName, SourceClock clock) {
        this.session = session;
        this.clock = clock;
        RtspSession.Track t = session.track();
        this.depacketizer = new RtpDepacketizer(t.codec(), t.payloadType());
        this.clockRate = t.clockRate() > 0 ? t.clockRate() : 90000;
        this.decoder = decoder;
        this.codecName = codecName;
        this.packet = av_packet_alloc();
        this.picture = av_frame_alloc();
    }

    /** Whether this source handles the spec: rtsp:// (not rtsps://) with TCP transport. */
    static boolean handles(SourceSpec spec) {
        return spec.kind() == SourceSpec.Kind.RTSP && spec.input().regionMatches(true, 0, "rtsp://", 0, 7)
                && "tcp".equals(spec.options().get("rtsp_transport"));
    }

    static RtpCameraSource open(SourceSpec spec, int socketTimeoutMillis, SourceClock clock)
            throws SourceException, RtspSession.Unsupported {
        RtspSession session = RtspSession.open(spec.input(), socketTimeoutMillis);
        try {
            RtspSession.Track track = session.track();
            boolean h265 = track.codec().equals("H265");
            AVCodec codec = avcodec_find_decoder(h265 ? AV_CODEC_ID_HEVC : AV_CODEC_ID_H264);
            if (codec == null || codec.isNull()) {
                throw new SourceException(RingError.UNSUPPORTED, "no " + track.codec() + " decoder in this FFmpeg");
            }
            AVCodecContext c = avcodec_alloc_context3(codec);
            c.flags(c.flags() | AV_CODEC_FLAG_LOW_DELAY);
            c.thread_type(FF_THREAD_SLICE);
            c.thread_count(0);
            if (spec.videoOptions().containsKey("skip_frame")) {
                c.skip_frame(AVDISCARD_NONKEY);
            }
            byte[] sets = track.parameterSets();
            if (sets.length > 0) {
                BytePointer extradata = new BytePointer(av_mallocz(sets.length + AV_INPUT_BUFFER_PADDING_SIZE));
                extradata.put(sets, 0, sets.length);
                c.extradata(extradata);
                c.extradata_size(sets.length);
            }
            int rc = avcodec_open2(c, codec, (AVDictionary) null);
            if (rc < 0) {
                avcodec_free_context(c);
                throw new SourceException(RingError.UNSUPPORTED, "cannot open the " + track.codec()
                        + " decoder (FFmpeg error " + rc + ")");
            }
            return new RtpCameraSource(session, c, h265 ? "hevc" : "h264", clock);
        } catch (SourceException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    @Override
    public Frame next(boolean keyframesOnly) throws FrameGrabber.Exception {
        if (pictureHeld) {
            av_frame_unref(picture);
            pictureHeld = false;
        }
        try {
            while (true) {
                RtpDepacketizer.AccessUnit unit = units.poll();
                if (unit == null) {
                    RtspSession.Interleaved p = session.next();
                    if (p.channel() == session.rtpChannel()) {
                        depacketizer.accept(p.data(), this::unitDone);
                    } else if (p.channel() == session.rtcpChannel()) {
                        clock.acceptRtcp(p.data()); // sender reports: the camera's clock for its RTP timestamps
                    }
                    continue;
                }
                if (keyframesOnly && !unit.keyframe()) {
                    continue;
                }
                Frame f = decode(unit);
                if (f != null) {
                    return f;
                }
            }
        } catch (SocketTimeoutException e) {
            return null; // the loop classifies a silent source as a timeout
        } catch (EOFException e) {
            throw new FrameGrabber.Exception("the RTSP server closed the connection (end of file)");
        } catch (IOException e) {
            throw new FrameGrabber.Exception("RTSP read failed (I/O error): " + e.getMessage());
        }
    }

    private void unitDone(RtpDepacketizer.AccessUnit unit) {
        units.add(unit);
        if (lastUnitTimestamp != Long.MIN_VALUE && rateSamples < RATE_SAMPLES) {
            long delta = unit.rtpTimestamp() - lastUnitTimestamp;
            if (delta > 0) {
                rateSamples++;
                minDelta = Math.min(minDelta, delta);
            }
        }
        lastUnitTimestamp = unit.rtpTimestamp();
    }

    private Frame decode(RtpDepacketizer.AccessUnit unit) throws FrameGrabber.Exception {
        byte[] data = unit.data();
        if (av_new_packet(packet, data.length) < 0) {
            throw new FrameGrabber.Exception("out of memory for a packet of " + data.length + " bytes");
        }
        try {
            packet.data().put(data, 0, data.length);
            if (firstTimestamp == Long.MIN_VALUE) {
                firstTimestamp = unit.rtpTimestamp();
            }
            long micros = (unit.rtpTimestamp() - firstTimestamp) * 1_000_000L / clockRate;
            packet.pts(micros);
            packet.dts(micros);
            rtpByPts.put(micros, unit.rtpTimestamp());
            if (unit.keyframe()) {
                packet.flags(packet.flags() | AV_PKT_FLAG_KEY);
            }
            int rc = avcodec_send_packet(decoder, packet);
            if (rc < 0 && rc != AVERROR_EAGAIN()) {
                return null; // a damaged access unit: the decoder said so in the log; the next key frame heals
            }
        } finally {
            av_packet_unref(packet);
        }
        int rc = avcodec_receive_frame(decoder, picture);
        if (rc < 0) {
            return null; // EAGAIN: nothing out for this unit (e.g. skipped by skip_frame)
        }
        pictureHeld = true;
        frame.opaque = picture;
        frame.timestamp = picture.best_effort_timestamp();
        Long rtp = rtpByPts.get(frame.timestamp);
        frameRtpTimestamp = rtp != null ? rtp : firstTimestamp + frame.timestamp * clockRate / 1_000_000L;
        frame.keyFrame = (picture.flags() & AV_FRAME_FLAG_KEY) != 0;
        frame.imageWidth = picture.width();
        frame.imageHeight = picture.height();
        return frame;
    }

    @Override
    public SourceClock.Stamp sourceTime(long nowMonoNanos) {
        return clock.stamp(frameRtpTimestamp, nowMonoNanos);
    }

    /** Access units dropped because a packet was lost (and those that depend on them). */
    long droppedUnits() {
        return depacketizer.droppedUnits();
    }

    @Override
    public int width() {
        return 0; // known from the first decoded picture (the loop follows the decoder's size)
    }

    @Override
    public int height() {
        return 0;
    }

    /**
     * The frame rate the RTP timestamps show (the smallest step among the first access units: a camera that skips a
     * frame does not halve it), 0 until two units have arrived. The SDP's a=framerate is optional and often absent.
     */
    @Override
    public double frameRate() {
        if (rateSamples == 0) {
            return 0;
        }
        double fps = (double) clockRate / minDelta;
        return fps > 0 && fps < 1000 ? fps : 0;
    }

    @Override
    public String codecName() {
        return codecName;
    }

    @Override
    public void close() {
        session.close();
        AVCodecContext c = decoder;
        avcodec_free_context(c);
        AVFrame f = picture;
        av_frame_free(f);
        AVPacket p = packet;
        av_packet_free(p);
    }
}
