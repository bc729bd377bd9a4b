package io.bulwark.runtime;

import org.jspecify.annotations.Nullable;

/**
 * One thing that happened in a running system, for timelines ({@link SystemRuntime#events()},
 * {@link RuntimeListener#onEvent}).
 *
 * @param atMillis when, on the runtime's clock ({@code clock.currentTimeMillis()})
 * @param kind what happened
 * @param service the service concerned
 * @param instance the instance concerned, or null for a service-wide event
 * @param detail a human-readable line (versions, ports, causes, judged numbers)
 */
public record RuntimeEvent(
    long atMillis, Kind kind, String service, @Nullable String instance, String detail) {

  /** What happened. */
  public enum Kind {
    STARTING,
    READY,
    STOPPED,
    KILLED,
    FAILED,
    DEPLOYED,
    /** A process-mode child exited on its own; the supervisor restarts it after a backoff. */
    CRASHED,
    SCALED,
    ROLLOUT_STEP,
    ROLLOUT_COMPLETED,
    ROLLED_BACK,
    PARTITIONED,
    HEALED
  }
}
