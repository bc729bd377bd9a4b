package io.bulwark.http;

import io.bulwark.core.context.Criticality;
import io.bulwark.http.internal.CriticalityAdmission;
import io.bulwark.resilience.ConcurrencyLimiter;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Load shedding at the server's front door: decides, per request and before any work is done,
 * whether there is capacity for it. Refused requests are answered {@code 503} with {@code
 * Retry-After} by the server. Implementations must shed less critical requests first: under
 * overload a {@link Criticality#SHEDDABLE} request is refused while a {@link Criticality#CRITICAL}
 * one still gets in.
 *
 * <p>{@link #adaptive(ConcurrencyLimiter)} plugs bulwark-resilience's adaptive, criticality-aware
 * {@link ConcurrencyLimiter} in; {@link #byCriticality(int)} is a simple fixed-limit one.
 * Implementations are thread-safe and fast (called on the event loop, must not block).
 */
@FunctionalInterface
public interface Admission {

  /** A permit to run one request, or null if it must be shed. */
  @Nullable Permit tryAcquire(Criticality criticality);

  /** Held while a request runs; released exactly once. */
  @FunctionalInterface
  interface Permit {
    /**
     * The request finished. {@code dropped} is true if it failed in a way that signals overload
     * (deadline passed, 5xx), which adaptive limiters use as a congestion signal. A limiter that
     * needs the request's latency measures it itself, on its own clock, from {@link #tryAcquire} to
     * this call (as {@link ConcurrencyLimiter} does).
     */
    void release(boolean dropped);
  }

  /** Admits everything. */
  static Admission unlimited() {
    return criticality -> dropped -> {};
  }

  /**
   * Adaptive load shedding: {@code limiter} learns the limit from each request's latency (measured
   * on the limiter's clock from admission to release) and from drops (5xx, deadline passed), and
   * lets each criticality fill only its share of it.
   */
  static Admission adaptive(ConcurrencyLimiter limiter) {
    Objects.requireNonNull(limiter, "limiter");
    return criticality -> {
      ConcurrencyLimiter.Permit permit = limiter.tryAcquire(criticality);
      return permit == null ? null : permit::release;
    };
  }

  /**
   * A fixed concurrency limit where each criticality may fill only part of it: {@code SHEDDABLE} up
   * to 50 %, {@code SHEDDABLE_PLUS} 75 %, {@code CRITICAL} 90 % and {@code CRITICAL_PLUS} all of
   * it, so the least critical traffic is refused first as load rises.
   *
   * @throws IllegalArgumentException if {@code limit} is below 2
   */
  static Admission byCriticality(int limit) {
    return new CriticalityAdmission(limit);
  }
}
