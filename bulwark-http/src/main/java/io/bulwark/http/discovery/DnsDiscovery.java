package io.bulwark.http.discovery;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.internal.Subscribers;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Endpoints from DNS: each service maps to a host name and port; every address the name resolves to
 * is an endpoint. Names are re-resolved every refresh interval on the injected {@link Scheduler}; a
 * failed lookup keeps the last known endpoints (a DNS outage must not empty a service).
 * Thread-safe.
 */
public final class DnsDiscovery implements ServiceDiscovery {
  private static final Logger LOG = LoggerFactory.getLogger(DnsDiscovery.class);

  /** Resolves a host name to IP address strings. */
  @FunctionalInterface
  public interface Resolver {
    List<String> resolve(String host) throws UnknownHostException;

    /** The JVM's resolver ({@link InetAddress#getAllByName}). */
    static Resolver system() {
      return host ->
          Arrays.stream(InetAddress.getAllByName(host)).map(InetAddress::getHostAddress).toList();
    }
  }

  private record Target(String host, int port) {}

  private final Subscribers subscribers = new Subscribers();
  private final Map<String, Target> targets;
  private final Resolver resolver;
  private final @Nullable ScheduledTask refresh;

  private DnsDiscovery(Builder b) {
    this.targets = Map.copyOf(b.targets);
    this.resolver = b.resolver;
    refreshNow();
    long period = Scheduler.saturatedNanos(b.refreshInterval);
    this.refresh = b.scheduler.scheduleAtFixedRate(period, period, this::refreshNow);
  }

  public static Builder builder(Scheduler scheduler) {
    return new Builder(scheduler);
  }

  /** Resolves every service now (also done every refresh interval). */
  public void refreshNow() {
    for (Map.Entry<String, Target> e : targets.entrySet()) {
      Target t = e.getValue();
      try {
        List<String> addresses = new ArrayList<>(resolver.resolve(t.host));
        addresses.sort(null);
        List<Endpoint> endpoints = new ArrayList<>(addresses.size());
        for (String a : addresses) {
          endpoints.add(Endpoint.of(a, t.port));
        }
        subscribers.publish(e.getKey(), endpoints);
      } catch (UnknownHostException | RuntimeException ex) {
        LOG.warn(
            "DNS lookup of {} for service {} failed; keeping last endpoints", t.host, e.getKey());
      }
    }
  }

  @Override
  public List<Endpoint> endpoints(String service) {
    return subscribers.endpoints(service);
  }

  @Override
  public Subscription subscribe(String service, Consumer<List<Endpoint>> listener) {
    return subscribers.subscribe(service, listener);
  }

  @Override
  public void close() {
    ScheduledTask r = refresh;
    if (r != null) {
      r.cancel();
    }
  }

  /** Builds a {@link DnsDiscovery}; setters validate. */
  public static final class Builder {
    private final Scheduler scheduler;
    private final Map<String, Target> targets = new LinkedHashMap<>();
    private Resolver resolver = Resolver.system();
    private Duration refreshInterval = Duration.ofSeconds(30);

    private Builder(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** Service {@code service} is every address of {@code host}, on {@code port}. */
    public Builder service(String service, String host, int port) {
      if (service.isBlank() || host.isBlank()) {
        throw new IllegalArgumentException("service and host must not be blank");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "port of service " + service + " must be 1..65535, was " + port);
      }
      targets.put(service, new Target(host, port));
      return this;
    }

    public Builder resolver(Resolver resolver) {
      this.resolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    public Builder refreshInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("refreshInterval must be positive, was " + interval);
      }
      this.refreshInterval = interval;
      return this;
    }

    public DnsDiscovery build() {
      return new DnsDiscovery(this);
    }
  }
}
