package io.framebus.contract;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code testsrc:} URL: FFmpeg's lavfi test sources, for demos and tests.
 * {@code testsrc:size=640x480:rate=25:pattern=testsrc2:color=red}, every parameter optional:
 * <ul>
 *   <li>{@code size}: WxH, default 640x480;</li>
 *   <li>{@code rate}: frames per second, a number or a fraction such as 30000/1001, default 25;</li>
 *   <li>{@code pattern}: testsrc2 (default), testsrc, smptebars, smptehdbars, rgbtestsrc, yuvtestsrc, color;</li>
 *   <li>{@code color}: for pattern=color, a name (red, white, ...) or 0xRRGGBB, default black.</li>
 * </ul>
 */
public record TestPattern(int width, int height, String rate, String pattern, String color) {
    public static final Set<String> PATTERNS = Set.of("testsrc2", "testsrc", "smptebars", "smptehdbars", "rgbtestsrc",
            "yuvtestsrc", "color");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");
    private static final Pattern RATE = Pattern.compile("\\d{1,4}(\\.\\d{1,6})?|\\d{1,7}/\\d{1,7}");
    private static final Pattern COLOR = Pattern.compile("[A-Za-z]{1,32}|0x[0-9A-Fa-f]{6}|#[0-9A-Fa-f]{6}");

    /** @throws IllegalArgumentException naming the bad parameter */
    public static TestPattern parse(String url) {
        String rest = url.substring(SourceUrl.TEST_SCHEME.length());
        if (rest.startsWith("//")) {
            rest = rest.substring(2);
        }
        int width = 640;
        int height = 480;
        String rate = "25";
        String pattern = "testsrc2";
        String color = "black";
        if (!rest.isEmpty()) {
            for (String param : rest.split(":")) {
                int eq = param.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("testsrc parameter '" + param + "' must be name=value "
                            + "(size=WxH, rate=R, pattern=P, color=C, separated by ':')");
                }
                String name = param.substring(0, eq);
                String value = param.substring(eq + 1);
                switch (name) {
                    case "size" -> {
                        Matcher m = SIZE.matcher(value);
                        if (!m.matches()) {
                            throw new IllegalArgumentException("testsrc size must be WxH, got '" + value + "'");
                        }
                        width = Integer.parseInt(m.group(1));
                        height = Integer.parseInt(m.group(2));
                        if (width < 2 || height < 2 || width > CaptureSettings.MAX_DIMENSION
                                || height > CaptureSettings.MAX_DIMENSION) {
                            throw new IllegalArgumentException("testsrc size must be 2x2.."
                                    + CaptureSettings.MAX_DIMENSION + "x" + CaptureSettings.MAX_DIMENSION
                                    + ", got '" + value + "'");
                        }
                    }
                    case "rate" -> {
                        if (!RATE.matcher(value).matches() || rateValue(value) <= 0
                                || rateValue(value) > CaptureSettings.MAX_FPS) {
                            throw new IllegalArgumentException("testsrc rate must be a positive number or "
                                    + "fraction up to " + (int) CaptureSettings.MAX_FPS + ", got '" + value + "'");
                        }
                        rate = value;
                    }
                    case "pattern" -> {
                        if (!PATTERNS.contains(value)) {
                            throw new IllegalArgumentException("testsrc pattern must be one of "
                                    + String.join(", ", new java.util.TreeSet<>(PATTERNS)) + ", got '" + value + "'");
                        }
                        pattern = value;
                    }
                    case "color" -> {
                        if (!COLOR.matcher(value).matches()) {
                            throw new IllegalArgumentException("testsrc color must be a name or 0xRRGGBB, got '"
                                    + value + "'");
                        }
                        color = value.startsWith("#") ? "0x" + value.substring(1) : value;
                    }
                    default -> throw new IllegalArgumentException("unknown testsrc parameter '" + name
                            + "' (size, rate, pattern, color)");
                }
            }
        }
        return new TestPattern(width, height, rate, pattern, color);
    }

    /** The lavfi graph FFmpeg opens. */
    public String lavfiGraph() {
        String g = pattern + "=size=" + width + "x" + height + ":rate=" + rate;
        return pattern.equals("color") ? g + ":color=" + color : g;
    }

    private static double rateValue(String rate) {
        int slash = rate.indexOf('/');
        if (slash < 0) {
            return Double.parseDouble(rate);
        }
        double den = Double.parseDouble(rate.substring(slash + 1));
        return den == 0 ? -1 : Double.parseDouble(rate.substring(0, slash)) / den;
    }
}
