package io.bulwark.http.client;

import io.bulwark.core.config.ConfigReader;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.bulwark.http.internal.ClientEngine;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * The named clients of one process, sharing one discovery, one scheduler and one Vert.x instance
 * (its own unless given). Built from code or from YAML:
 *
 * <pre>{@code
 * clients:
 *   orders: {balancer: peak-ewma, timeout: 2s}
 *   inventory: {balancer: maglev, timeout: 500ms}
 * }</pre>
 *
 * bound with {@link #bindAll(ConfigReader)}. Thread-safe. {@link #close()} stops health checks and
 * closes connections.
 */
public final class HttpClients implements AutoCloseable {
  private final Map<String, ClientEngine> clients;
  private final @Nullable Vertx ownedVertx;

  private HttpClients(Map<String, ClientEngine> clients, @Nullable Vertx ownedVertx) {
    this.clients = clients;
    this.ownedVertx = ownedVertx;
  }

  public static Builder builder(ServiceDiscovery discovery, Scheduler scheduler) {
    return new Builder(discovery, scheduler);
  }

  /** Binds the {@code clients:} map of named client sections. */
  public static Map<String, ClientConfig> bindAll(ConfigReader r) {
    return r.namedSections("clients", ClientConfig::bind);
  }

  /**
   * The client named {@code name}.
   *
   * @throws IllegalArgumentException naming the known clients if there is none by that name
   */
  public ServiceClient client(String name) {
    ClientEngine c = clients.get(name);
    if (c == null) {
      throw new IllegalArgumentException(
          "no client named \"" + name + "\"; known: " + clients.keySet());
    }
    return c;
  }

  @Override
  public void close() {
    clients.values().forEach(ClientEngine::close);
    Vertx v = ownedVertx;
    if (v != null) {
      try {
        v.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        // closing is best effort
      }
    }
  }

  /** Builds {@link HttpClients}. */
  public static final class Builder {
    private final ServiceDiscovery discovery;
    private final Scheduler scheduler;
    private final Map<String, ClientConfig> configs = new LinkedHashMap<>();
    private BiFunction<String, ClientConfig, CallDecorator> decorators =
        (name, config) -> CallDecorator.none();
    private @Nullable Vertx vertx;

    private Builder(ServiceDiscovery discovery, Scheduler scheduler) {
      this.discovery = Objects.requireNonNull(discovery, "discovery");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** Adds a named client. */
    public Builder client(String name, ClientConfig config) {
      if (name.isBlank()) {
        throw new IllegalArgumentException("client name must not be blank");
      }
      if (configs.putIfAbsent(name, Objects.requireNonNull(config, "config")) != null) {
        throw new IllegalArgumentException("client \"" + name + "\" is defined twice");
      }
      return this;
    }

    /** Adds every client of {@code configs} (e.g. from {@link #bindAll}). */
    public Builder clients(Map<String, ClientConfig> configs) {
      configs.forEach(this::client);
      return this;
    }

    /**
     * Chooses each client's call decorator (its resilience pipeline) by name and config; default:
     * none.
     */
    public Builder decorators(BiFunction<String, ClientConfig, CallDecorator> decorators) {
      this.decorators = Objects.requireNonNull(decorators, "decorators");
      return this;
    }

    /** Share a Vert.x instance (not closed by {@link HttpClients#close()}). */
    public Builder vertx(Vertx vertx) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
      return this;
    }

    public HttpClients build() {
      Vertx v = vertx;
      Vertx owned = null;
      if (v == null) {
        v = Vertx.vertx();
        owned = v;
      }
      Map<String, ClientEngine> engines = new LinkedHashMap<>();
      for (Map.Entry<String, ClientConfig> e : configs.entrySet()) {
        CallDecorator d = Objects.requireNonNull(decorators.apply(e.getKey(), e.getValue()));
        engines.put(
            e.getKey(), new ClientEngine(e.getKey(), e.getValue(), discovery, scheduler, v, d));
      }
      return new HttpClients(Map.copyOf(engines), owned);
    }
  }
}
