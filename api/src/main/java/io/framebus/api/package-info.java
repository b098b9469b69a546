/**
 * The framebus consumer API: live decoded camera frames as OSGi services.
 *
 * <p>Every running camera is registered as one {@link io.framebus.api.FrameSource} service, with the
 * service properties named in {@link io.framebus.api.FrameSource} ({@code camera.id}, {@code frame.width},
 * ...). A consumer binds to it like to any other service, typically dynamically and with a target filter:
 *
 * <pre>{@code
 * @Reference(target = "(camera.id=front)", policy = ReferencePolicy.DYNAMIC)
 * volatile FrameSource front;
 *
 * front.readLatest((info, pixels) -> analyse(info, pixels));   // zero copy
 * Optional<Frame> f = front.next(previous, Duration.ofSeconds(1)); // wait for the next frame
 * front.subscribe(frame -> { try (frame) { analyse(frame); } }, executor); // push; closing lets framebus reuse the copy
 * }</pre>
 *
 * <p>Frames are never silently stale: {@link io.framebus.api.Frame#age()} and
 * {@link io.framebus.api.SourceStatus#live()} tell a consumer whether what it holds is current.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package io.framebus.api;
