package io.bulwark.http;

import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.internal.CompositeListener;
import io.bulwark.http.internal.NoListener;
import io.bulwark.http.internal.RedListener;
import io.bulwark.http.internal.RouteTable;
import io.bulwark.http.internal.ServerEngine;
import io.bulwark.resilience.ConcurrencyLimiter;
import io.bulwark.resilience.Pipeline;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A Bulwark HTTP service: routes with path templates whose handlers run on virtual threads behind a
 * fixed chain of inbound filters, on Vert.x event loops.
 *
 * <p>Per request, in order: the context is restored from the headers ({@code traceparent}, {@code
 * baggage}, {@code bulwark-deadline}, {@code bulwark-criticality}, {@code bulwark-correlation-id});
 * a correlation id is generated if absent and always echoed back; a request whose deadline has
 * already passed gets {@code 504} without running; the route's own {@link Admission} (if it has
 * one) and then the server's decide whether to shed it ({@code 503} + {@code Retry-After}); the
 * body is read up to {@code maxBodySize} ({@code 413} beyond); the handler runs on a virtual thread
 * with the context bound; if the deadline passes while it runs, the caller gets {@code 504} at once
 * and the handler's thread is interrupted (its late answer is discarded). Every answer is logged
 * through {@link ServerListener#onRequest}, with its {@link RequestOutcome}. Each step is a named
 * stage of the engine, in this documented order.
 *
 * <p>Before that chain, HTTP/1.x message framing is checked (RFC 9112 §6): a {@code
 * transfer-encoding} other than one {@code chunked} header, or beside {@code content-length}, gets
 * 400 and the connection closes; an HTTP/1.1 request needs one {@code Host}; a version other than
 * 1.0 and 1.1 gets 505, a malformed chunk size 400, TLS bytes on a plain port 400, each with the
 * close. {@code HEAD} is served by the {@code GET} route. A refusal before the body is read closes
 * an HTTP/1.x connection but only resets the stream on HTTP/2. Connections are bounded by {@link
 * ServerConfig#idleTimeout()}, {@link ServerConfig#requestHeadTimeout()} (408), {@link
 * ServerConfig#maxConnections()} and {@link ServerConfig#maxConnectionsPerAddress()} (counted at
 * accept on a plain-HTTP port). On a TLS port the wire checks are Vert.x's own and a chunked
 * HTTP/1.1 request closes its connection (see docs/http.md, Known limits).
 *
 * <p>Errors never crash the server and never show a stack trace: malformed headers, malformed JSON,
 * oversized bodies or headers, unknown paths and methods get a 4xx JSON body {@code
 * {"status","error","message","correlationId"}}.
 *
 * <p>{@code GET /health/live} answers 200 while the process serves; {@code GET /health/ready}
 * answers 200 only when started, not draining, and the readiness check passes. {@link #shutdown()}
 * is graceful: readiness goes down, the listening socket closes, requests already accepted finish
 * within the drain budget, then connections close. No lock is held while it waits: {@link #kill()}
 * ends a drain in progress, and a second {@code shutdown()} gets the first one's result.
 */
public final class BulwarkServer implements AutoCloseable {
  private final ServerEngine engine;

  private BulwarkServer(ServerEngine engine) {
    this.engine = engine;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds and starts serving; returns once the port is open. */
  public BulwarkServer start() {
    engine.start();
    return this;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return engine.port();
  }

  /** Requests accepted and not yet finished. */
  public int inFlight() {
    return engine.inFlight();
  }

  /** True when started, not draining, and the readiness check passes. */
  public boolean isReady() {
    return engine.isReady();
  }

  /**
   * Graceful shutdown: stop accepting, drain in-flight requests within the configured budget, then
   * close. Idempotent.
   *
   * @return how many requests were still running when the budget ran out (0 means none was lost)
   */
  public int shutdown() {
    return engine.shutdown();
  }

  /**
   * Crash: closes the listening sockets and every open connection at once without drain or answer,
   * and interrupts the handlers still running; their answers are never sent. Readiness goes down.
   * Idempotent; a later {@link #shutdown()} returns at once.
   *
   * @return how many requests were running when the server was killed
   */
  public int kill() {
    return engine.kill();
  }

  /**
   * Checks the TLS files (key store and client CA) now instead of at the next {@link
   * ServerConfig#tlsReloadInterval()}: changed files that load are used for new handshakes (open
   * connections keep theirs); files that do not load are refused and the old certificate keeps
   * serving.
   *
   * @return {@code "reloaded: ..."} or {@code "refused: <why>; ..."} when the files changed since
   *     the last check, null when they did not or the server has no TLS
   */
  public @Nullable String reloadTls() {
    return engine.reloadTls();
  }

  @Override
  public void close() {
    shutdown();
  }

  /** Builds a {@link BulwarkServer}. */
  public static final class Builder {
    private ServerConfig config = ServerConfig.defaults();
    private @Nullable Duration drainBudget;
    private final RouteTable routes = new RouteTable();
    private final List<String> systemRoutes = new ArrayList<>();
    private Admission admission = Admission.unlimited();
    private final Map<String, Admission> routeAdmissions = new LinkedHashMap<>();
    private @Nullable Pipeline pipeline;
    private @Nullable Telemetry telemetry;
    private final List<ServerListener> listeners = new ArrayList<>();
    private Clock clock = Clock.system();
    private @Nullable Scheduler scheduler;
    private BooleanSupplier readiness = () -> true;
    private @Nullable Vertx vertx;
    private int eventLoops = Runtime.getRuntime().availableProcessors();

    private Builder() {}

    /**
     * The server's settings (default: {@link ServerConfig#defaults()}); replaces an earlier config,
     * but not a {@link #drainBudget} given to this builder, which wins whatever the order.
     */
    public Builder config(ServerConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Routes {@code method} + {@code template} (e.g. {@code /orders/{id}}) to {@code handler}.
     *
     * @throws IllegalArgumentException on a malformed template or a duplicate route
     */
    public Builder route(String method, String template, Handler handler) {
      routes.add(method, template, Objects.requireNonNull(handler, "handler"));
      return this;
    }

    /**
     * Routes to a handler that never blocks (no I/O, no locks held long, no waiting): it runs
     * inline on the event loop, skipping the hand-off to a virtual thread, with the same filters,
     * context binding and error handling. Deadline enforcement can only refuse work that arrives
     * late: a running event-loop handler cannot be interrupted. Use for trivial endpoints (static
     * JSON, cached lookups); everything else belongs on virtual threads.
     */
    public Builder routeNonBlocking(String method, String template, Handler handler) {
      routes.add(method, template, Objects.requireNonNull(handler, "handler"), true);
      return this;
    }

    public Builder get(String template, Handler handler) {
      return route("GET", template, handler);
    }

    public Builder post(String template, Handler handler) {
      return route("POST", template, handler);
    }

    public Builder put(String template, Handler handler) {
      return route("PUT", template, handler);
    }

    public Builder delete(String template, Handler handler) {
      return route("DELETE", template, handler);
    }

    /**
     * Mounts the metrics endpoint (e.g. bulwark-telemetry's Prometheus scrape handler) at {@code
     * GET path}; like the health endpoints it bypasses load shedding and deadlines.
     */
    public Builder metrics(String path, Handler handler) {
      routes.add("GET", path, handler);
      systemRoutes.add(path);
      return this;
    }

    /**
     * The server's inbound resilience pipeline, run around every handler on its virtual thread with
     * the request context bound (after the body is read); a rejection by the pipeline before the
     * handler starts is answered {@code 503} + {@code Retry-After} as load shedding. For load
     * shedding itself prefer {@link #limiter}, which refuses before the body is read.
     */
    public Builder pipeline(Pipeline pipeline) {
      this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
      return this;
    }

    /**
     * Adaptive, criticality-aware load shedding on the event loop, before the body is read: the
     * limit is learned from latency and drops, and SHEDDABLE requests may fill only part of it, so
     * they are shed before CRITICAL ones. Same as {@code admission(Admission.adaptive(limiter))}.
     */
    public Builder limiter(ConcurrencyLimiter limiter) {
      return admission(Admission.adaptive(limiter));
    }

    /**
     * Server-wide load shedding on the event loop, before the body is read (default: admit
     * everything): {@link Admission#adaptive} or the cheaper, fixed {@link
     * Admission#byCriticality}.
     */
    public Builder admission(Admission admission) {
      this.admission = Objects.requireNonNull(admission, "admission");
      return this;
    }

    /**
     * Load shedding for one route, in addition to the server-wide {@link #admission(Admission)}: a
     * request to {@code method template} needs a permit from {@code admission} first (by its
     * criticality, so a route's own {@link Admission#byCriticality} limit also sets its own
     * criticality thresholds), then one from the server's. Either refusal is {@code 503 overloaded}
     * with {@code Retry-After}, before the body is read; the route's refusal names the route. A
     * route refused by the server gives its route permit back at once. Giving a route a second
     * admission replaces the first.
     *
     * @throws IllegalArgumentException from {@link #build()} if {@code method template} is not
     *     routed
     */
    public Builder admission(String method, String template, Admission admission) {
      Objects.requireNonNull(template, "template");
      Objects.requireNonNull(admission, "admission");
      routeAdmissions.put(method.toUpperCase(Locale.ROOT) + " " + template, admission);
      return this;
    }

    /**
     * Observability: records RED metrics (rate, errors, duration) per route, in addition to the
     * configured listener, records each request's {@code SERVER} span and, when the telemetry has a
     * {@linkplain Telemetry#scrape() scrape} (bulwark-telemetry's {@code BulwarkTelemetry} has the
     * Prometheus one), mounts it at {@code GET /metrics} (outside load shedding and deadlines, like
     * the health endpoints). Without telemetry the server still gives every request a span id of
     * its own under the caller's trace, but records nothing.
     */
    public Builder telemetry(Telemetry telemetry) {
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      telemetry
          .scrape()
          .ifPresent(
              scrape ->
                  metrics(
                      "/metrics",
                      r ->
                          Response.bytes(
                              200,
                              scrape.contentType(),
                              scrape.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
      return this;
    }

    /**
     * Adds a listener for access log and observation. Listeners add up: each one given is called,
     * in the order given (after the telemetry's RED metrics, if {@link #telemetry} is set), so a
     * factory that adds its own never drops one added before. The default, {@link
     * ServerListener#accessLog()}, is used only when no listener is added; add {@link
     * ServerListener#none()} alone for no access log.
     */
    public Builder listener(ServerListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** The clock deadlines and latencies are measured on. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The scheduler for deadline timers (default: a system scheduler on the clock). */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      this.clock = scheduler.clock();
      return this;
    }

    /** An extra readiness condition (e.g. "caches warm"); {@code /health/ready} checks it. */
    public Builder readiness(BooleanSupplier readiness) {
      this.readiness = Objects.requireNonNull(readiness, "readiness");
      return this;
    }

    /** Use a shared Vert.x instance (not closed by the server). Default: the server owns one. */
    public Builder vertx(Vertx vertx) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
      return this;
    }

    /** Number of event loops (server instances sharing the port); default: available cores. */
    public Builder eventLoops(int eventLoops) {
      if (eventLoops < 1 || eventLoops > 256) {
        throw new IllegalArgumentException("eventLoops must be 1..256, was " + eventLoops);
      }
      this.eventLoops = eventLoops;
      return this;
    }

    /**
     * The drain budget, overriding the config's (also one given later by {@link #config}).
     *
     * @throws IllegalArgumentException if {@code budget} is negative
     */
    public Builder drainBudget(Duration budget) {
      ServerConfig.builder().drainBudget(budget); // validates
      this.drainBudget = budget;
      return this;
    }

    /**
     * Builds the server (not started).
     *
     * @throws IllegalStateException if a custom clock was given without a scheduler on it
     * @throws IllegalArgumentException if a route admission names a route that is not routed
     */
    public BulwarkServer build() {
      if (scheduler == null && clock != Clock.system()) {
        throw new IllegalStateException(
            "a custom clock needs a scheduler on the same clock: use scheduler(...) instead");
      }
      routeAdmissions.forEach(
          (route, a) -> {
            int space = route.indexOf(' ');
            routes.admission(route.substring(0, space), route.substring(space + 1), a);
          });
      Telemetry t = telemetry;
      ServerEngine engine =
          new ServerEngine(
              settings(),
              new ServerEngine.Routing(routes, List.copyOf(systemRoutes), admission, pipeline),
              new ServerEngine.Observation(
                  listener(t), t == null ? Tracing.disabled() : t.tracing()),
              new ServerEngine.Platform(clock, scheduler, vertx, eventLoops),
              readiness);
      return new BulwarkServer(engine);
    }

    /** The config, with this builder's overrides applied through {@link ServerConfig#toBuilder}. */
    private ServerConfig settings() {
      Duration budget = drainBudget;
      return budget == null ? config : config.toBuilder().drainBudget(budget).build();
    }

    /** The listeners added, or the access log; metrics first, so a listener finds them recorded. */
    private ServerListener listener(@Nullable Telemetry t) {
      List<ServerListener> all = new ArrayList<>();
      if (t != null) {
        all.add(new RedListener(t));
      }
      all.addAll(listeners.isEmpty() ? List.of(ServerListener.accessLog()) : listeners);
      all.removeIf(l -> l instanceof NoListener);
      return switch (all.size()) {
        case 0 -> ServerListener.none();
        case 1 -> all.get(0);
        default -> new CompositeListener(all);
      };
    }
  }
}
