package io.framebus.contract;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import io.framebus.shm.RingDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One output of a camera: a picture of its own size, pixel format, rate and scale mode made from the same decoded
 * frame as every other output of that camera, published into a ring of its own.
 *
 * <p>Every camera has the default output {@value #DEFAULT_NAME} (the camera's {@code width}, {@code height},
 * {@code pixelFormat} and {@code fps}; ring {@code <id>.ring}). Extra outputs are written in one line each, the same
 * grammar in the camera configuration ({@code outputs}) and in the capture settings document:
 * <pre>
 * output  = name ":" token*                      e.g.  detect: 640x640 RGB24 fps=2 fit
 * name    = [a-z0-9_-]{1,32}, not "main"
 * token   = size | pixelFormat | "fps=" number | scale      (any order, each at most once)
 * size    = W "x" H (0 for one side keeps the source's aspect) | "source"      default: source
 * pixelFormat = BGR24 | RGB24 | GRAY8 | YUV420P | NV12 (any case)               default: BGR24
 * fps     = 0 (every decoded frame) .. 1000                                     default: the camera's fps
 * scale   = stretch | fit (whole picture, black bars) | crop (fills, cuts the overflow)   default: stretch
 * </pre>
 * Several outputs in one string are separated by {@code ;} (so a plain {@code key = value} properties line can
 * hold them all).
 *
 * @param name       the output's name ({@code [a-z0-9_-]{1,32}}), the {@code output} service property
 * @param width      0 with {@code height} 0 = the source's size
 * @param height     see {@code width}
 * @param scale      how the source picture is fitted into a size of another aspect ratio
 */
public record CaptureOutput(String name, int width, int height, PixelFormat pixelFormat, double fps, ScaleMode scale) {

    /** Name of every camera's default output (ring {@code <id>.ring}). */
    public static final String DEFAULT_NAME = "main";
    /** Output names: lower-case so that file names and service filters never differ by case alone. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,32}");
    /** At most this many extra outputs per camera (each costs a conversion per published frame). */
    public static final int MAX_EXTRA_OUTPUTS = 8;

    /** How a picture is fitted into an output of another aspect ratio. */
    public enum ScaleMode {
        /** The whole picture, stretched to the output's size (aspect ratio not kept). */
        STRETCH,
        /** The whole picture, aspect ratio kept, centred; the rest black (letterbox or pillarbox bars). */
        FIT,
        /** The output filled, aspect ratio kept, centred; what overflows is cut off. */
        CROP
    }

    private static final Pattern SIZE = Pattern.compile("(\\d{1,9})x(\\d{1,9})");

    /** The ring file of output {@code output} of camera {@code cameraId}: {@code <id>~<output>.ring}. */
    public static Path ringPath(Path defaultRing, String output) {
        if (DEFAULT_NAME.equals(output)) {
            return defaultRing;
        }
        String file = defaultRing.getFileName().toString();
        String id = file.substring(0, file.length() - RingDirectory.SUFFIX.length());
        return defaultRing.resolveSibling(id + RingDirectory.OUTPUT_SEPARATOR + output + RingDirectory.SUFFIX);
    }

    /**
     * The output geometry for a source of {@code sourceWidth} x {@code sourceHeight}: the configured size, or the
     * source's, or with one side configured the other from the source's aspect ratio (rounded to an even number).
     */
    public FrameFormat format(int sourceWidth, int sourceHeight) {
        return sized(width, height, pixelFormat, sourceWidth, sourceHeight);
    }

    /** The geometry rule of every output, the default one ({@link CaptureSettings#outputFormat}) included. */
    static FrameFormat sized(int width, int height, PixelFormat pixelFormat, int sourceWidth, int sourceHeight) {
        int w = width;
        int h = height;
        if (w == 0 && h == 0) {
            w = sourceWidth;
            h = sourceHeight;
        } else if (w == 0) {
            w = evenAtLeastTwo((double) h * sourceWidth / sourceHeight);
        } else if (h == 0) {
            h = evenAtLeastTwo((double) w * sourceHeight / sourceWidth);
        }
        return new FrameFormat(w, h, pixelFormat);
    }

    /** Whether the output size is fixed (otherwise it follows the source). */
    public boolean fixedSize() {
        return width > 0 && height > 0;
    }

    /** The canonical one-line form, as {@link #parseAll} reads it. */
    public String line() {
        return name + ": " + (width == 0 && height == 0 ? "source" : width + "x" + height) + " " + pixelFormat
                + " fps=" + number(fps) + " " + scale.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return line();
    }

    /**
     * Reads outputs: each string may hold several separated by {@code ;}; blank ones are skipped.
     *
     * @param defaultFps an output's fps when it names none (the camera's)
     * @param problems   where each problem goes, as a message that names the output and the bad value
     */
    public static List<CaptureOutput> parseAll(String[] texts, double defaultFps, List<String> problems) {
        List<CaptureOutput> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        if (texts == null) {
            return out;
        }
        for (String text : texts) {
            if (text == null) {
                continue;
            }
            for (String one : text.split(";")) {
                if (one.isBlank()) {
                    continue;
                }
                CaptureOutput o = parse(one.strip(), defaultFps, problems);
                if (o == null) {
                    continue;
                }
                if (!names.add(o.name)) {
                    problems.add("output '" + o.name + "' is defined twice");
                } else {
                    out.add(o);
                }
            }
        }
        if (out.size() > MAX_EXTRA_OUTPUTS) {
            problems.add("at most " + MAX_EXTRA_OUTPUTS + " outputs besides '" + DEFAULT_NAME + "', got "
                    + out.size());
        }
        return out;
    }

    /** One output, or null with its problems added. */
    static CaptureOutput parse(String text, double defaultFps, List<String> problems) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            problems.add("output '" + shorten(text) + "' must start with a name and a colon, as in "
                    + "'detect: 640x640 RGB24 fps=2 fit'");
            return null;
        }
        String name = text.substring(0, colon).strip();
        int before = problems.size();
        if (!NAME.matcher(name).matches()) {
            problems.add("output name '" + shorten(name) + "' must be 1-32 characters of a-z 0-9 _ -");
        } else if (name.equals(DEFAULT_NAME)) {
            problems.add("output name '" + DEFAULT_NAME + "' is the default output's (width, height, pixelFormat, "
                    + "fps); choose another name");
        }
        String label = "output '" + shorten(name) + "'";
        int width = 0;
        int height = 0;
        PixelFormat format = null;
        Double fps = null;
        ScaleMode scale = null;
        boolean sized = false;
        for (String token : text.substring(colon + 1).strip().split("\\s+")) {
            if (token.isEmpty()) {
                continue;
            }
            String lower = token.toLowerCase(Locale.ROOT);
            var size = SIZE.matcher(lower);
            if (size.matches() || lower.equals("source")) {
                if (sized) {
                    problems.add(label + ": two sizes ('" + token + "')");
                    continue;
                }
                sized = true;
                if (size.matches()) {
                    width = (int) Math.min(Integer.MAX_VALUE, Long.parseLong(size.group(1)));
                    height = (int) Math.min(Integer.MAX_VALUE, Long.parseLong(size.group(2)));
                    if (width > CaptureSettings.MAX_DIMENSION || height > CaptureSettings.MAX_DIMENSION
                            || (width < 2 && width != 0) || (height < 2 && height != 0)
                            || (width == 0 && height == 0)) {
                        problems.add(label + ": size '" + token + "' must have sides 2.." + CaptureSettings.MAX_DIMENSION
                                + " (0 for one side keeps the source's aspect; 'source' for the source's size)");
                    }
                }
            } else if (lower.startsWith("fps=")) {
                if (fps != null) {
                    problems.add(label + ": fps given twice");
                    continue;
                }
                String v = token.substring(4);
                try {
                    double d = Double.parseDouble(v);
                    if (!(d >= 0 && d <= CaptureSettings.MAX_FPS)) {
                        throw new NumberFormatException();
                    }
                    fps = d;
                } catch (NumberFormatException e) {
                    problems.add(label + ": fps must be a number 0.." + number(CaptureSettings.MAX_FPS) + ", got '"
                            + shorten(v) + "'");
                    fps = defaultFps;
                }
            } else if (isScale(lower)) {
                if (scale != null) {
                    problems.add(label + ": two scale modes ('" + token + "')");
                    continue;
                }
                scale = ScaleMode.valueOf(lower.toUpperCase(Locale.ROOT));
            } else if (isPixelFormat(token)) {
                if (format != null) {
                    problems.add(label + ": two pixel formats ('" + token + "')");
                    continue;
                }
                format = PixelFormat.valueOf(token.toUpperCase(Locale.ROOT));
            } else {
                problems.add(label + ": '" + shorten(token) + "' is not a size (WxH or source), a pixel format "
                        + "(BGR24, RGB24, GRAY8, YUV420P, NV12), fps=N or a scale mode (stretch, fit, crop)");
            }
        }
        if (problems.size() > before) {
            return null;
        }
        return new CaptureOutput(name, width, height, format == null ? PixelFormat.BGR24 : format,
                fps == null ? defaultFps : fps, scale == null ? ScaleMode.STRETCH : scale);
    }

    /** The outputs as one string, for the settings document. */
    public static String join(List<CaptureOutput> outputs) {
        List<String> lines = new ArrayList<>();
        outputs.forEach(o -> lines.add(o.line()));
        return String.join("; ", lines);
    }

    private static boolean isScale(String lower) {
        for (ScaleMode m : ScaleMode.values()) {
            if (m.name().toLowerCase(Locale.ROOT).equals(lower)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPixelFormat(String token) {
        for (PixelFormat f : PixelFormat.values()) {
            if (f.name().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    static int evenAtLeastTwo(double v) {
        long r = Math.round(v / 2) * 2;
        return (int) Math.max(2, Math.min(CaptureSettings.MAX_DIMENSION, r));
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
