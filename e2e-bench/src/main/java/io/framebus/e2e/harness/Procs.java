package io.framebus.e2e.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** What /proc says about a process: CPU time, resident memory. Linux only. */
final class Procs {
    /** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ; 100 on every Linux the JDK supports). */
    static final long CLK_TCK = clockTicks();

    private Procs() {
    }

    /** utime + stime in clock ticks, or -1 when the process is gone. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // fields after the command name, which is in parentheses and may contain spaces
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of the whole line
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A field of /proc/<pid>/status or smaps_rollup in kB (e.g. "VmRSS", "Pss", "RssShmem"), -1 if unknown. */
    static long kb(long pid, String file, String field) {
        try {
            List<String> lines = Files.readAllLines(Paths.get("/proc", Long.toString(pid), file), StandardCharsets.US_ASCII);
            for (String l : lines) {
                if (l.startsWith(field + ":")) {
                    return Long.parseLong(l.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    static long rssKb(long pid) {
        return kb(pid, "status", "VmRSS");
    }

    static long pssKb(long pid) {
        return kb(pid, "smaps_rollup", "Pss");
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** CPU seconds of the whole machine (all cores, busy time) since boot, from /proc/stat. */
    static double machineBusySeconds() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // cpu  user nice system idle iowait irq softirq steal
            String[] f = cpu.trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return (double) busy / CLK_TCK;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
