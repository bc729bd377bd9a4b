package io.bulwark.http.discovery;

import io.bulwark.http.internal.Subscribers;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A fixed list of endpoints per service, from code or config; {@link #update} replaces a service's
 * list (e.g. on config reload) and notifies subscribers. Thread-safe.
 */
public final class StaticDiscovery implements ServiceDiscovery {
  private final Subscribers subscribers = new Subscribers();

  private StaticDiscovery() {}

  /** An empty static discovery. */
  public static StaticDiscovery create() {
    return new StaticDiscovery();
  }

  /** A static discovery holding {@code services}. */
  public static StaticDiscovery of(Map<String, List<Endpoint>> services) {
    StaticDiscovery d = new StaticDiscovery();
    services.forEach(d::update);
    return d;
  }

  /**
   * A static discovery from {@code host:port} strings per service.
   *
   * @throws IllegalArgumentException naming the service and value if one is not {@code host:port}
   */
  public static StaticDiscovery parse(Map<String, List<String>> services) {
    StaticDiscovery d = new StaticDiscovery();
    services.forEach(
        (name, list) -> {
          try {
            d.update(name, list.stream().map(Endpoint::parse).toList());
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("service " + name + ": " + e.getMessage(), e);
          }
        });
    return d;
  }

  /** Replaces the endpoints of {@code service}. */
  public StaticDiscovery update(String service, List<Endpoint> endpoints) {
    subscribers.publish(service, endpoints);
    return this;
  }

  @Override
  public List<Endpoint> endpoints(String service) {
    return subscribers.endpoints(service);
  }

  @Override
  public Subscription subscribe(String service, Consumer<List<Endpoint>> listener) {
    return subscribers.subscribe(service, listener);
  }
}
