package io.bulwark.http.client;

import io.bulwark.core.config.ConfigReader;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.bulwark.http.discovery.StaticDiscovery;
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
 * (its own unless given). A client finds its endpoints in discovery by service name, or calls the
 * one endpoint of a URL without any discovery:
 *
 * <pre>{@code
 * try (HttpClients clients =
 *     HttpClients.builder(scheduler)
 *         .client("payments", "http://127.0.0.1:8080")
 *         .pipeline("payments", pipeline) // a bulwark-resilience Pipeline built in code
 *         .build()) {
 *   ClientResponse r = clients.client("payments").get("/charges/42");
 * }
 * }</pre>
 *
 * Built from code or from YAML:
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

  /**
   * A builder of clients that look their endpoints up in {@code discovery} (clients for one URL may
   * be added too).
   */
  public static Builder builder(ServiceDiscovery discovery, Scheduler scheduler) {
    return new Builder(Objects.requireNonNull(discovery, "discovery"), scheduler);
  }

  /** A builder of clients for one URL each ({@link Builder#client(String, String)}). */
  public static Builder builder(Scheduler scheduler) {
    return new Builder(null, scheduler);
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
    private final @Nullable ServiceDiscovery discovery;
    private final Scheduler scheduler;
    private final Map<String, ClientConfig> configs = new LinkedHashMap<>();
    private final Map<String, ClientUrl> urls = new LinkedHashMap<>();
    private final Map<String, Pipeline> attached = new LinkedHashMap<>();
    private @Nullable BiFunction<String, ClientConfig, CallDecorator> decorators;
    private Function<String, @Nullable Pipeline> pipelines = name -> null;
    private @Nullable Vertx vertx;
    private Telemetry telemetry = Telemetry.noop();
    private final List<ResilienceListener> listeners = new ArrayList<>();

    private Builder(@Nullable ServiceDiscovery discovery, Scheduler scheduler) {
      this.discovery = discovery;
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * Adds a named client that looks the endpoints of {@link ClientConfig#service()} up in
     * discovery.
     *
     * @throws IllegalArgumentException if the name is blank or taken, or this builder has no
     *     discovery ({@link HttpClients#builder(Scheduler)})
     */
    public Builder client(String name, ClientConfig config) {
      if (discovery == null) {
        throw new IllegalArgumentException(
            "client \""
                + name
                + "\" looks its endpoints up in discovery, but this builder has none: use"
                + " HttpClients.builder(discovery, scheduler), or client(name, url)");
      }
      return add(name, config);
    }

    /**
     * Adds a named client with default settings that calls the one endpoint of {@code url}: {@code
     * http://host[:port]}, or {@code https://host[:port]} (TLS with the JVM's default trust).
     * Requests bring their own path and query, so the URL has none.
     *
     * @throws IllegalArgumentException naming the client and the URL if it is malformed, has
     *     another scheme, a path, a query, a fragment or user info, or if the name is taken
     */
    public Builder client(String name, String url) {
      ClientUrl u = ClientUrl.parse(name, url);
      return add(name, ClientConfig.builder(name).tls(u.tls()).build(), u);
    }

    /**
     * Like {@link #client(String, String)} with {@code config}'s settings; its {@link
     * ClientConfig#tls()} must match the URL's scheme (for a trust store: {@link
     * ClientConfig.Builder#trustStore} and {@code https}).
     */
    public Builder client(String name, String url, ClientConfig config) {
      ClientUrl u = ClientUrl.parse(name, url);
      if (config.tls() != u.tls()) {
        throw new IllegalArgumentException(
            "client \""
                + name
                + "\": url \""
                + url
                + "\" says "
                + (u.tls() ? "https" : "http")
                + ", but its config has tls "
                + (config.tls() ? "on" : "off"));
      }
      return add(name, config, u);
    }

    private Builder add(String name, ClientConfig config, ClientUrl url) {
      add(name, config);
      urls.put(name, url);
      return this;
    }

    private Builder add(String name, ClientConfig config) {
      if (name.isBlank()) {
        throw new IllegalArgumentException("client name must not be blank");
      }
      if (configs.putIfAbsent(name, Objects.requireNonNull(config, "config")) != null) {
        throw new IllegalArgumentException("client \"" + name + "\" is defined twice");
      }
      return this;
    }

    /**
     * Runs every call of client {@code client} through {@code pipeline}, a bulwark-resilience
     * {@link Pipeline} built in code, instead of the default retry and circuit breaker. The
     * pipeline reports through its own listeners, not through {@link #listener}.
     *
     * @throws IllegalArgumentException if the client already has a pipeline given here; {@link
     *     #build()} refuses a client that is not defined or names a pipeline in its config too
     */
    public Builder pipeline(String client, Pipeline pipeline) {
      Objects.requireNonNull(pipeline, "pipeline");
      if (attached.putIfAbsent(client, pipeline) != null) {
        throw new IllegalArgumentException("client \"" + client + "\" is given a pipeline twice");
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
      Pipeline inCode = attached.get(name);
      if (inCode != null) {
        if (ref != null) {
          throw new IllegalArgumentException(
              "client \""
                  + name
                  + "\" is given a pipeline in code and names pipeline \""
                  + ref
                  + "\" in its config; keep one");
        }
        return inCode;
      }
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
                  CircuitBreaker.of(name, config.circuitBreaker(), scheduler));
      listeners.forEach(b::listener);
      return b.build();
    }

    /**
     * Builds the clients.
     *
     * @throws IllegalArgumentException naming the client if a pipeline is given for a client that
     *     is not defined, or a client's pipeline cannot be resolved
     */
    public HttpClients build() {
      for (String client : attached.keySet()) {
        if (!configs.containsKey(client)) {
          throw new IllegalArgumentException(
              "a pipeline is given for client \""
                  + client
                  + "\", which is not defined; defined: "
                  + configs.keySet());
        }
      }
      Map<String, CallDecorator> decorated = new LinkedHashMap<>();
      configs.forEach((name, config) -> decorated.put(name, decoratorFor(name, config)));
      Vertx v = vertx;
      Vertx owned = null;
      if (v == null) {
        v = Vertx.vertx();
        owned = v;
      }
      Map<String, ClientEngine> engines = new LinkedHashMap<>();
      for (Map.Entry<String, ClientConfig> e : configs.entrySet()) {
        String name = e.getKey();
        engines.put(
            name,
            new ClientEngine(
                name,
                e.getValue(),
                discoveryOf(name, e.getValue()),
                scheduler,
                v,
                Objects.requireNonNull(decorated.get(name)),
                telemetry.dependency(name),
                telemetry.tracing(),
                listeners));
      }
      return new HttpClients(Map.copyOf(engines), owned);
    }

    private CallDecorator decoratorFor(String name, ClientConfig config) {
      return decorators != null
          ? Objects.requireNonNull(decorators.apply(name, config))
          : CallDecorator.of(pipelineFor(name, config));
    }

    /** The client's discovery: the builder's, or for a URL client its one endpoint. */
    private ServiceDiscovery discoveryOf(String name, ClientConfig config) {
      ClientUrl url = urls.get(name);
      if (url != null) {
        return StaticDiscovery.of(Map.of(config.service(), List.of(url.endpoint())));
      }
      return Objects.requireNonNull(discovery, "discovery");
    }
  }
}
