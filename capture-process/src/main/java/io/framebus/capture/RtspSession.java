package io.framebus.capture;

import io.framebus.shm.RingError;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal RTSP 1.0 client for one H.264 or H.265 video track over TCP (RTP interleaved in the RTSP connection):
 * DESCRIBE (with Basic or Digest authentication), SETUP, PLAY, keep-alive, TEARDOWN; then RTP and RTCP packets.
 *
 * <p>Why framebus has its own: FFmpeg's RTP depacketizer for H.264/H.265 drops the RTP marker bit (the end of an
 * access unit) and the fragmentation units' end bit, and its parser then holds every frame until the first packet
 * of the next one arrives: one source frame interval of added latency (167 ms at 6 fps, 500 ms at 2 fps; measured
 * in docs/benchmarks.md). With the packets in hand, {@link RtpDepacketizer} closes each access unit at its marker
 * bit and the decoder gets it at once. FFmpeg still decodes.
 *
 * <p>What it does not do makes the capture fall back to FFmpeg's client ({@link Unsupported}): a codec other than
 * H.264/H.265, an authentication scheme other than Basic/Digest-MD5, a server that refuses interleaved TCP.
 * rtsps:// and UDP transport never come here. Credentials come from the URL's user info; they are sent only in the
 * Authorization header and never appear in any message this class makes.
 */
