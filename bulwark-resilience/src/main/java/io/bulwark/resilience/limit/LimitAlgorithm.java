package io.bulwark.resilience.limit;

/**
 * How an adaptive concurrency limit moves, apart from the limiter that enforces it. An algorithm is
 * an immutable, comparable description ({@link AimdLimit}, {@link VegasLimit}, {@link
 * Gradient2Limit}); {@link #start()} makes the {@link Estimator} that carries its state. An
 * estimator is a deterministic function of the samples fed to it: no clock, no threads, so it is
 * tested with plain sequences of samples.
 */
public interface LimitAlgorithm {

  /** A fresh estimator at the initial limit. */
  Estimator start();

  /** The state of one limit. Not thread-safe: the limiter feeds it one sample at a time. */
  interface Estimator {

    /** The current limit (at least 1). */
    int limit();

    /**
     * Feeds one finished call and returns the new limit.
     *
     * @param rttNanos how long the call took
     * @param inflight calls in flight when it started (itself included)
     * @param dropped true if the call was rejected, timed out or otherwise signalled overload
     */
    int onSample(long rttNanos, int inflight, boolean dropped);
  }
}
