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
import static org.bytedeco.ffmpeg.global.avutil.av_pix_fmt_desc_get;
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
import io.framebus.contract.CaptureOutput.ScaleMode;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.ffmpeg.avutil.AVComponentDescriptor;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVPixFmtDescriptor;
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
 * with slightly wrong colours and full-range sources washed out.
 *
 * <p>Scale modes ({@link ScaleMode}): {@code stretch} scales the whole picture to the whole slot; {@code fit}
 * scales it, aspect ratio kept, into a centred sub-rectangle of the slot (the destination plane pointers start at
 * the rectangle's corner, the strides stay the slot's), and the bars around it are painted black once per slot
 * (black in the output's format: 0 for RGB and gray, Y=16 U=V=128 for the limited-range YUV formats) and never
 * touched again while the rectangle stays the same; {@code crop} hands swscale a centred sub-rectangle of the
 * decoded picture (source plane pointers moved to its corner) that has the output's aspect ratio. Rectangles are on
 * even pixels, so the 4:2:0 chroma planes start on whole samples.
 *
 * <p>Not thread-safe: one per output of a capture loop (each keeps its own swscale context, so outputs of different
 * sizes do not make each other rebuild it).
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
    private final PointerPointer<BytePointer> srcPlanes = new PointerPointer<>(4);
    private final IntPointer srcStrides = new IntPointer(4);
    /** Per slot (by address): the fit rectangle its bars were painted for. */
    private final Map<Long, Long> barsPainted = new HashMap<>();

    /** Forgets which slots have their bars painted: call when the ring is replaced (new memory). */
    void forgetSlots() {
        barsPainted.clear();
    }

    /** As {@link #convert(AVFrame, FrameFormat, ScaleMode, ByteBuffer)} with {@link ScaleMode#STRETCH}. */
    void convert(AVFrame src, FrameFormat out, ByteBuffer slot) throws ConversionException {
        convert(src, out, ScaleMode.STRETCH, slot);
    }

    /**
     * Converts {@code src} into {@code slot} ({@code out.frameBytes()} bytes from position 0).
     *
     * @throws ConversionException when swscale cannot convert this combination or converts fewer rows
     */
    void convert(AVFrame src, FrameFormat out, ScaleMode mode, ByteBuffer slot) throws ConversionException {
        int planes = layout(out);
        long needed = out.frameBytes();
        if (slot.capacity() < needed) {
            throw new ConversionException("slot holds " + slot.capacity() + " bytes, " + out + " needs " + needed);
        }
        int sw = src.width();
        int sh = src.height();
        // destination rectangle (fit) and source rectangle (crop), whole pictures otherwise
        int dx = 0;
        int dy = 0;
        int dw = out.width();
        int dh = out.height();
        int sx = 0;
        int sy = 0;
        int cw = sw;
        int ch = sh;
        if (mode == ScaleMode.FIT) {
            double scale = Math.min((double) out.width() / sw, (double) out.height() / sh);
            dw = evenWithin(sw * scale, out.width());
            dh = evenWithin(sh * scale, out.height());
            dx = ((out.width() - dw) / 2) & ~1;
            dy = ((out.height() - dh) / 2) & ~1;
            paintBarsOnce(slot, out, dx, dy, dw, dh);
        } else if (mode == ScaleMode.CROP) {
            double scale = Math.max((double) out.width() / sw, (double) out.height() / sh);
            cw = evenWithin(out.width() / scale, sw);
            ch = evenWithin(out.height() / scale, sh);
            sx = ((sw - cw) / 2) & ~1;
            sy = ((sh - ch) / 2) & ~1;
        }
        for (int i = 0; i < planes; i++) {
            int chroma = isChromaPlane(out.pixelFormat(), i) ? 1 : 0;
            int bytesPerPixel = switch (out.pixelFormat()) {
                case BGR24, RGB24 -> 3;
                case NV12 -> i == 1 ? 2 : 1;
                default -> 1;
            };
            int offset = (dy >> chroma) * strides[i] + (dx >> chroma) * bytesPerPixel;
            // one bounded direct buffer per plane: BytePointer(ByteBuffer) wraps its address without a copy
            dstPlanes.put(i, new BytePointer(slot.slice(planeOffsets[i] + offset, planeBytes[i] - offset)));
            dstStrides.put(i, strides[i]);
        }
        for (int i = planes; i < 4; i++) {
            dstPlanes.put(i, (BytePointer) null);
            dstStrides.put(i, 0);
        }
        sws = sws_getCachedContext(sws, cw, ch, src.format(), dw, dh,
                avPixelFormat(out.pixelFormat()), SWS_BILINEAR, null, null, (DoublePointer) null);
        if (sws == null) {
            throw new ConversionException("swscale cannot convert " + sw + "x" + sh
                    + " pixel format " + src.format() + " to " + out);
        }
        applyColorDetails(src, out.pixelFormat());
        PointerPointer<?> from = src.data();
        if (sx != 0 || sy != 0) {
            from = croppedSource(src, sx, sy);
        }
        int rows = sws_scale(sws, from, src.linesize(), 0, ch, dstPlanes, dstStrides);
        if (rows != dh) {
            throw new ConversionException("swscale wrote " + rows + " of " + dh + " rows");
        }
    }

    /** The source plane pointers moved to pixel (x, y), per plane as the pixel format lays it out. */
    private PointerPointer<?> croppedSource(AVFrame src, int x, int y) throws ConversionException {
        AVPixFmtDescriptor desc = av_pix_fmt_desc_get(src.format());
        if (desc == null) {
            throw new ConversionException("unknown source pixel format " + src.format() + ": cannot crop");
        }
        for (int p = 0; p < 4; p++) {
            BytePointer plane = src.data(p);
            if (plane == null || plane.isNull()) {
                srcPlanes.put(p, (BytePointer) null);
                continue;
            }
            // bytes per pixel of this plane: the step of its first component; chroma planes are subsampled
            int step = 0;
            boolean chroma = false;
            for (int c = 0; c < desc.nb_components(); c++) {
                AVComponentDescriptor comp = desc.comp(c);
                if (comp.plane() == p) {
                    if (step == 0) {
                        step = comp.step();
                        chroma = c == 1 || c == 2;
                    }
                }
            }
            long offset = (long) (chroma ? y >> desc.log2_chroma_h() : y) * src.linesize(p)
                    + (long) (chroma ? x >> desc.log2_chroma_w() : x) * step;
            srcPlanes.put(p, new BytePointer(plane).position(offset));
        }
        return srcPlanes;
    }

    /** Paints the slot black once for this fit rectangle (only the bars would need it; a slot is cheap enough). */
    private void paintBarsOnce(ByteBuffer slot, FrameFormat out, int dx, int dy, int dw, int dh) {
        long address = new BytePointer(slot).address();
        long rect = ((long) dx << 48) | ((long) dy << 32) | ((long) dw << 16) | dh;
        Long painted = barsPainted.get(address);
        if (painted != null && painted == rect) {
            return;
        }
        int luma = out.width() * out.height();
        int total = (int) out.frameBytes();
        boolean yuv = out.pixelFormat() == PixelFormat.YUV420P || out.pixelFormat() == PixelFormat.NV12;
        fill(slot, 0, yuv ? luma : total, yuv ? (byte) 16 : 0);
        if (yuv) {
            fill(slot, luma, total, (byte) 128);
        }
        barsPainted.put(address, rect);
    }

    private static void fill(ByteBuffer slot, int from, int to, byte value) {
        byte[] row = new byte[Math.min(65536, Math.max(0, to - from))];
        java.util.Arrays.fill(row, value);
        for (int at = from; at < to; at += row.length) {
            slot.put(at, row, 0, Math.min(row.length, to - at));
        }
    }

    private static boolean isChromaPlane(PixelFormat f, int plane) {
        return plane > 0 && (f == PixelFormat.YUV420P || f == PixelFormat.NV12);
    }

    private static int evenWithin(double v, int max) {
        int r = (int) Math.round(v / 2) * 2;
        return Math.max(2, Math.min(max & ~1, r));
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
        srcPlanes.close();
        srcStrides.close();
    }

    /** swscale refused or failed a conversion. */
    static final class ConversionException extends Exception {
        private static final long serialVersionUID = 1L;

        ConversionException(String message) {
            super(message);
        }
    }
}
