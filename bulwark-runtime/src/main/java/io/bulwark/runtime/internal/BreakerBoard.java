package io.bulwark.runtime.internal;

import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.ResilienceListener;
import io.bulwark.runtime.BreakerView;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last transition of every circuit breaker that any instance reported. Thread-safe; a
 * transition is one map update (no lock held across anything else).
 */
final class BreakerBoard {
  private record Key(String instanceId, String breaker) {}

  private final Map<Key, BreakerView> views = new ConcurrentHashMap<>();

  /** The listener an instance gives its resilience registry and clients. */
  ResilienceListener listenerFor(String instanceId) {
    return new ResilienceListener() {
      @Override
      public void onStateTransition(String breaker, CircuitBreaker.Transition t) {
        record(instanceId, breaker, t);
      }
    };
  }

  private void record(String instanceId, String breaker, CircuitBreaker.Transition t) {
    views.compute(
        new Key(instanceId, breaker),
        (k, old) ->
            new BreakerView(
                instanceId,
                breaker,
                t.to(),
                t.reason(),
                old == null ? 1 : old.transitions() + 1,
                t.atNanos()));
  }

  /** Every breaker, ordered by instance then breaker name. */
  List<BreakerView> snapshot() {
    return views.values().stream()
        .sorted(Comparator.comparing(BreakerView::instanceId).thenComparing(BreakerView::breaker))
        .toList();
  }
}
