"""Is the writer process alive, and is it still the same process (pid not reused)? Linux /proc."""

import os

# The seconds part of a start time is the boot time, which moves when the wall clock is set (see
# docs/shm-format.md, "Staleness and cleanup"); the part below the second is the process's own start tick.
_MILLIS_PER_SECOND = 1000


def _boot_time_seconds():
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("btime "):
                return int(line.split()[1])
    raise ValueError("no btime in /proc/stat")


def _stat_fields(pid):
    """Fields of /proc/<pid>/stat after "(comm)" (field 3 first), or None when there is no such process."""
    try:
        with open(f"/proc/{int(pid)}/stat") as f:
            stat = f.read()
    except (OSError, ValueError, OverflowError):
        return None
    return stat[stat.rindex(")") + 2:].split()


def _start_millis(fields):
    try:
        ticks = int(fields[19])  # field 22
        return _boot_time_seconds() * 1000 + ticks * 1000 // os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0


def process_start_millis(pid):
    """Start time of process `pid` in ms since the epoch, computed as Java's ProcessHandle.Info.startInstant() does
    on Linux (btime * 1000 + start ticks * 1000 / CLK_TCK, integer division); 0 when unknown."""
    fields = _stat_fields(pid)
    return 0 if fields is None else _start_millis(fields)


def same_start(recorded_millis, current_millis):
    """True when two start times computed for one pid name the same process.

    Java's startInstant() adds the boot time (whole seconds from /proc/stat, read once per JVM) to the start tick,
    so the same process gives values that differ by whole seconds when the wall clock was set (stepped) between
    the writer's and this reader's computation. The sub-second part comes from the start tick and
    does not move: equal modulo one second is the same process, for any clock change. A new process that got the
    same pid matches only by chance (1 in 100 with 100 ticks per second), and only after a pid wrap-around."""
    if recorded_millis == 0 or current_millis == 0:
        return True  # unknown: the pid alone decides
    return (recorded_millis - current_millis) % _MILLIS_PER_SECOND == 0


def writer_alive(pid, start_millis):
    """The rule of RingDirectory.writerAlive (the pid runs and is the same process), tolerant of boot-time drift;
    a zombie (dead, not yet reaped by its parent) is not alive."""
    if pid <= 0:
        return False
    fields = _stat_fields(pid)
    if not fields or fields[0] in ("Z", "X", "x"):
        return False
    return same_start(start_millis, _start_millis(fields))
