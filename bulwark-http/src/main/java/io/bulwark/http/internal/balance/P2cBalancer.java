package io.bulwark.http.internal.balance;

import io.bulwark.core.time.Clock;
import io.bulwark.http.lb.EndpointState;
import io.bulwark.http.lb.LoadBalancer;
import io.bulwark.http.lb.SlowStart;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Power of two choices. The load of an endpoint is its in-flight count + 1, times its peak-EWMA
 * latency when latency-aware, divided by its slow-start weight; the lower of two random distinct
 * candidates wins (ties go to the first).
 */
public final class P2cBalancer implements LoadBalancer {
  private final boolean latencyAware;
  private final double unmeasuredNanos;
  private final SlowStart slowStart;
  private final Clock clock;
  private final Supplier<RandomGenerator> random;

  public P2cBalancer(
      boolean latencyAware,
      long unmeasuredNanos,
      SlowStart slowStart,
      Clock clock,
      Supplier<RandomGenerator> random) {
    this.latencyAware = latencyAware;
    this.unmeasuredNanos = Math.max(1, unmeasuredNanos);
    this.slowStart = slowStart;
    this.clock = clock;
    this.random = random;
  }

  @Override
  public @Nullable EndpointState pick(List<EndpointState> candidates, @Nullable String key) {
    int n = candidates.size();
    if (n == 0) {
      return null;
    }
    if (n == 1) {
      return candidates.get(0);
    }
    RandomGenerator r = random.get();
    int a = r.nextInt(n);
    int b = r.nextInt(n - 1);
    if (b >= a) {
      b++;
    }
    EndpointState first = candidates.get(a);
    EndpointState second = candidates.get(b);
    return load(second) < load(first) ? second : first;
  }

  double load(EndpointState e) {
    double load = e.inFlight() + 1.0;
    if (latencyAware) {
      double ewma = e.ewmaNanos();
      load *= ewma > 0 ? ewma : unmeasuredNanos;
    }
    return load / slowStart.weight(e, clock);
  }
}
