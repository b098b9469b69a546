package io.framebus.manager.internal;

import io.framebus.api.FrameInfo;
import io.framebus.api.SourceStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Locale;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Shell commands {@code framebus:list|status|restart|snapshot}. Registered the Gogo way (osgi.command.scope /
 * osgi.command.function service properties, no compile-time shell dependency), which plain Felix's Gogo and
 * Karaf's shell both pick up. Each command prints its text to {@code System.out}, which both shells route to the
 * calling session; a returned value would be lost in Karaf's batch mode and over ssh, which use it as exit code.
 */
@Component(service = FramebusCommands.class, property = {
        "osgi.command.scope=framebus",
        "osgi.command.function=list",
        "osgi.command.function=status",
        "osgi.command.function=restart",
        "osgi.command.function=snapshot"})
public final class FramebusCommands {
    private final CaptureRuntime runtime;

    @Activate
    public FramebusCommands(@Reference CaptureRuntime runtime) {
        this.runtime = runtime;
    }

    /** One line per camera: id, state, fps, latest frame age, restarts, pid. */
    public void list() {
        System.out.print(listText());
    }

    /** Everything about one camera, the last error included. */
    public void status(String id) {
        System.out.print(statusText(id));
    }

    /** Restarts the camera's capture process now. */
    public void restart(String id) {
        System.out.println(restartText(id));
    }

    /** Writes the newest frame to {@code file} as PNG or JPEG (by extension). */
    public void snapshot(String id, String file) throws IOException {
        System.out.println(snapshotText(id, file));
    }

    /** Writes the newest frame of one output of the camera to {@code file} as PNG or JPEG (by extension). */
    public void snapshot(String id, String output, String file) throws IOException {
        System.out.println(snapshotText(id, output, file));
    }

    String listText() {
        // in a cluster a HOST column says where each camera runs; a single host's list keeps its old shape
        boolean cluster = runtime.cameras().stream().anyMatch(c -> c.home() != null);
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-20s %-12s %6s %10s %8s %8s%s%n",
                "ID", "STATE", "FPS", "AGE", "RESTARTS", "PID", cluster ? "  HOST" : ""));
        for (Camera c : runtime.cameras()) {
            SourceStatus s = c.status();
            out.append(String.format(Locale.ROOT, "%-20s %-12s %6.1f %10s %8d %8s%s%n", c.cameraId(), s.state(), s.fps(),
                    age(s.latestFrameAge()), s.restarts(), s.pid() < 0 ? "-" : Long.toString(s.pid()),
                    cluster ? "  " + (s.runsOn().isEmpty() ? "-" : s.runsOn()) : ""));
        }
        if (runtime.cameras().isEmpty()) {
            out.append("(no cameras configured: add io.framebus.camera factory configurations)\n");
        }
        return out.toString();
    }

    String statusText(String id) {
        Camera c = camera(id);
        SourceStatus s = c.status();
        StringBuilder out = new StringBuilder();
        line(out, "camera", s.cameraId());
        if (c.isValid()) {
            line(out, "name", c.settings().name());
            line(out, "url", c.settings().displayUrl());
            line(out, "configured", c.settings().capture().width() == 0 ? "source size" : c.settings().capture().width() + "x"
                    + c.settings().capture().height());
            line(out, "pixel format", c.settings().capture().pixelFormat().name());
            line(out, "max fps", fmt(c.settings().fps()));
        }
        line(out, "state", s.state() + (s.late() ? " (late: no new frame when one was due)" : s.live() ? " (live)" : ""));
        if (!s.runsOn().isEmpty()) {
            line(out, "runs on", s.runsOn());
        }
        line(out, "fps (10 s)", fmt(s.fps()));
        line(out, "latest frame age", age(s.latestFrameAge()));
        line(out, "frames decoded", Long.toString(s.decodedFrames()));
        line(out, "frames published", Long.toString(s.publishedFrames()));
        line(out, "frames dropped", Long.toString(s.droppedFrames()));
        line(out, "reconnects", Long.toString(s.reconnects()));
        line(out, "restarts", Long.toString(s.restarts()));
        line(out, "pid", s.pid() < 0 ? "-" : Long.toString(s.pid()));
        line(out, "rss", s.rssBytes() < 0 ? "-" : String.format(Locale.ROOT, "%.1f MiB", s.rssBytes() / 1048576.0));
        line(out, "cpu", s.cpuPercent() < 0 ? "-" : String.format(Locale.ROOT, "%.1f %%", s.cpuPercent()));
        if (c.isValid()) {
            line(out, "ring", c.ringPath().toString());
            if (c.reader() != null) {
                line(out, "geometry", c.reader().format() + ", generation " + c.reader().generation());
            }
        }
        line(out, "last error", s.lastError().isEmpty() ? "-" : s.lastError());
        if (c.isValid() && c.outputs().size() > 1) {
            for (Camera.Output o : c.outputs()) {
                SourceStatus os = o.status();
                var r = o.reader();
                line(out, "output " + o.name(), o.spec() + " -> " + (r == null ? "(no ring yet)" : r.format()
                        + ", generation " + r.generation()) + ", published " + os.publishedFrames() + ", dropped "
                        + os.droppedFrames() + ", ring " + o.ringPath().getFileName());
            }
        }
        return out.toString();
    }

    String restartText(String id) {
        Camera c = camera(id);
        if (!c.isValid()) {
            return "camera " + id + " is not running: " + c.status().lastError();
        }
        c.restartOnDemand();
        return "camera " + id + " restarting";
    }

    String snapshotText(String id, String file) throws IOException {
        return snapshotText(id, io.framebus.contract.CaptureOutput.DEFAULT_NAME, file);
    }

    String snapshotText(String id, String output, String file) throws IOException {
        Camera c = camera(id);
        Camera.Output o = c.output(output).orElseThrow(() -> new IllegalArgumentException("camera '" + id
                + "' has no output '" + output + "' (its outputs: " + String.join(", ", c.outputs().stream()
                .map(Camera.Output::name).toList()) + ")"));
        var reader = o.reader();
        if (reader == null) {
            return "camera " + id + " has no frame yet (" + c.status().state() + ")";
        }
        String imageFormat = Snapshots.formatFor(file);
        ByteBuffer px = ByteBuffer.allocate((int) reader.format().frameBytes());
        FrameInfo info = reader.readLatest(px);
        if (info == null) {
            return "camera " + id + " has no frame yet (" + c.status().state() + ")";
        }
        Path out = Paths.get(file).toAbsolutePath();
        try (OutputStream os = Snapshots.open(out)) {
            Snapshots.write(info, px.flip(), imageFormat, os);
        }
        return "frame " + info.sequence() + " of " + id + " (" + info.format() + ", " + age(info.age()) + " old) written to " + out;
    }

    private Camera camera(String id) {
        return runtime.camera(id).orElseThrow(() -> new IllegalArgumentException("no camera '" + id
                + "' (framebus:list shows the configured ones)"));
    }

    private static void line(StringBuilder out, String key, String value) {
        out.append(String.format(Locale.ROOT, "%-18s %s%n", key, value));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String age(Duration d) {
        if (d == null) {
            return "-";
        }
        long ms = d.toMillis();
        return ms < 10_000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
