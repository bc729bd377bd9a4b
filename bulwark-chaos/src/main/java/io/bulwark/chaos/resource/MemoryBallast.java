package io.bulwark.chaos.resource;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory ballast: {@code bytes} of heap held (in 1 MiB arrays, every page written so the memory is
 * really committed) until the ballast expires (its duration, on the given scheduler) or is {@link
 * #release() released}. Bounded by a fraction of the maximum heap ({@link #DEFAULT_MAX_FRACTION}
 * unless given, never above {@link #LIMIT_FRACTION}), so the fault makes the collector work and the
 * headroom shrink without killing the JVM. If the heap cannot hold the ballast after all, what was
 * taken is dropped again and the start fails naming the sizes.
 *
 * <p>Thread-safe; {@link #release()} is idempotent and drops every reference to the arrays.
 */
public final class MemoryBallast implements AutoCloseable {
  /** The default bound: half the maximum heap. */
  public static final double DEFAULT_MAX_FRACTION = 0.5;

  /** No ballast may exceed this fraction of the maximum heap, whatever the caller allows. */
  public static final double LIMIT_FRACTION = 0.8;

  static final int CHUNK = 1 << 20;
  private static final int PAGE = 4096;

  private final long bytes;
  private final Duration duration;
  private volatile List<byte[]> chunks;
  private final ScheduledTask expiry;

  private MemoryBallast(long bytes, Duration duration, Scheduler scheduler, List<byte[]> chunks) {
    this.bytes = bytes;
    this.duration = duration;
    this.chunks = chunks;
    this.expiry = scheduler.schedule(duration, this::release);
  }

  /** Holds {@code bytes} for {@code duration}, bounded by {@link #DEFAULT_MAX_FRACTION}. */
  public static MemoryBallast hold(long bytes, Duration duration, Scheduler scheduler) {
    return hold(bytes, DEFAULT_MAX_FRACTION, duration, scheduler);
  }

  /**
   * Holds {@code bytes} for {@code duration}; {@code bytes} may be at most {@code maxFraction} of
   * the maximum heap.
   *
   * @throws IllegalArgumentException naming the bad value when {@code bytes} is not positive or
   *     above the bound, {@code maxFraction} not in (0, {@link #LIMIT_FRACTION}], or {@code
   *     duration} not in (0, {@link CpuBurn#MAX_DURATION}]
   * @throws IllegalStateException when the heap could not hold the ballast (nothing is kept)
   */
  public static MemoryBallast hold(
      long bytes, double maxFraction, Duration duration, Scheduler scheduler) {
    checkBytes(bytes, maxFraction);
    CpuBurn.checkDuration("memory ballast", duration);
    return new MemoryBallast(bytes, duration, scheduler, allocate(bytes));
  }

  /** The largest ballast allowed with {@code maxFraction}. */
  public static long maxBytes(double maxFraction) {
    return (long) (Runtime.getRuntime().maxMemory() * maxFraction);
  }

  static void checkBytes(long bytes, double maxFraction) {
    if (!(maxFraction > 0 && maxFraction <= LIMIT_FRACTION)) {
      throw new IllegalArgumentException(
          "memory ballast max heap fraction must be in (0, "
              + LIMIT_FRACTION
              + "], was "
              + maxFraction);
    }
    long max = maxBytes(maxFraction);
    if (bytes <= 0 || bytes > max) {
      throw new IllegalArgumentException(
          "memory ballast bytes must be in 1.."
              + max
              + " ("
              + maxFraction
              + " of the max heap of "
              + Runtime.getRuntime().maxMemory()
              + " bytes), was "
              + bytes);
    }
  }

  private static List<byte[]> allocate(long bytes) {
    List<byte[]> out = new ArrayList<>((int) (bytes / CHUNK) + 1);
    long left = bytes;
    try {
      while (left > 0) {
        byte[] chunk = new byte[(int) Math.min(CHUNK, left)];
        for (int i = 0; i < chunk.length; i += PAGE) {
          chunk[i] = 1;
        }
        out.add(chunk);
        left -= chunk.length;
      }
    } catch (OutOfMemoryError e) {
      long held = bytes - left;
      out.clear();
      throw new IllegalStateException(
          "memory ballast of "
              + bytes
              + " bytes does not fit in the heap (got "
              + held
              + " bytes before running out); nothing is held",
          e);
    }
    return out;
  }

  /** The bytes asked for. */
  public long bytes() {
    return bytes;
  }

  public Duration duration() {
    return duration;
  }

  /** The bytes held now: {@link #bytes()} until expiry or release, then 0. */
  public long heldBytes() {
    long sum = 0;
    for (byte[] c : chunks) {
      sum += c.length;
    }
    return sum;
  }

  public boolean active() {
    return !chunks.isEmpty();
  }

  /** Drops the ballast (the collector reclaims it); idempotent. */
  public void release() {
    chunks = List.of();
    expiry.cancel();
  }

  @Override
  public void close() {
    release();
  }

  @Override
  public String toString() {
    return "memory ballast of "
        + bytes
        + " bytes for "
        + duration
        + (active() ? "" : " (released)");
  }
}
