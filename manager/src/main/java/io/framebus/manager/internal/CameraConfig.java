package io.framebus.manager.internal;

import io.framebus.contract.CaptureSettings;
import io.framebus.shm.RingWriter;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** One camera: a factory configuration of PID {@code io.framebus.camera} (file {@code io.framebus.camera-<name>.cfg}). */
@ObjectClassDefinition(
        id = CameraConfig.FACTORY_PID,
        name = "framebus camera",
        description = "One IP camera (or file, or test pattern) decoded into live frames by its own capture process.")
@interface CameraConfig {
    String FACTORY_PID = "io.framebus.camera";

    /** Shown in the web console's list of configurations. */
    String webconsole_configurationFactory_nameHint() default "{id} {url}";

    @AttributeDefinition(name = "Camera id", description = "Unique id: 1-64 characters of A-Z a-z 0-9 . _ -, not "
            + "starting with a dot. Names the ring file and the FrameSource service property camera.id.")
    String id();

    @AttributeDefinition(name = "Name", description = "Human-readable name (service property camera.name); defaults to the id.",
            required = false)
    String name() default "";

    @AttributeDefinition(name = "URL", description = "rtsp://, rtsps://, http(s)://, a file path or file: URL, or "
            + "testsrc: (FFmpeg test pattern, e.g. testsrc:size=1280x720:rate=25). Credentials may be given as "
            + "user:password@host; they are never logged or shown.", type = AttributeType.PASSWORD)
    String url();

    @AttributeDefinition(name = "User name", description = "User for the camera, if not given in the URL.",
            required = false)
    String username() default "";

    @AttributeDefinition(name = "Password", description = "Password for the camera, if not given in the URL; never "
            + "logged, shown or passed on a command line.", type = AttributeType.PASSWORD, required = false)
    String password() default "";

    @AttributeDefinition(name = "Enabled", description = "Run this camera. A disabled camera is shown as STOPPED.")
    boolean enabled() default true;

    @AttributeDefinition(name = "Width", description = "Output width in pixels; 0 = the source's width.", min = "0", max = "" + CaptureSettings.MAX_DIMENSION)
    int width() default 0;

    @AttributeDefinition(name = "Height", description = "Output height in pixels; 0 = the source's height.", min = "0", max = "" + CaptureSettings.MAX_DIMENSION)
    int height() default 0;

    @AttributeDefinition(name = "Pixel format", description = "Layout of the published frames.", options = {
            @Option(label = "BGR24 (OpenCV order)", value = "BGR24"), @Option(label = "RGB24", value = "RGB24"),
            @Option(label = "GRAY8", value = "GRAY8"), @Option(label = "YUV420P (planar)", value = "YUV420P"),
            @Option(label = "NV12", value = "NV12")})
    String pixelFormat() default CaptureSettings.DEFAULT_PIXEL_FORMAT;

    @AttributeDefinition(name = "Frame rate", description = "Maximum frames published per second (the newest frame "
            + "is always the one published); 0 = every decoded frame.", min = "0", max = "" + (int) CaptureSettings.MAX_FPS)
    double fps() default CaptureSettings.DEFAULT_FPS;

    @AttributeDefinition(name = "Extra outputs", description = "More pictures from the same decoded frames, each "
            + "with its own ring and FrameSource (service property output=<name>; the settings above are output "
            + "main). One output per value, or several separated by ';': 'name: size format fps=N scale', e.g. "
            + "'detect: 640x640 RGB24 fps=2 fit'. name: a-z 0-9 _ - (1-32); size: WxH, Wx0 or 0xH (aspect kept) or "
            + "source (default); format: BGR24 (default), RGB24, GRAY8, YUV420P, NV12; fps: 0-1000 (default: the "
            + "camera's fps); scale: stretch (default), fit (whole picture, black bars), crop (fills, cuts the "
            + "overflow). At most " + io.framebus.contract.CaptureOutput.MAX_EXTRA_OUTPUTS + ".", required = false)
    String[] outputs() default {};

