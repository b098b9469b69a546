package io.framebus.shm;

import io.framebus.api.FrameInfo;
import java.nio.ByteBuffer;
import java.nio.file.Paths;

/**
 * Reader JVM of {@link RingStressIT}: mixes latest copies, sequential reads and zero-copy visits, and verifies
 * every frame it accepts against its sequence number, payload and metadata. Prints its counts as key=value lines.
 */
public final class StressReader {
    public static void main(String[] args) throws Exception {
        RingReader r = RingReader.open(Paths.get(args[0]));
        long reads = Long.parseLong(args[1]);
        int bytes = (int) r.format().frameBytes();
        ByteBuffer dst = ByteBuffer.allocateDirect(bytes);
        long accepted = 0;
        long torn = 0;
        long rejectedVisits = 0;
        long gen = r.generation();
        long last = 0;
        boolean[] visitOk = new boolean[1];
        FrameInfo[] visited = new FrameInfo[1];
        for (long i = 0; i < reads; i++) {
            int kind = (int) (i % 3);
            if (kind == 2) {
                visitOk[0] = false;
                boolean valid = r.visitLatest((info, pixels) -> {
                    visited[0] = info;
                    visitOk[0] = TestRings.verify(pixels, 0, bytes, info.sequence()) && metadataMatches(info);
                });
                if (valid) {
                    accepted++;
                    if (!visitOk[0]) {
                        torn++; // validated, yet its bytes belong to another frame: the protocol failed
                    }
                } else {
                    rejectedVisits++;
                }
                continue;
            }
            dst.clear();
            FrameInfo info = kind == 0 ? r.readLatest(dst) : r.readAfter(gen, last, dst);
            if (info == null) {
                continue;
            }
            accepted++;
            last = info.sequence();
            if (!TestRings.verify(dst, 0, bytes, info.sequence()) || !metadataMatches(info)) {
                torn++;
            }
        }
        System.out.println("reads=" + reads);
        System.out.println("accepted=" + accepted);
        System.out.println("torn=" + torn);
        System.out.println("laps=" + r.laps());
        System.out.println("rejectedVisits=" + rejectedVisits);
    }

    private static boolean metadataMatches(FrameInfo info) {
        long s = info.sequence();
        return info.captureEpochNanos() == s * 1000 && info.captureMonoNanos() == s * 7 && info.sourcePtsMicros() == s;
    }
}