final class RtspSession implements AutoCloseable {
    /** The server or stream needs something this client does not do: use FFmpeg's RTSP client instead. */
    static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported(String message) {
            super(message);
        }
    }

    /** The video track: codec ("H264" or "H265"), RTP payload type and clock, parameter sets in Annex B form. */
    record Track(String codec, int payloadType, int clockRate, byte[] parameterSets, String controlUrl) {
    }

    /** One interleaved packet: its channel and bytes. */
    record Interleaved(int channel, byte[] data) {
    }

    private static final String USER_AGENT = "framebus";
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final Pattern STATUS = Pattern.compile("RTSP/1\\.\\d (\\d{3})(?: (.*))?");
    private static final Pattern INTERLEAVED = Pattern.compile("interleaved=(\\d+)(?:-(\\d+))?");
    private static final Pattern AUTH_PARAM = Pattern.compile("(\\w+)=(?:\"([^\"]*)\"|([^,\\s]*))");

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String requestUrl;
    private final String user;
    private final String password;
    private int cseq;
    private String authScheme;
    private Map<String, String> authParams = Map.of();
    private int digestCount;
    private String session;
    private long keepAliveNanos = TimeUnit.SECONDS.toNanos(30);
    private long lastRequestNanos;
    private Track track;
    private int rtpChannel;
    private int rtcpChannel = 1;

    private RtspSession(Socket socket, String requestUrl, String user, String password) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
        this.requestUrl = requestUrl;
        this.user = user;
        this.password = password;
    }

    /**
     * Connects, describes, sets up the video track and starts playing.
     *
     * @param url           rtsp:// URL, credentials (percent-encoded) in its user info
     * @param timeoutMillis connect and read timeout
     * @throws SourceException classified like FFmpeg's failures (CONNECT, TIMEOUT, AUTH, NOT_FOUND, UNSUPPORTED,
     *                         STREAM); messages carry no credentials
     * @throws Unsupported     the stream needs FFmpeg's client
     */
    static RtspSession open(String url, int timeoutMillis) throws SourceException, Unsupported {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new Unsupported("not a URL this client parses");
        }
        if (uri.getHost() == null || !"rtsp".equalsIgnoreCase(uri.getScheme())) {
            throw new Unsupported("not an rtsp:// URL with a host");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String raw = uri.getRawUserInfo();
            int colon = raw.indexOf(':');
            user = percentDecode(colon < 0 ? raw : raw.substring(0, colon));
            password = colon < 0 ? "" : percentDecode(raw.substring(colon + 1));
        }
        int port = uri.getPort() > 0 ? uri.getPort() : 554;
        String requestUrl = "rtsp://" + hostForUrl(uri.getHost()) + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        Socket socket = new Socket();
        RtspSession s = null;
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeoutMillis);
            socket.connect(new InetSocketAddress(uri.getHost(), port), timeoutMillis);
            s = new RtspSession(socket, requestUrl, user, password);
            s.start();
            return s;
        } catch (ConnectException e) {
            closeQuietly(socket);
            throw new SourceException(RingError.CONNECT, "connection refused");
        } catch (UnknownHostException e) {
            closeQuietly(socket);
            throw new SourceException(RingError.CONNECT, "host not found: " + uri.getHost());
        } catch (NoRouteToHostException e) {
            closeQuietly(socket);
            throw new SourceException(RingError.CONNECT, "no route to host");
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            throw new SourceException(RingError.TIMEOUT, (s == null ? "no connection" : "no answer")
                    + " within " + timeoutMillis + " ms");
        } catch (NotRtsp e) {
            closeQuietly(socket);
            throw new SourceException(RingError.UNSUPPORTED, "not an RTSP video source: " + e.getMessage());
        } catch (IOException e) {
            closeQuietly(socket);
            throw new SourceException(RingError.STREAM, "RTSP connection failed: " + e.getMessage());
        } catch (SourceException | Unsupported | RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    private void start() throws IOException, SourceException, Unsupported {
        Response describe = request("DESCRIBE", requestUrl, Map.of("Accept", "application/sdp"));
        String base = describe.header("content-base");
        if (base == null) {
            base = describe.header("content-location");
        }
        if (base == null) {
            base = requestUrl;
        }
        track = Sdp.videoTrack(new String(describe.body, StandardCharsets.UTF_8), base);
        Response setup = request("SETUP", track.controlUrl(),
                Map.of("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"));
        String transport = setup.header("transport");
        if (transport == null || !transport.toUpperCase(Locale.ROOT).contains("TCP")) {
            throw new Unsupported("the server did not accept RTP interleaved over TCP");
        }
        Matcher m = INTERLEAVED.matcher(transport);
        if (m.find()) {
            rtpChannel = Integer.parseInt(m.group(1));
            rtcpChannel = m.group(2) != null ? Integer.parseInt(m.group(2)) : rtpChannel + 1;
        }
        String sessionHeader = setup.header("session");
        if (sessionHeader == null) {
            throw new SourceException(RingError.STREAM, "RTSP SETUP answered without a session");
        }
        String[] parts = sessionHeader.split(";");
        session = parts[0].trim();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim().toLowerCase(Locale.ROOT);
            if (p.startsWith("timeout=")) {
                try {
                    long seconds = Long.parseLong(p.substring(8).trim());
                    if (seconds > 0) {
                        keepAliveNanos = TimeUnit.SECONDS.toNanos(seconds) / 2;
                    }
                } catch (NumberFormatException ignored) {
                    // keep the default
                }
            }
        }
        String playUrl = Sdp.sessionControl(new String(describe.body, StandardCharsets.UTF_8), base);
        request("PLAY", playUrl, Map.of("Range", "npt=0.000-"));
    }

    Track track() {
        return track;
    }

    int rtpChannel() {
        return rtpChannel;
    }

    int rtcpChannel() {
        return rtcpChannel;
    }

    /**
     * The next interleaved packet (RTP or RTCP; answers to keep-alives are skipped). Sends a keep-alive when due.
     *
     * @throws SocketTimeoutException nothing arrived within the timeout
     * @throws EOFException           the server closed the connection
     */
    Interleaved next() throws IOException {
        if (System.nanoTime() - lastRequestNanos > keepAliveNanos) {
            // answered later, skipped by the loop below; any request with the session id keeps it alive
            send("OPTIONS", requestUrl, Map.of());
        }
        while (true) {
            int first = in.read();
            if (first < 0) {
                throw new EOFException("the server closed the connection");
            }
            if (first == '$') {
                int channel = readByte();
                int length = (readByte() << 8) | readByte();
                byte[] data = in.readNBytes(length);
                if (data.length < length) {
                    throw new EOFException("the server closed the connection");
                }
                return new Interleaved(channel, data);
            }
            readMessage(first); // an answer to a keep-alive, or a server request: nothing to do with it
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the server closed the connection");
        }
        return b;
    }

    @Override
    public void close() {
        if (session != null && !socket.isClosed()) {
            try {
                send("TEARDOWN", requestUrl, Map.of()); // not waited for, as FFmpeg does
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        closeQuietly(socket);
    }

    /** A request and its answer; 401 once with credentials; classified failures. */
    private Response request(String method, String url, Map<String, String> headers)
            throws IOException, SourceException, Unsupported {
        send(method, url, headers);
        Response r = awaitResponse();
        if (r.status == 401 && user != null && authScheme == null) {
            chooseAuth(r);
            send(method, url, headers);
            r = awaitResponse();
        }
        if (r.status == 200) {
            return r;
        }
        String what = "RTSP " + method + " answered " + r.status + (r.reason.isEmpty() ? "" : " " + r.reason);
        if (r.status >= 300 && r.status < 400) {
            throw new Unsupported(what + " (a redirect: FFmpeg's client follows it)");
        }
        switch (r.status) {
            case 401, 403 -> throw new SourceException(RingError.AUTH, what
                    + (user == null ? " (no credentials given)" : " (credentials refused)"));
            case 404 -> throw new SourceException(RingError.NOT_FOUND, what);
            case 461 -> throw new Unsupported(what);
            default -> {
                if (method.equals("SETUP") && r.status >= 400 && r.status < 500) {
                    throw new Unsupported(what);
                }
                throw new SourceException(r.status >= 500 ? RingError.STREAM : RingError.UNSUPPORTED, what);
            }
        }
    }

    private void chooseAuth(Response r) throws Unsupported {
        String digest = null;
        boolean basic = false;
        for (String h : r.headers("www-authenticate")) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("digest ")) {
                digest = h.substring(7);
            } else if (lower.startsWith("basic")) {
                basic = true;
            }
        }
        if (digest != null) {
            Map<String, String> params = new LinkedHashMap<>();
            Matcher m = AUTH_PARAM.matcher(digest);
            while (m.find()) {
                params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2) != null ? m.group(2) : m.group(3));
            }
            String algorithm = params.getOrDefault("algorithm", "MD5");
            String qop = params.get("qop");
            if (!algorithm.equalsIgnoreCase("MD5") || params.get("nonce") == null
                    || (qop != null && !List.of(qop.split(",")).stream().map(String::trim).toList().contains("auth"))) {
                throw new Unsupported("digest authentication variant " + algorithm + "/" + qop);
            }
            authScheme = "Digest";
            authParams = params;
        } else if (basic) {
            authScheme = "Basic";
        } else {
            throw new Unsupported("an authentication scheme other than Basic and Digest");
        }
    }

    private String authorization(String method, String url) {
        if ("Basic".equals(authScheme)) {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
        }
        String realm = authParams.getOrDefault("realm", "");
        String nonce = authParams.get("nonce");
        String ha1 = md5(user + ":" + realm + ":" + password);
        String ha2 = md5(method + ":" + url);
        StringBuilder h = new StringBuilder("Digest username=\"").append(user).append("\", realm=\"").append(realm)
                .append("\", nonce=\"").append(nonce).append("\", uri=\"").append(url).append('"');
        if (authParams.containsKey("qop")) {
            String nc = String.format(Locale.ROOT, "%08x", ++digestCount);
            byte[] c = new byte[8];
            new SecureRandom().nextBytes(c);
            String cnonce = HexFormat.of().formatHex(c);
            h.append(", qop=auth, nc=").append(nc).append(", cnonce=\"").append(cnonce).append("\", response=\"")
                    .append(md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)).append('"');
        } else {
            h.append(", response=\"").append(md5(ha1 + ":" + nonce + ":" + ha2)).append('"');
        }
        if (authParams.containsKey("opaque")) {
            h.append(", opaque=\"").append(authParams.get("opaque")).append('"');
        }
        return h.append(", algorithm=MD5").toString();
    }

    private void send(String method, String url, Map<String, String> headers) throws IOException {
        StringBuilder r = new StringBuilder(method).append(' ').append(url).append(" RTSP/1.0\r\n")
                .append("CSeq: ").append(++cseq).append("\r\n")
                .append("User-Agent: ").append(USER_AGENT).append("\r\n");
        if (session != null) {
            r.append("Session: ").append(session).append("\r\n");
        }
        if (authScheme != null) {
            r.append("Authorization: ").append(authorization(method, url)).append("\r\n");
        }
        headers.forEach((k, v) -> r.append(k).append(": ").append(v).append("\r\n"));
        r.append("\r\n");
        out.write(r.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        lastRequestNanos = System.nanoTime();
    }

    /** The answer to the last request; interleaved packets that arrive before it (after PLAY) are dropped. */
    private Response awaitResponse() throws IOException, SourceException {
        while (true) {
            int first = in.read();
            if (first < 0) {
                throw new SourceException(RingError.STREAM, "the server closed the RTSP connection");
            }
            if (first == '$') {
                readByte();
                int length = (readByte() << 8) | readByte();
                in.skipNBytes(length);
                continue;
            }
            Response r = readMessage(first);
            if (r != null && r.cseq == cseq) {
                return r;
            }
        }
    }

    /** Reads one RTSP message whose first byte was already read; null for a request from the server. */
    private Response readMessage(int first) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        line.write(first);
        int total = 1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the server closed the connection");
            }
            if (++total > MAX_HEADER_BYTES) {
                throw new IOException("not an RTSP server: no end of header in " + MAX_HEADER_BYTES + " bytes");
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                if (text.endsWith("\r")) {
                    text = text.substring(0, text.length() - 1);
                }
                line.reset();
                if (text.isEmpty()) {
                    break;
                }
                lines.add(text);
            } else {
                line.write(b);
            }
        }
        Response r = new Response();
        Matcher status = STATUS.matcher(lines.isEmpty() ? "" : lines.get(0));
        boolean isResponse = status.matches();
        if (!isResponse && !lines.isEmpty() && !lines.get(0).endsWith("RTSP/1.0")) {
            throw new NotRtsp();
        }
        for (int i = 1; i < lines.size(); i++) {
            int colon = lines.get(i).indexOf(':');
            if (colon > 0) {
                r.headers.add(new String[] {lines.get(i).substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines.get(i).substring(colon + 1).trim()});
            }
        }
        int length = 0;
        String cl = r.header("content-length");
        if (cl != null) {
            try {
                length = Integer.parseInt(cl);
            } catch (NumberFormatException e) {
                throw new NotRtsp();
            }
        }
        if (length < 0 || length > MAX_BODY_BYTES) {
            throw new NotRtsp();
        }
        r.body = in.readNBytes(length);
        if (!isResponse) {
            return null;
        }
        r.status = Integer.parseInt(status.group(1));
        r.reason = status.group(2) == null ? "" : status.group(2);
        String c = r.header("cseq");
        r.cseq = c == null ? -1 : parseIntOr(c, -1);
        return r;
    }

    /** What a peer that does not speak RTSP sends: reported as not a video source, like FFmpeg does. */
    static final class NotRtsp extends IOException {
        private static final long serialVersionUID = 1L;

        NotRtsp() {
            super("the peer does not speak RTSP");
        }
    }

    private static final class Response {
        int status;
        String reason = "";
        int cseq;
        final List<String[]> headers = new ArrayList<>();
        byte[] body = new byte[0];

        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equals(name)) {
                    return h[1];
                }
            }
            return null;
        }

        List<String> headers(String name) {
            List<String> all = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equals(name)) {
                    all.add(h[1]);
                }
            }
            return all;
        }
    }

    /** The parts of an SDP this client needs. */
    static final class Sdp {
        private Sdp() {
        }

        /** The first H.264 or H.265 video track. */
        static Track videoTrack(String sdp, String base) throws Unsupported {
            boolean inVideo = false;
            boolean sawVideo = false;
            List<Integer> payloadTypes = new ArrayList<>();
            Map<Integer, String> rtpmap = new LinkedHashMap<>();
            Map<Integer, String> fmtp = new LinkedHashMap<>();
            String control = null;
            for (String raw : sdp.split("\r?\n")) {
                String l = raw.trim();
                if (l.startsWith("m=")) {
                    if (sawVideo) {
                        break; // the first video track only
                    }
                    inVideo = l.startsWith("m=video ");
                    if (inVideo) {
                        sawVideo = true;
                        String[] f = l.split(" ");
                        for (int i = 3; i < f.length; i++) {
                            payloadTypes.add(parseIntOr(f[i], -1));
                        }
                    }
                } else if (inVideo && l.startsWith("a=rtpmap:")) {
                    String[] f = l.substring(9).split(" ", 2);
                    if (f.length == 2) {
                        rtpmap.put(parseIntOr(f[0], -1), f[1].trim());
                    }
                } else if (inVideo && l.startsWith("a=fmtp:")) {
                    String[] f = l.substring(7).split(" ", 2);
                    if (f.length == 2) {
                        fmtp.put(parseIntOr(f[0], -1), f[1].trim());
                    }
                } else if (inVideo && l.startsWith("a=control:")) {
                    control = l.substring(10).trim();
                }
            }
            if (!sawVideo || payloadTypes.isEmpty()) {
                throw new Unsupported("no video track in the SDP");
            }
            int pt = payloadTypes.get(0);
            String map = rtpmap.getOrDefault(pt, "");
            String[] enc = map.split("/");
            String codec = enc[0].toUpperCase(Locale.ROOT);
            if (!codec.equals("H264") && !codec.equals("H265")) {
                throw new Unsupported("video codec " + (map.isEmpty() ? "of payload type " + pt : enc[0]));
            }
            int clock = enc.length > 1 ? parseIntOr(enc[1], 90000) : 90000;
            byte[] sets = parameterSets(codec, fmtp.getOrDefault(pt, ""));
            return new Track(codec, pt, clock, sets, resolve(base, control));
        }

        /** The URL for PLAY: the session-level control, else the base. */
        static String sessionControl(String sdp, String base) {
            for (String raw : sdp.split("\r?\n")) {
                String l = raw.trim();
                if (l.startsWith("m=")) {
                    break;
                }
                if (l.startsWith("a=control:")) {
                    return resolve(base, l.substring(10).trim());
                }
            }
            return base;
        }

        static String resolve(String base, String control) {
            if (control == null || control.isEmpty() || control.equals("*")) {
                return base;
            }
            if (control.regionMatches(true, 0, "rtsp://", 0, 7)) {
                return control;
            }
            return base.endsWith("/") ? base + control : base + "/" + control;
        }

        /** sprop-parameter-sets (H.264) or sprop-vps/-sps/-pps (H.265), each behind an Annex B start code. */
        static byte[] parameterSets(String codec, String fmtp) {
            ByteArrayOutputStream sets = new ByteArrayOutputStream();
            List<String> keys = codec.equals("H264") ? List.of("sprop-parameter-sets")
                    : List.of("sprop-vps", "sprop-sps", "sprop-pps");
            Map<String, String> params = new LinkedHashMap<>();
            for (String p : fmtp.split(";")) {
                int eq = p.indexOf('=');
                if (eq > 0) {
                    params.put(p.substring(0, eq).trim().toLowerCase(Locale.ROOT), p.substring(eq + 1).trim());
                }
            }
            for (String key : keys) {
                String value = params.get(key);
                if (value == null) {
                    continue;
                }
                for (String b64 : value.split(",")) {
                    try {
                        byte[] nal = Base64.getDecoder().decode(b64.trim());
                        if (nal.length > 0) {
                            sets.writeBytes(RtpDepacketizer.START_CODE);
                            sets.writeBytes(nal);
                        }
                    } catch (IllegalArgumentException ignored) {
                        // a broken parameter set in the SDP: the stream repeats them in band
                    }
                }
            }
            return sets.toByteArray();
        }
    }

    private static int parseIntOr(String s, int fallback) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** Percent-decoding of URL user info ('+' stays '+', unlike URLDecoder). */
    static String percentDecode(String s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                int v = Character.digit(s.charAt(i + 1), 16) << 4 | Character.digit(s.charAt(i + 2), 16);
                if (Character.digit(s.charAt(i + 1), 16) >= 0 && Character.digit(s.charAt(i + 2), 16) >= 0) {
                    b.write(v);
                    i += 2;
                    continue;
                }
            }
            b.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every Java runtime", e);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
