package io.bulwark.test;

import io.bulwark.core.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that moves only when told to. Monotonic and wall time advance together. Usually
 * driven through {@link VirtualScheduler#advance(Duration)}, which also runs due tasks.
 * Thread-safe.
 */
public final class VirtualClock implements Clock {
  /** The wall time a new virtual clock starts at: 2026-01-01T00:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final AtomicLong nanos = new AtomicLong();
  private final long wallStartMillis;

  public VirtualClock() {
    this(DEFAULT_START);
  }

  public VirtualClock(Instant wallStart) {
    this.wallStartMillis = wallStart.toEpochMilli();
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public long wallMillis() {
    return wallStartMillis + Math.floorDiv(nanos.get(), 1_000_000L);
  }

  /** Moves time forward by {@code duration} without running any scheduled task. */
  public void advance(Duration duration) {
    advanceNanos(duration.toNanos());
  }

  /** Moves time forward by {@code deltaNanos}. */
  public void advanceNanos(long deltaNanos) {
    if (deltaNanos < 0) {
      throw new IllegalArgumentException("time cannot go backwards: deltaNanos=" + deltaNanos);
    }
    nanos.addAndGet(deltaNanos);
  }

  /** Moves time to {@code nanoTime} if that is later than now. */
  void advanceTo(long nanoTime) {
    nanos.accumulateAndGet(nanoTime, Math::max);
  }

  /** Time elapsed since the clock was created. */
  public Duration elapsed() {
    return Duration.ofNanos(nanos.get());
  }

  @Override
  public String toString() {
    return "VirtualClock[" + elapsed() + "]";
  }
}
