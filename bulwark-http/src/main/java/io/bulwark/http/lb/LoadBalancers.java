package io.bulwark.http.lb;

import io.bulwark.core.time.Clock;
import io.bulwark.http.internal.balance.ConsistentHashBalancer;
import io.bulwark.http.internal.balance.P2cBalancer;
import io.bulwark.http.internal.balance.RoundRobinBalancer;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Factories for the built-in {@link LoadBalancer}s.
 *
 * <ul>
 *   <li>{@link #roundRobin} — each usable endpoint in turn (slow-start weights thin new ones out).
 *   <li>{@link #leastRequest} — power of two choices: two random endpoints, the one with fewer
 *       requests in flight (divided by its slow-start weight) wins.
 *   <li>{@link #peakEwma} — the default: P2C on {@code peakEwmaLatency × (inFlight + 1)}, so slow
 *       or busy endpoints get less traffic within a few requests.
 *   <li>{@link #ringHash} — consistent hashing on a ring with virtual nodes: a key keeps its
 *       endpoint while that endpoint is usable; removing one endpoint moves only its keys.
 *   <li>{@link #maglev} — Maglev hashing: a lookup table with near-perfect balance and minimal
 *       disruption, O(1) per pick.
 * </ul>
 */
public final class LoadBalancers {
  private static final Supplier<RandomGenerator> RANDOM = ThreadLocalRandom::current;

  private LoadBalancers() {}

  public static LoadBalancer roundRobin(SlowStart slowStart, Clock clock) {
    return new RoundRobinBalancer(slowStart, clock, RANDOM);
  }

  public static LoadBalancer leastRequest(SlowStart slowStart, Clock clock) {
    return new P2cBalancer(false, 0, slowStart, clock, RANDOM);
  }

  /**
   * Power of two choices weighted by peak-EWMA latency.
   *
   * @param unmeasuredLatency the latency assumed for an endpoint with no samples yet
   */
  public static LoadBalancer peakEwma(
      Duration unmeasuredLatency, SlowStart slowStart, Clock clock) {
    return new P2cBalancer(true, unmeasuredLatency.toNanos(), slowStart, clock, RANDOM);
  }

  /** P2C with a given random source (deterministic tests). */
  public static LoadBalancer p2c(
      boolean peakEwma, SlowStart slowStart, Clock clock, Supplier<RandomGenerator> random) {
    return new P2cBalancer(peakEwma, 1_000_000, slowStart, clock, random);
  }

  /**
   * Consistent hashing on a ring of virtual nodes.
   *
   * @param virtualNodes points per endpoint on the ring (100-200 balance well)
   */
  public static LoadBalancer ringHash(int virtualNodes) {
    return ConsistentHashBalancer.ring(virtualNodes);
  }

  /**
   * Maglev consistent hashing.
   *
   * @param tableSize a prime, much larger than the number of endpoints (65537 is typical)
   */
  public static LoadBalancer maglev(int tableSize) {
    return ConsistentHashBalancer.maglev(tableSize);
  }

  /** The balancer named by {@code balancing}, with defaults. */
  public static LoadBalancer of(Balancing balancing, SlowStart slowStart, Clock clock) {
    return switch (balancing) {
      case ROUND_ROBIN -> roundRobin(slowStart, clock);
      case LEAST_REQUEST -> leastRequest(slowStart, clock);
      case PEAK_EWMA -> peakEwma(Duration.ofMillis(1), slowStart, clock);
      case RING_HASH -> ringHash(160);
      case MAGLEV -> maglev(65537);
    };
  }
}
