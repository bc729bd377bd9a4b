package io.bulwark.http.internal.balance;

import io.bulwark.core.time.Clock;
import io.bulwark.http.lb.EndpointState;
import io.bulwark.http.lb.LoadBalancer;
import io.bulwark.http.lb.SlowStart;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/** Round robin; an endpoint in slow start is skipped with probability {@code 1 - weight}. */
public final class RoundRobinBalancer implements LoadBalancer {
  private static final int MAX_SKIPS = 4;
  private final AtomicLong next = new AtomicLong();
  private final SlowStart slowStart;
  private final Clock clock;
  private final Supplier<RandomGenerator> random;

  public RoundRobinBalancer(SlowStart slowStart, Clock clock, Supplier<RandomGenerator> random) {
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
    EndpointState chosen = candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) n));
    for (int i = 0; i < MAX_SKIPS && !slowStart.window().isZero(); i++) {
      double w = slowStart.weight(chosen, clock);
      if (w >= 1.0 || random.get().nextDouble() < w) {
        break;
      }
      chosen = candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) n));
    }
    return chosen;
  }
}
