package io.bulwark.saga;

import io.bulwark.core.config.Checks;

/**
 * A named queue of runs: at most {@code concurrency} runs of the queue execute at once across all
 * executors sharing the store, at most {@code perKeyConcurrency} per concurrency key, and at most
 * {@code startsPerSecond} runs start per second (0: no rate limit). Higher priorities start first;
 * equal priorities in start order. A queue without a concurrency limit ({@link #unlimited}, the
 * default queue's setting) needs no cross-executor count: a run started on it is claimed in the
 * insert that creates it, without the queues' lock.
 */
public record QueueConfig(
    String name, int concurrency, int perKeyConcurrency, double startsPerSecond) {
  /** The queue every definition uses unless it names another. */
  public static final String DEFAULT_QUEUE = "default";

  public QueueConfig {
    Names.check("queue name", name);
    Checks.positive("queue " + name + " concurrency", concurrency);
    Checks.positive("queue " + name + " perKeyConcurrency", perKeyConcurrency);
    Checks.notNegative("queue " + name + " startsPerSecond", startsPerSecond);
  }

  /** A queue with {@code concurrency} runs at once, no per-key limit below it, no rate limit. */
  public static QueueConfig of(String name, int concurrency) {
    return new QueueConfig(name, concurrency, concurrency, 0);
  }

  /**
   * A queue with no concurrency limit and no rate limit: its runs start at once, bounded only by
   * each executor's workers.
   */
  public static QueueConfig unlimited(String name) {
    return new QueueConfig(name, Integer.MAX_VALUE, Integer.MAX_VALUE, 0);
  }

  /** True when the queue limits nothing (see {@link #unlimited}). */
  public boolean isUnlimited() {
    return concurrency == Integer.MAX_VALUE
        && perKeyConcurrency == Integer.MAX_VALUE
        && startsPerSecond <= 0;
  }

  /** The same queue with a rate limit. */
  public QueueConfig withStartsPerSecond(double rate) {
    return new QueueConfig(name, concurrency, perKeyConcurrency, rate);
  }

  /** The same queue with a per-key limit. */
  public QueueConfig withPerKeyConcurrency(int limit) {
    return new QueueConfig(name, concurrency, limit, startsPerSecond);
  }
}
