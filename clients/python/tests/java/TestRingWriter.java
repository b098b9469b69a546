import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import io.framebus.shm.RingState;
import io.framebus.shm.RingWriter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The Java writer of the Python client's tests, run with the JDK's source launcher on the capture program's jars:
 * {@code java -cp 'capture-process/target/capture/lib/*' TestRingWriter.java RING ID W H FORMAT SLOTS RATE GEN}.
 * RATE is frames per second, 0 for flat out. Every 8-byte little-endian word of frame {@code seq} holds {@code seq}
 * (left-over bytes hold {@code (byte) seq}), so any mix of two frames is visible; capture epoch = seq * 1000 ns,
 * pts = seq us, keyframe = even seq. Prints {@code READY}; reads commands from stdin: {@code pause}, {@code resume},
 * {@code step} (publish one frame now, also while paused), {@code replace W H FORMAT}; EOF on stdin closes the ring
 * and deletes it, then prints {@code published=N}.
 */
public final class TestRingWriter {
    public static void main(String[] args) throws Exception {
        Path ring = Path.of(args[0]);
        FrameFormat format = new FrameFormat(Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                PixelFormat.valueOf(args[4]));
        int slots = Integer.parseInt(args[5]);
        double rate = Double.parseDouble(args[6]);
        long generation = Long.parseLong(args[7]);
        ConcurrentLinkedQueue<String> commands = new ConcurrentLinkedQueue<>();
        Thread stdin = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in))) {
                String line;
                while ((line = r.readLine()) != null) {
                    commands.add(line.trim());
                }
            } catch (Exception ignored) {
                // EOF below
            }
            commands.add("eof");
        });
        stdin.setDaemon(true);
        stdin.start();
        RingWriter w = RingWriter.create(ring, args[1], format, slots, generation);
        w.state(RingState.STREAMING);
        System.out.println("READY generation=" + w.generation());
        System.out.flush();
        long period = rate > 0 ? (long) (1e9 / rate) : 0;
        long next = System.nanoTime();
        boolean paused = false;
        boolean step = false;
        long seq = 0;
        while (true) {
            String cmd = commands.poll();
            if (cmd != null) {
                if (cmd.equals("eof")) {
                    break;
                } else if (cmd.equals("pause")) {
                    paused = true;
                } else if (cmd.equals("step")) {
                    step = true;
                } else if (cmd.equals("resume")) {
                    paused = false;
                    next = System.nanoTime();
                } else if (cmd.startsWith("replace ")) {
                    String[] p = cmd.split(" ");
                    w = w.replace(new FrameFormat(Integer.parseInt(p[1]), Integer.parseInt(p[2]),
                            PixelFormat.valueOf(p[3])));
                    w.state(RingState.STREAMING);
                    seq = 0;
                }
                System.out.println("OK " + cmd + " generation=" + w.generation());
                System.out.flush();
            }
            if (paused && !step) {
                w.heartbeat();
                LockSupport.parkNanos(5_000_000);
                continue;
            }
            if (period > 0 && !step) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                next += period;
            }
            step = false;
            seq++;
            ByteBuffer slot = w.claim().order(ByteOrder.LITTLE_ENDIAN);
            int n = (int) w.format().frameBytes();
            int base = slot.position();
            int words = n / 8;
            for (int i = 0; i < words; i++) {
                slot.putLong(base + i * 8, seq);
            }
            for (int i = words * 8; i < n; i++) {
                slot.put(base + i, (byte) seq);
            }
            w.publishClaimed(seq * 1000, System.nanoTime(), seq, (seq & 1) == 0);
            if ((seq & 255) == 0 || period > 0) {
                w.heartbeat();
            }
        }
        long published = w.publishedSequence();
        w.closeAndDelete();
        System.out.println("published=" + published);
    }
}