    @AttributeDefinition(name = "Ring slots", description = "Frames kept in the shared-memory ring.", min = "" + RingWriter.MIN_SLOTS, max = "" + RingWriter.MAX_SLOTS)
    int ringSlots() default CaptureSettings.DEFAULT_SLOTS;

    @AttributeDefinition(name = "RTSP transport", description = "Transport for rtsp:// sources.", options = {
            @Option(label = "TCP", value = "tcp"), @Option(label = "UDP", value = "udp")})
    String rtspTransport() default CaptureSettings.DEFAULT_RTSP_TRANSPORT;

    @AttributeDefinition(name = "Decode mode", description = "all: decode every frame; keyframes: decode only key "
            + "frames (cheap low-rate snapshots).", options = {
            @Option(label = "All frames", value = "all"), @Option(label = "Key frames only", value = "keyframes")})
    String decodeMode() default CaptureSettings.DEFAULT_DECODE_MODE;

    @AttributeDefinition(name = "Connect timeout (ms)", description = "Give up opening a stream after this long.",
            min = "" + CaptureSettings.MIN_CONNECT_TIMEOUT_MILLIS, max = "" + CaptureSettings.MAX_TIMEOUT_MILLIS)
    int connectTimeout() default CaptureSettings.DEFAULT_CONNECT_TIMEOUT_MILLIS;

    @AttributeDefinition(name = "Read timeout (ms)", description = "A stream that delivers nothing for this long is "
            + "reconnected; 0 = max(2000, 5 frame intervals).", min = "0", max = "" + CaptureSettings.MAX_TIMEOUT_MILLIS)
    int readTimeout() default CaptureSettings.DEFAULT_READ_TIMEOUT_MILLIS;

    @AttributeDefinition(name = "Reconnect delay (ms)", description = "First wait before reconnecting a failed stream; "
            + "doubles (with jitter) up to the maximum.", min = "" + CaptureSettings.MIN_RECONNECT_DELAY_MILLIS,
            max = "" + CaptureSettings.MAX_TIMEOUT_MILLIS)
    int reconnectDelay() default CaptureSettings.DEFAULT_RECONNECT_DELAY_MILLIS;

    @AttributeDefinition(name = "Maximum reconnect delay (ms)", description = "Cap of the reconnect backoff; errors "
            + "that retrying cannot fix (401, 404, not a video) are retried at this pace.",
            min = "" + CaptureSettings.MIN_RECONNECT_DELAY_MILLIS, max = "" + CaptureSettings.MAX_RECONNECT_DELAY_MILLIS)
    int reconnectDelayMax() default CaptureSettings.DEFAULT_RECONNECT_DELAY_MAX_MILLIS;

    @AttributeDefinition(name = "Stall timeout (ms)", description = "The watchdog restarts the capture process when "
            + "its heartbeat is older than this, or no frame arrives for this long while streaming.",
            min = "1000", max = "600000")
    int stallTimeout() default 10000;

    @AttributeDefinition(name = "Maximum restarts", description = "More restarts than this within the restart "
            + "window put the camera in FAILED (still retried, slowly).", min = "1", max = "1000")
    int maxRestarts() default 5;

    @AttributeDefinition(name = "Restart window (ms)", description = "Window for the maximum restarts.",
            min = "1000", max = "86400000")
    int restartWindow() default 300000;

    @AttributeDefinition(name = "JVM arguments", description = "Advanced: extra options for this camera's capture "
            + "JVM, separated by spaces (added after the manager's defaults). Only an allow-list is accepted: heap, "
            + "stack and metaspace sizes, GC and JIT options, -Xlog to stderr, -Xshare, a few JavaCPP and network "
            + "-D options; -javaagent, -agentlib, -XX:OnError, @argfiles and class paths are refused.", required = false)
    String jvmArgs() default "";

    @AttributeDefinition(name = "Cluster hosts", description = "Cluster only: host names or host labels that may run "
            + "this camera, comma-separated; empty = any host. Read by the io.framebus.cluster bundle; the manager "
            + "itself ignores it.", required = false)
    String clusterHosts() default "";
}
