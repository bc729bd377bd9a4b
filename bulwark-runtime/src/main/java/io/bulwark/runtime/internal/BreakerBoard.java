package io.bulwark.runtime.internal;

import io.bulwark.http.discovery.Endpoint;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.ResilienceListener;
import io.bulwark.runtime.BreakerView;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The last transition of every circuit breaker of a live client. Thread-safe; a transition is one
 * map update (no lock held across anything else).
 *
 * <p>Entries die with what they describe: an instance's entries are dropped when that incarnation
 * stops, is killed or is redeployed ({@link Source#close()}; a late transition of a closed source
 * is ignored), and an endpoint breaker ({@code <client>@<endpoint id>}, see the HTTP client) is
 * dropped when its endpoint leaves discovery, whatever instance holds it, until the endpoint comes
 * back.
 */
final class BreakerBoard {
  private record Key(String instanceId, String breaker) {}

  private final Map<Key, BreakerView> views = new ConcurrentHashMap<>();
  private final Set<String> departed = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<String>> endpointsByService = new ConcurrentHashMap<>();

  /** What one incarnation of an instance reports through; closed when that incarnation ends. */
  final class Source implements ResilienceListener {
    private final String instanceId;
    private volatile boolean closed;

    private Source(String instanceId) {
      this.instanceId = instanceId;
    }

    @Override
    public void onStateTransition(String breaker, CircuitBreaker.Transition t) {
      if (closed || departed.contains(endpointOf(breaker))) {
        return;
      }
      Key key = new Key(instanceId, breaker);
      BreakerView view = views.compute(key, (k, old) -> next(k, old, t));
      if (closed) {
        views.remove(key, view); // raced close(): the incarnation is gone
      }
    }

    /**
     * Process mode: the child's breakers as its latest scrape read them replace this incarnation's
     * entries (the child keeps the transition counts and reasons; a breaker it no longer reports
     * goes).
     */
    void replace(List<BreakerView> latest) {
      if (closed) {
        return;
      }
      Set<Key> keep = new HashSet<>();
      for (BreakerView v : latest) {
        if (departed.contains(endpointOf(v.breaker()))) {
          continue;
        }
        Key key = new Key(instanceId, v.breaker());
        keep.add(key);
        views.put(key, v);
      }
      views.keySet().removeIf(k -> k.instanceId().equals(instanceId) && !keep.contains(k));
      if (closed) {
        close(); // raced close(): the incarnation is gone
      }
    }

    /** The incarnation ended: its entries go, and later transitions are ignored. */
    void close() {
      closed = true;
      views.keySet().removeIf(k -> k.instanceId().equals(instanceId));
    }
  }

  /**
   * The listener one incarnation of {@code instanceId} gives its resilience registry and clients.
   */
  Source listenerFor(String instanceId) {
    return new Source(instanceId);
  }

  /** Discovery's current endpoints of {@code service}: endpoints that left drop their breakers. */
  void discovered(String service, List<Endpoint> endpoints) {
    Set<String> now = new HashSet<>();
    for (Endpoint e : endpoints) {
      now.add(e.id());
    }
    departed.removeAll(now);
    Set<String> before = endpointsByService.put(service, now);
    if (before == null) {
      return;
    }
    for (String id : before) {
      if (!now.contains(id)) {
        departed.add(id);
        views.keySet().removeIf(k -> endpointOf(k.breaker()).equals(id));
      }
    }
  }

  private static String endpointOf(String breaker) {
    int at = breaker.lastIndexOf('@');
    return at < 0 ? "" : breaker.substring(at + 1);
  }

  private static BreakerView next(Key k, @Nullable BreakerView old, CircuitBreaker.Transition t) {
    return new BreakerView(
        k.instanceId(),
        k.breaker(),
        t.to(),
        t.reason(),
        old == null ? 1 : old.transitions() + 1,
        t.atNanos());
  }

  /** Every breaker, ordered by instance then breaker name. */
  List<BreakerView> snapshot() {
    return views.values().stream()
        .sorted(Comparator.comparing(BreakerView::instanceId).thenComparing(BreakerView::breaker))
        .toList();
  }
}
