package io.bulwark.http.internal;

import io.bulwark.core.time.Scheduler;
import io.bulwark.http.lb.EndpointState;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.CircuitBreakerConfig;
import io.bulwark.resilience.ResilienceListener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The circuit breakers of one client's endpoints, one per endpoint id, named {@code
 * <client>@<endpoint id>}. A breaker is created when its endpoint appears in discovery and dropped
 * when it leaves, so the set never holds more breakers than the service has endpoints. Lookups read
 * an immutable map (no lock); only a discovery update copies it.
 */
final class EndpointBreakers {
  private final String client;
  private final @Nullable CircuitBreakerConfig config;
  private final Scheduler scheduler;
  private final List<ResilienceListener> listeners;
  private volatile Map<String, CircuitBreaker> byId = Map.of();

  EndpointBreakers(
      String client,
      @Nullable CircuitBreakerConfig config,
      Scheduler scheduler,
      List<ResilienceListener> listeners) {
    this.client = client;
    this.config = config;
    this.scheduler = scheduler;
    this.listeners = List.copyOf(listeners);
  }

  /** Keeps the breakers of {@code endpoints}, creates the missing ones, drops the others. */
  synchronized void retain(List<EndpointState> endpoints) {
    CircuitBreakerConfig c = config;
    if (c == null) {
      return;
    }
    Map<String, CircuitBreaker> old = byId;
    Map<String, CircuitBreaker> next = new HashMap<>();
    for (EndpointState e : endpoints) {
      CircuitBreaker b = old.get(e.id());
      if (b == null) {
        b = CircuitBreaker.of(client + "@" + e.id(), c, scheduler);
        for (ResilienceListener l : listeners) {
          b.addListener(l);
        }
      }
      next.put(e.id(), b);
    }
    byId = Map.copyOf(next);
  }

  /** The breaker of endpoint {@code id}, or null (no breakers configured, or unknown id). */
  @Nullable CircuitBreaker of(String id) {
    Map<String, CircuitBreaker> m = byId;
    return m.isEmpty() ? null : m.get(id);
  }

  /**
   * Whether the breaker of {@code id} refuses every call now (OPEN and still waiting, or forced
   * open). A HALF_OPEN breaker is not refused here: whether a probe permit is left is only known by
   * taking one.
   */
  boolean refuses(String id) {
    CircuitBreaker b = of(id);
    if (b == null) {
      return false;
    }
    CircuitBreaker.State s = b.state();
    return s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN;
  }

  /** The breakers by endpoint id (a snapshot). */
  Map<String, CircuitBreaker> all() {
    return byId;
  }
}
