package io.framebus.shm;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * Writer JVM of {@link RingStressIT}: publishes frames as fast as it can, each payload and its metadata derived
 * from its sequence number, in place through claim(); stops when the stop file appears.
 */
public final class StressWriter {
    public static void main(String[] args) throws Exception {
        var ring = Paths.get(args[0]);
        var stop = Paths.get(args[1]);
        var format = new FrameFormat(Integer.parseInt(args[2]), Integer.parseInt(args[3]), PixelFormat.GRAY8);
        try (RingWriter w = RingWriter.create(ring, "stress", format, Integer.parseInt(args[4]))) {
            w.state(RingState.STREAMING);
            System.out.println("READY");
            System.out.flush();
            long seq = 0;
            while (true) {
                seq++;
                ByteBuffer slot = w.claim();
                TestRings.fill(slot, seq);
                w.publishClaimed(seq * 1000, seq * 7, seq, false);
                if ((seq & 1023) == 0) {
                    w.heartbeat();
                    if (Files.exists(stop)) {
                        break;
                    }
                }
            }
            System.out.println("published=" + seq);
        }
    }
}
