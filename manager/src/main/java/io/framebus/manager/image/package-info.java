/**
 * Frames as images (ImageIO from the JDK): conversion of every {@link io.framebus.api.PixelFormat} to a
 * {@link java.awt.image.BufferedImage}, optionally decimated, and JPEG encoding.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.framebus.manager.image;
