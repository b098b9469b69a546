package io.framebus.web.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Limits of the images the web serves, PID {@code io.framebus.web.preview}; every attribute is optional. */
@ObjectClassDefinition(id = PreviewConfig.PID, name = "framebus web previews",
        description = "How fast, how large and how many MJPEG previews and snapshots the web serves.")
@interface PreviewConfig {
    String PID = "io.framebus.web.preview";

    @AttributeDefinition(name = "Maximum preview rate (fps)", description = "Frames per second of an MJPEG preview "
            + "at most; a client may ask for less with ?fps=.", min = "0.1", max = "30")
    double maxFps() default 5;

    @AttributeDefinition(name = "Maximum preview width (px)", description = "MJPEG previews are scaled down (by an "
            + "integer step) to at most this width; a client may ask for less with ?width=.", min = "16", max = "8192")
    int maxWidth() default 640;

    @AttributeDefinition(name = "Maximum preview streams", description = "MJPEG previews streamed at the same time, "
            + "all cameras and clients together; more are refused with 503. Each holds one HTTP thread.",
            min = "0", max = "256")
    int maxStreams() default 8;

    @AttributeDefinition(name = "Maximum snapshot width (px)", description = "Snapshots are scaled down (by an "
            + "integer step) to at most this width unless a client asks for less with ?width=; a 4K frame as JPEG "
            + "costs much CPU and memory per request.", min = "16", max = "16384")
    int snapshotMaxWidth() default 1920;

    @AttributeDefinition(name = "Maximum concurrent snapshots", description = "Snapshots encoded at the same time, "
            + "all cameras and clients together; more are refused with 503 and Retry-After.", min = "1", max = "64")
    int maxSnapshots() default 4;

    @AttributeDefinition(name = "JPEG quality (%)", description = "Quality of snapshots and preview frames.",
            min = "10", max = "100")
    int jpegQuality() default 80;
}
