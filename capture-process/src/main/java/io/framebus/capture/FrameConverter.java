package io.framebus.capture;

import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_BT2020_CL;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_BT2020_NCL;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_BT470BG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_BT709;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_FCC;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_SMPTE170M;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_SMPTE240M;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_NV12;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_BT2020;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_DEFAULT;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_FCC;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_ITU601;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_ITU709;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_SMPTE170M;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_SMPTE240M;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCoefficients;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.ffmpeg.global.swscale.sws_setColorspaceDetails;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import java.nio.ByteBuffer;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Converts (scales and changes the pixel format of) a decoded frame straight into a ring slot with swscale: the
 * decoder's picture is read once and the slot's shared memory written once, with no intermediate image.
 *
 * <p>Only frames that are published are converted; the capture loop drops the others before they get here. The
 * destination planes follow {@link PixelFormat}'s tight layout: packed formats one plane of {@code stride * height};
 * YUV420P the Y plane, then U and V of {@code ceil(w/2) x ceil(h/2)}; NV12 the Y plane then one interleaved UV plane
 * of {@code 2 * ceil(w/2)} bytes per row. Each plane is handed to swscale as its own bounded slice of the slot, so
 * a plane can never be written past its end into the next one.
 *
 * <p>The legacy {@code sws_scale} API ignores the colour metadata of the frame, so the source's YUV matrix (BT.601
 * or BT.709) and range (limited or full, as from MJPEG cameras) are passed explicitly; otherwise HD streams come out
 * with slightly wrong colours and full-range sources washed out. Not thread-safe: one per capture loop.
 */
final class FrameConverter implements AutoCloseable {
    private SwsContext sws;
    private final PointerPointer<BytePointer> dstPlanes = new PointerPointer<>(4);
    private final IntPointer dstStrides = new IntPointer(4);
    private final int[] planeOffsets = new int[4];
    private final int[] planeBytes = new int[4];
    private final int[] strides = new int[4];
    // what the current context was set up for, to redo the colour details only when they change
    private long detailsForAddress;
    private int detailsColorspace = -1;
    private int detailsRange = -1;

    /**
     * Converts {@code src} into {@code slot} ({@code out.frameBytes()} bytes from position 0).
     *
     * @throws ConversionException when swscale cannot convert this combination or converts fewer rows
     */
    void convert(AVFrame src, FrameFormat out, ByteBuffer slot) throws ConversionException {
        int planes = layout(out);
        long needed = out.frameBytes();
        if (slot.capacity() < needed) {
            throw new ConversionException("slot holds " + slot.capacity() + " bytes, " + out + " needs " + needed);
        }
        for (int i = 0; i < planes; i++) {
            // one bounded direct buffer per plane: BytePointer(ByteBuffer) wraps its address without a copy
            dstPlanes.put(i, new BytePointer(slot.slice(planeOffsets[i], planeBytes[i])));
            dstStrides.put(i, strides[i]);
        }
        for (int i = planes; i < 4; i++) {
            dstPlanes.put(i, (BytePointer) null);
            dstStrides.put(i, 0);
        }
        sws = sws_getCachedContext(sws, src.width(), src.height(), src.format(), out.width(), out.height(),
                avPixelFormat(out.pixelFormat()), SWS_BILINEAR, null, null, (DoublePointer) null);
        if (sws == null) {
            throw new ConversionException("swscale cannot convert " + src.width() + "x" + src.height()
                    + " pixel format " + src.format() + " to " + out);
        }
        applyColorDetails(src, out.pixelFormat());
        int rows = sws_scale(sws, src.data(), src.linesize(), 0, src.height(), dstPlanes, dstStrides);
        if (rows != out.height()) {
            throw new ConversionException("swscale wrote " + rows + " of " + out.height() + " rows");
        }
    }

    private int layout(FrameFormat out) {
        int w = out.width();
        int h = out.height();
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        return switch (out.pixelFormat()) {
            case BGR24, RGB24 -> plane(0, 0, w * 3, h);
            case GRAY8 -> plane(0, 0, w, h);
            case YUV420P -> {
                plane(0, 0, w, h);
                plane(1, w * h, cw, ch);
                plane(2, w * h + cw * ch, cw, ch);
                yield 3;
            }
            case NV12 -> {
                plane(0, 0, w, h);
                plane(1, w * h, 2 * cw, ch);
                yield 2;
            }
        };
    }

    private int plane(int i, int offset, int stride, int rows) {
        planeOffsets[i] = offset;
        strides[i] = stride;
        planeBytes[i] = stride * rows;
        return i + 1;
    }

    private void applyColorDetails(AVFrame src, PixelFormat out) {
        int colorspace = src.colorspace();
        int range = src.color_range() == AVCOL_RANGE_JPEG ? 1 : 0;
        if (sws.address() == detailsForAddress && colorspace == detailsColorspace && range == detailsRange) {
            return;
        }
        IntPointer table = sws_getCoefficients(swsColorspace(colorspace));
        // YUV outputs keep the usual limited range; RGB and gray are full range by definition
        int dstRange = out == PixelFormat.YUV420P || out == PixelFormat.NV12 ? 0 : 1;
        // brightness 0, contrast and saturation 1.0 in 16.16 fixed point: swscale's neutral values.
        // Fails (returns -1) for RGB sources, where there is no matrix to set; the defaults are right then.
        sws_setColorspaceDetails(sws, table, range, table, dstRange, 0, 1 << 16, 1 << 16);
        detailsForAddress = sws.address(); // a cached context comes back as a new Java object
        detailsColorspace = colorspace;
        detailsRange = range;
    }

    private static int swsColorspace(int avColorspace) {
        if (avColorspace == AVCOL_SPC_BT709) {
            return SWS_CS_ITU709;
        } else if (avColorspace == AVCOL_SPC_BT470BG) {
            return SWS_CS_ITU601;
        } else if (avColorspace == AVCOL_SPC_SMPTE170M) {
            return SWS_CS_SMPTE170M;
        } else if (avColorspace == AVCOL_SPC_SMPTE240M) {
            return SWS_CS_SMPTE240M;
        } else if (avColorspace == AVCOL_SPC_FCC) {
            return SWS_CS_FCC;
        } else if (avColorspace == AVCOL_SPC_BT2020_NCL || avColorspace == AVCOL_SPC_BT2020_CL) {
            return SWS_CS_BT2020;
        }
        return SWS_CS_DEFAULT; // unspecified: BT.601, what swscale and most players assume
    }

    static int avPixelFormat(PixelFormat f) {
        return switch (f) {
            case BGR24 -> AV_PIX_FMT_BGR24;
            case RGB24 -> AV_PIX_FMT_RGB24;
            case GRAY8 -> AV_PIX_FMT_GRAY8;
            case YUV420P -> AV_PIX_FMT_YUV420P;
            case NV12 -> AV_PIX_FMT_NV12;
        };
    }

    @Override
    public void close() {
        if (sws != null) {
            sws_freeContext(sws);
            sws = null;
        }
        dstPlanes.close();
        dstStrides.close();
    }

    /** swscale refused or failed a conversion. */
    static final class ConversionException extends Exception {
        private static final long serialVersionUID = 1L;

        ConversionException(String message) {
            super(message);
        }
    }
}
