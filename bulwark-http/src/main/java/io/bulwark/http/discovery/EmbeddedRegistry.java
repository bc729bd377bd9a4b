package io.bulwark.http.discovery;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.internal.Subscribers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The in-process registry of the local runtime: instances register themselves and deregister on
 * shutdown; a registration with a time-to-live expires unless renewed (a crashed instance drops out
 * by itself). Expiry runs on the injected {@link Scheduler}. Thread-safe.
 */
public final class EmbeddedRegistry implements ServiceDiscovery {
  private final Subscribers subscribers = new Subscribers();
  private final Scheduler scheduler;
  private final Map<String, Map<String, Registration>> byService = new ConcurrentHashMap<>();

  private EmbeddedRegistry(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  /** A registry whose leases expire on {@code scheduler}'s time. */
  public static EmbeddedRegistry create(Scheduler scheduler) {
    return new EmbeddedRegistry(Objects.requireNonNull(scheduler, "scheduler"));
  }

  /** Registers {@code endpoint} under {@code service} until deregistered. */
  public Registration register(String service, Endpoint endpoint) {
    return add(service, endpoint, null);
  }

  /**
   * Registers {@code endpoint} with a lease of {@code ttl}: it disappears unless {@link
   * Registration#renew()} is called within each {@code ttl}.
   */
  public Registration register(String service, Endpoint endpoint, Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("registration ttl must be positive, was " + ttl);
    }
    return add(service, endpoint, ttl);
  }

  private Registration add(String service, Endpoint endpoint, @Nullable Duration ttl) {
    if (service.isBlank()) {
      throw new IllegalArgumentException("service name must not be blank");
    }
    Registration r = new Registration(service, endpoint, ttl);
    Map<String, Registration> regs =
        byService.computeIfAbsent(service, s -> new ConcurrentHashMap<>());
    Registration previous = regs.put(endpoint.id(), r);
    if (previous != null) {
      previous.cancelLease();
    }
    r.renew();
    publish(service);
    return r;
  }

  private void remove(Registration r) {
    Map<String, Registration> regs = byService.get(r.service);
    if (regs != null && regs.remove(r.endpoint.id(), r)) {
      r.cancelLease();
      publish(r.service);
    }
  }

  private void publish(String service) {
    synchronized (this) {
      Map<String, Registration> regs = byService.getOrDefault(service, Map.of());
      List<Endpoint> list = new ArrayList<>();
      for (Registration r : regs.values()) {
        list.add(r.endpoint);
      }
      list.sort(java.util.Comparator.comparing(Endpoint::id));
      subscribers.publish(service, list);
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

  /** One registered instance; {@link #close()} deregisters it. */
  public final class Registration implements AutoCloseable {
    private final String service;
    private final Endpoint endpoint;
    private final @Nullable Duration ttl;
    private volatile @Nullable ScheduledTask lease;

    private Registration(String service, Endpoint endpoint, @Nullable Duration ttl) {
      this.service = service;
      this.endpoint = endpoint;
      this.ttl = ttl;
    }

    /** Extends the lease by the ttl from now (no-op without a ttl). */
    public void renew() {
      Duration t = ttl;
      if (t == null) {
        return;
      }
      cancelLease();
      lease = scheduler.schedule(t, () -> remove(this));
    }

    private void cancelLease() {
      ScheduledTask l = lease;
      if (l != null) {
        l.cancel();
      }
    }

    public Endpoint endpoint() {
      return endpoint;
    }

    @Override
    public void close() {
      remove(this);
    }
  }
}
