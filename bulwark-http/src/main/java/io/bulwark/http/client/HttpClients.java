package io.bulwark.http.client;

import io.bulwark.core.config.ConfigReader;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.bulwark.http.internal.ClientEngine;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.Pipeline;
import io.bulwark.resilience.ResilienceListener;
import io.bulwark.resilience.ResilienceRegistry;
import io.bulwark.resilience.Retry;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
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
    private @Nullable BiFunction<String, ClientConfig, CallDecorator> decorators;
    private Function<String, @Nullable Pipeline> pipelines = name -> null;
    private @Nullable Vertx vertx;
    private Telemetry telemetry = Telemetry.noop();
    private final List<ResilienceListener> listeners = new ArrayList<>();

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
     * The registry of named resilience pipelines that clients refer to with {@code pipeline: NAME}.
     */
    public Builder pipelines(Function<String, @Nullable Pipeline> pipelines) {
      this.pipelines = Objects.requireNonNull(pipelines, "pipelines");
      return this;
    }

    /**
     * Clients that say {@code pipeline: NAME} use the named pipeline of a bulwark-resilience
     * registry (YAML with hot reload: the client keeps a live handle, so a reload applies to its
     * next call).
     */
    public Builder pipelines(ResilienceRegistry registry) {
      Objects.requireNonNull(registry, "registry");
      return pipelines(
          name -> registry.config().pipelines().containsKey(name) ? registry.pipeline(name) : null);
    }

    /**
     * Replaces the resilience pipeline of every client by a decorator chosen by client name and
     * config (e.g. {@link CallDecorator#none()} to measure the bare client).
     */
    public Builder decorators(BiFunction<String, ClientConfig, CallDecorator> decorators) {
      this.decorators = Objects.requireNonNull(decorators, "decorators");
      return this;
    }

    /**
     * Records RED metrics (rate, errors, duration) of every call per client as a telemetry {@code
     * dependency} named after the client: success, error, timeout (deadline or timeout) or rejected
     * (circuit open, limit reached), and records a {@code CLIENT} span per attempt (retries
     * included). Without telemetry each attempt still sends a span id of its own under the caller's
     * trace, but records nothing.
     */
    public Builder telemetry(Telemetry telemetry) {
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      return this;
    }

    /**
     * Receives the events of every client's default pipeline (the retry and circuit breaker built
     * from {@link ClientConfig#retry()} and {@link ClientConfig#circuitBreaker()}) and of every
     * endpoint circuit breaker ({@link ClientConfig#endpointCircuitBreaker()}: state transitions
     * with their reasons, rejections), so that one listener sees every breaker of a process. Named
     * pipelines ({@code pipeline: NAME}) report through their registry's own listeners; clients
     * given a decorator by {@link #decorators} have no default pipeline. May be called more than
     * once; see {@link ResilienceListener} for what a listener must not do.
     */
    public Builder listener(ResilienceListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Share a Vert.x instance (not closed by {@link HttpClients#close()}). */
    public Builder vertx(Vertx vertx) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
      return this;
    }

    private Pipeline pipelineFor(String name, ClientConfig config) {
      String ref = config.pipeline();
      if (ref != null) {
        Pipeline p = pipelines.apply(ref);
        if (p == null) {
          throw new IllegalArgumentException(
              "client \""
                  + name
                  + "\" refers to pipeline \""
                  + ref
                  + "\", which is not registered");
        }
        return p;
      }
      Pipeline.Builder b =
          Pipeline.builder()
              .name(name)
              .clock(scheduler.clock())
              .with(
                  Retry.of(name, config.retry(), scheduler),
                  CircuitBreaker.of(name, config.circuitBreaker(), scheduler.clock()));
      listeners.forEach(b::listener);
      return b.build();
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
        CallDecorator d =
            decorators != null
                ? Objects.requireNonNull(decorators.apply(e.getKey(), e.getValue()))
                : CallDecorator.of(pipelineFor(e.getKey(), e.getValue()));
        engines.put(
            e.getKey(),
            new ClientEngine(
                e.getKey(),
                e.getValue(),
                discovery,
                scheduler,
                v,
                d,
                telemetry.dependency(e.getKey()),
                telemetry.tracing(),
                listeners));
      }
      return new HttpClients(Map.copyOf(engines), owned);
    }
  }
}
