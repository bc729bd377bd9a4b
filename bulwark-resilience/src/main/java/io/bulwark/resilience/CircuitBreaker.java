package io.bulwark.resilience;

import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import org.jspecify.annotations.Nullable;

/**
 * Stops calling a dependency that is failing or slow, and probes it before trusting it again.
 *
 * <p>CLOSED: calls pass and their outcomes enter a sliding window (the last N calls, or the last N
 * seconds). Once the window holds {@code minimumCalls} and the failure rate or the slow-call rate
 * reaches its threshold, the breaker opens. OPEN: calls are rejected with a {@link
 * PolicyRejectedException} ({@link Rejection#CIRCUIT_OPEN}) until {@code waitInOpen} has passed.
 * HALF_OPEN: {@code halfOpenPermits} probe calls pass; when all have finished the breaker closes if
 * their rates are below the thresholds and opens again otherwise (also if they take longer than
 * {@code maxWaitInHalfOpen}). An operator can force it open, disable it or reset it.
 *
 * <p>A call that never reached the dependency (rejected by a policy below, or its deadline had
 * passed before it started) is not recorded, and a half-open probe that ends so gives its permit
 * back. A deadline that passes while the call runs is a failure. Failures the config ignores are
 * recorded as neither success nor failure; results may count as failures ({@code recordResult}).
 *
 * <p>Every transition carries its reason, e.g. {@code "failure rate 55.0% over the last 100 calls ≥
 * 50.0%"}, reported through {@link ResilienceListener#onStateTransition}.
 *
 * <p>Thread-safe and lock-free in the count-based window: a successful call costs two atomic
 * operations and no allocation; calls are timed only when slow calls are tracked.
 */
public sealed interface CircuitBreaker extends Policy permits DefaultCircuitBreaker {

  /** The states of a breaker. */
  enum State {
    CLOSED,
    OPEN,
    HALF_OPEN,
    /** Opened by an operator; stays open until {@link #reset()}. */
    FORCED_OPEN,
    /** Switched off by an operator: every call passes and nothing is recorded. */
    DISABLED
  }

  /**
   * A change of state.
   *
   * @param from the state left
   * @param to the state entered
   * @param reason why, in words, with the figures that decided it
   * @param atNanos the breaker clock's {@link Clock#nanoTime()} at the change
   */
  record Transition(State from, State to, String reason, long atNanos) {}

  /**
   * What the current window holds.
   *
   * @param calls calls in the window
   * @param failures failed calls in the window
   * @param slowCalls slow calls in the window (0 when slow calls are not tracked)
   */
  record Metrics(int calls, int failures, int slowCalls) {
    /** Failure percentage, 0 for an empty window. */
    public double failureRate() {
      return calls == 0 ? 0 : failures * 100.0 / calls;
    }

    /** Slow-call percentage, 0 for an empty window. */
    public double slowCallRate() {
      return calls == 0 ? 0 : slowCalls * 100.0 / calls;
    }
  }

  /** A breaker on the shared {@link Scheduler#system()}. */
  static CircuitBreaker of(String name, CircuitBreakerConfig config) {
    return of(name, config, Defaults.scheduler());
  }

  /** A breaker with {@link CircuitBreakerConfig#ofDefaults()}. */
  static CircuitBreaker ofDefaults(String name) {
    return of(name, CircuitBreakerConfig.ofDefaults());
  }

  /** A breaker whose windows, waits and slow-call timing use {@code scheduler}'s clock. */
  static CircuitBreaker of(String name, CircuitBreakerConfig config, Scheduler scheduler) {
    return new DefaultCircuitBreaker(name, config, scheduler.clock());
  }

  /** A breaker with {@link CircuitBreakerConfig#ofDefaults()} on {@code scheduler}'s clock. */
  static CircuitBreaker ofDefaults(String name, Scheduler scheduler) {
    return of(name, CircuitBreakerConfig.ofDefaults(), scheduler);
  }

  /** Shortcut for {@link CircuitBreakerConfig#builder()}. */
  static CircuitBreakerConfig.Builder builder() {
    return CircuitBreakerConfig.builder();
  }

  CircuitBreakerConfig config();

  /** The current state (an OPEN breaker whose wait has passed reports HALF_OPEN). */
  State state();

  /** The current window (or the probes' results when half-open). */
  Metrics metrics();

  /**
   * One call admitted by {@link #tryAcquirePermit()}. Its outcome is recorded in the state that
   * admitted it: a result that arrives after the breaker moved on is not taken for a later state's
   * call (e.g. a half-open probe). Report exactly once.
   */
  interface Permit {
    /**
     * Reports the outcome: {@code failure} null for a call that returned normally. A failure that
     * means the dependency was never called (a {@link io.bulwark.core.error.RejectedException}
     * other than a deadline that passed during the call) or that the config ignores is not
     * recorded, and a half-open probe permit is given back.
     */
    void onResult(long durationNanos, @Nullable Throwable failure);

    /** Reports a call that returned {@code result}, judged by {@code recordResult}. */
    void onSuccess(long durationNanos, @Nullable Object result);

    /** Gives the permit back without recording anything: the call was not made. */
    void release();
  }

  /**
   * For callers that do not go through a pipeline: asks to make one call; null if the breaker
   * rejects it. The caller reports the outcome through the permit.
   */
  @Nullable Permit tryAcquirePermit();

  /**
   * Like {@link #tryAcquirePermit()}, for callers that report through {@link #onResult}. If it
   * returns true the caller must report the outcome with {@link #onResult}.
   */
  boolean tryAcquirePermission();

  /**
   * Reports the outcome of a call permitted by {@link #tryAcquirePermission()} into the current
   * state. Half-open counts it only while a probe permit is out; a late result of a call admitted
   * before can still be taken for a probe's if one is out, which {@link #tryAcquirePermit()} rules
   * out.
   */
  void onResult(long durationNanos, @Nullable Throwable failure);

  /** Opens the breaker until {@link #reset()}, whatever the window says. */
  void forceOpen();

  /** Lets every call through and records nothing until {@link #reset()}. */
  void disable();

  /** Closes the breaker with an empty window. */
  void reset();
}
