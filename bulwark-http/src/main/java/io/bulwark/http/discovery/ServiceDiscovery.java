package io.bulwark.http.discovery;

import java.util.List;
import java.util.function.Consumer;

/**
 * Where the instances of a logical service are. The SPI behind every client: a static list, the
 * {@link EmbeddedRegistry} of the local runtime, {@link DnsDiscovery}; Kubernetes endpoints later.
 * Every implementation passes the same compatibility kit.
 *
 * <p>Contract: {@link #endpoints} returns an immutable snapshot (empty for an unknown service,
 * never null). {@link #subscribe} calls the listener once at once with the current snapshot, then
 * after every change, in order, never concurrently for one subscription, and never after the
 * subscription is closed. Listeners must be fast and must not throw (a throwing listener is logged
 * and kept). Implementations are thread-safe.
 */
public interface ServiceDiscovery extends AutoCloseable {

  /** The current endpoints of {@code service}. */
  List<Endpoint> endpoints(String service);

  /** Follows the endpoints of {@code service}; see the class contract. */
  Subscription subscribe(String service, Consumer<List<Endpoint>> listener);

  /** Stops background work (refresh timers); endpoints stay readable. */
  @Override
  default void close() {}

  /** A live subscription; closing it stops notifications. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
