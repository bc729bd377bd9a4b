package io.bulwark.core.context;

import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import java.time.Duration;

/**
 * The instant by which a request must be answered, on a {@link Clock}'s monotonic time. A deadline
 * shrinks as the request travels: every hop computes what is left and passes that on.
 *
 * <p>Immutable and thread-safe. Arithmetic saturates instead of overflowing.
 */
public final class Deadline implements Comparable<Deadline> {
  private final Clock clock;
  private final long expiresAtNanos;

  private Deadline(Clock clock, long expiresAtNanos) {
    this.clock = clock;
    this.expiresAtNanos = expiresAtNanos;
  }

  /**
   * A deadline {@code timeout} from now on {@code clock}. A negative timeout is already expired.
   */
  public static Deadline after(Duration timeout, Clock clock) {
    return afterNanos(Scheduler.saturatedNanos(timeout), clock);
  }

  /** A deadline {@code timeoutNanos} from now on {@code clock}. */
  public static Deadline afterNanos(long timeoutNanos, Clock clock) {
    return new Deadline(clock, saturatedAdd(clock.nanoTime(), timeoutNanos));
  }

  /** The clock this deadline is measured on. */
  public Clock clock() {
    return clock;
  }

  /** The {@link Clock#nanoTime()} reading at which this deadline expires. */
  public long expiresAtNanos() {
    return expiresAtNanos;
  }

  /** Nanoseconds left; zero or negative once expired. */
  public long remainingNanos() {
    return saturatedSubtract(expiresAtNanos, clock.nanoTime());
  }

  /** Time left, never negative. */
  public Duration remaining() {
    return Duration.ofNanos(Math.max(0, remainingNanos()));
  }

  /** True once no time is left. */
  public boolean isExpired() {
    return remainingNanos() <= 0;
  }

  /**
   * The timeout to use for one piece of work under this deadline: {@code min(configured,
   * remaining)}, never negative.
   */
  public long timeoutNanos(long configuredNanos) {
    return Math.max(0, Math.min(configuredNanos, remainingNanos()));
  }

  /** The earlier of this deadline and {@code other}. */
  public Deadline earliest(Deadline other) {
    return other.expiresAtNanos < expiresAtNanos ? other : this;
  }

  /**
   * A deadline no later than {@code cap} from now: the earlier of this one and {@code now + cap}.
   */
  public Deadline cappedAt(Duration cap) {
    return earliest(after(cap, clock));
  }

  @Override
  public int compareTo(Deadline other) {
    return Long.compare(expiresAtNanos, other.expiresAtNanos);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Deadline d && d.expiresAtNanos == expiresAtNanos && d.clock == clock;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(expiresAtNanos);
  }

  @Override
  public String toString() {
    long left = remainingNanos();
    return left <= 0 ? "Deadline[expired]" : "Deadline[remaining=" + Duration.ofNanos(left) + "]";
  }

  static long saturatedAdd(long a, long b) {
    long sum = a + b;
    if (((a ^ sum) & (b ^ sum)) < 0) {
      return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    return sum;
  }

  static long saturatedSubtract(long a, long b) {
    long diff = a - b;
    if (((a ^ b) & (a ^ diff)) < 0) {
      return a >= 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    return diff;
  }
}
