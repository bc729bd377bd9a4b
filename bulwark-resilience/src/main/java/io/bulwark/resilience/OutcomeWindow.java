package io.bulwark.resilience;

/** The sliding window of a closed circuit breaker: counts of calls, failures and slow calls. */
interface OutcomeWindow {

  /**
   * Adds one outcome. Returns false only when the window certainly holds no failure and no slow
   * call, so its rates cannot have reached a threshold; the caller then skips reading the counts.
   */
  boolean record(long nowNanos, boolean failure, boolean slow);

  /** The current counts; {@code nowNanos} lets a time-based window drop old buckets first. */
  CircuitBreaker.Metrics metrics(long nowNanos);

  /** Whether the current counts cross {@code rule}'s thresholds, read without allocating. */
  boolean crosses(long nowNanos, Thresholds rule);

  /** The rule a window's counts are judged by. */
  interface Thresholds {
    boolean crossedBy(int calls, int failures, int slowCalls);
  }

  /** A phrase for transition reasons, e.g. "the last 100 calls" or "the last 60s (240 calls)". */
  String describe(int calls);

  /**
   * An empty window; a time window's buckets are whole seconds counted from {@code originNanos}.
   */
  static OutcomeWindow of(CircuitBreakerConfig config, long originNanos) {
    return config.windowType() == CircuitBreakerConfig.WindowType.COUNT_BASED
        ? new CountWindow(config.windowSize())
        : new TimeWindow(config.windowSize(), originNanos);
  }
}
