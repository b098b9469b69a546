package io.framebus.manager;

import io.framebus.api.SourceState;

/**
 * Facts about a camera's capture process and its ring at one moment.
 *
 * @param supervised        false when the manager does not want a process running (invalid config, disabled,
 *                          stopping): nothing to supervise
 * @param pid               the capture process id, -1 when none
 * @param processAlive      the process is running (it is our child: pid reuse cannot confuse this)
 * @param exitCode          the exit code when it is not alive, otherwise -1
 * @param sinceSpawnNanos   time since the process was started
 * @param ringOfThisProcess the ring at the camera's path was written by this very process (pid and start time)
 * @param heartbeatAgeNanos age of the ring's heartbeat when {@code ringOfThisProcess}, otherwise the time since spawn
 * @param ringState         the capture state published in the ring, {@code STARTING} before there is one
 * @param generation        ring generation, 0 when none
 * @param publishedSequence newest published sequence of that generation
 * @param cpuNanos          total CPU time of the process so far, -1 unknown
 */
public record CaptureProbe(boolean supervised, long pid, boolean processAlive, int exitCode, long sinceSpawnNanos,
                           boolean ringOfThisProcess, long heartbeatAgeNanos, SourceState ringState, long generation,
                           long publishedSequence, long cpuNanos) {
}
