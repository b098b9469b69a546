/**
 * The shared-memory frame ring: one {@link io.framebus.shm.RingWriter} per camera, any number of
 * {@link io.framebus.shm.RingReader}s in any process. The file format is specified byte for byte in
 * {@code docs/shm-format.md}; the offsets live in one place, {@code io.framebus.shm.internal.RingLayout}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.framebus.shm;
