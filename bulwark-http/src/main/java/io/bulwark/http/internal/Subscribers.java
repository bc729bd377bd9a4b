package io.bulwark.http.internal;

import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.ServiceDiscovery;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot-and-notify half every discovery implementation shares: per service, the current
 * endpoint list and its subscribers. Publishing an unchanged list notifies nobody. Notifications
 * for one service are serialized by a per-service lock that is held only while calling listeners
 * (which must be fast).
 */
public final class Subscribers {
  private static final Logger LOG = LoggerFactory.getLogger(Subscribers.class);

  private static final class Service {
    volatile List<Endpoint> endpoints = List.of();
    final CopyOnWriteArrayList<Sub> subs = new CopyOnWriteArrayList<>();
  }

  private static final class Sub implements ServiceDiscovery.Subscription {
    final Consumer<List<Endpoint>> listener;
    final Service owner;
    volatile boolean closed;

    Sub(Consumer<List<Endpoint>> listener, Service owner) {
      this.listener = listener;
      this.owner = owner;
    }

    @Override
    public void close() {
      closed = true;
      owner.subs.remove(this);
    }
  }

  private final Map<String, Service> services = new ConcurrentHashMap<>();

  private Service service(String name) {
    return services.computeIfAbsent(name, n -> new Service());
  }

  public List<Endpoint> endpoints(String service) {
    Service s = services.get(service);
    return s == null ? List.of() : s.endpoints;
  }

  /** The names of the services published so far. */
  public java.util.Set<String> services() {
    return services.keySet();
  }

  public ServiceDiscovery.Subscription subscribe(
      String service, Consumer<List<Endpoint>> listener) {
    Service s = service(service);
    Sub sub = new Sub(listener, s);
    synchronized (s) {
      s.subs.add(sub);
      call(sub, s.endpoints);
    }
    return sub;
  }

  /** Replaces the endpoints of {@code service} and notifies if they changed. */
  public void publish(String service, List<Endpoint> endpoints) {
    Service s = service(service);
    List<Endpoint> copy = List.copyOf(endpoints);
    synchronized (s) {
      if (copy.equals(s.endpoints)) {
        return;
      }
      s.endpoints = copy;
      for (Sub sub : s.subs) {
        call(sub, copy);
      }
    }
  }

  private static void call(Sub sub, List<Endpoint> endpoints) {
    if (sub.closed) {
      return;
    }
    try {
      sub.listener.accept(endpoints);
    } catch (RuntimeException e) {
      LOG.warn("discovery listener threw; ignored", e);
    }
  }
}
