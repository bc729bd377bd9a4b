package io.bulwark.core.time;

import java.time.Instant;

/**
 * The one source of time in Bulwark: a monotonic nanosecond counter for measuring intervals and a
 * wall clock for timestamps. Every component takes a {@code Clock} instead of calling {@link
 * System#nanoTime()}, so tests can drive time with the virtual clock of {@code bulwark-test}.
 *
 * <p>Implementations are thread-safe. {@link #nanoTime()} never goes backwards.
 */
public interface Clock {

  /** Monotonic time in nanoseconds; only differences between two readings are meaningful. */
  long nanoTime();

  /** Wall-clock time in milliseconds since the epoch. */
  long wallMillis();

  /** Wall-clock time as an {@link Instant}. */
  default Instant instant() {
    return Instant.ofEpochMilli(wallMillis());
  }

  /** The clock of the running JVM. */
  static Clock system() {
    return SystemClock.INSTANCE;
  }
}
