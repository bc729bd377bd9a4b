package io.bulwark.runtime.dashboard;

import io.bulwark.chaos.Chaos;
import io.bulwark.core.time.Scheduler;
import io.bulwark.runtime.ServiceStats;
import io.bulwark.runtime.SystemRuntime;
import io.bulwark.telemetry.slo.SloEvaluator;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The live dashboard of a running system: a web page served on loopback (by default) that shows the
 * topology with live call rates, RED charts per service and route, circuit breakers, event topics
 * with consumer lag, saga runs, SLOs with burn-rate alerts, autoscaler decisions, active chaos
 * faults with start and clear controls, and a timeline of everything that happened. Every panel
 * reads a JSON API under {@code /api/} (the same data the page shows); the page is updated by
 * server-sent events ({@code /api/stream}) once per tick.
 *
 * <p>Sources are optional except the runtime: a panel whose source is absent says "not in this
 * system". Stats: by default the dashboard takes the runtime's {@link SystemRuntime#takeStats()}
 * itself; when another live view already consumes them, build with {@link
 * Builder#statsFedByCaller()} and hand each interval to {@link #offerStats(List)}.
 *
 * <p>Safety: bound to {@code 127.0.0.1} unless told otherwise, and then only to hosts named in the
 * {@code Host} header as loopback (no DNS rebinding). Write actions (fault start and clear,
 * instance kill, stop and restart) need, on loopback, the {@code x-bulwark-dashboard} header (which
 * a cross-site page cannot send without a preflight that is never granted); bound to any other
 * address, a token is required at build time and every request must carry it ({@code authorization:
 * Bearer}, compared in constant time; the event stream also takes {@code ?token=}). Every action is
 * logged and shown in the timeline. Bad input is answered 400 with the field it concerns.
 */
public final class Dashboard implements AutoCloseable {
  private final Engine engine;
  private final Front front;

  private Dashboard(Builder b) {
    this.engine =
        new Engine(
            b.runtime,
            b.scheduler,
            b.ownStats,
            b.sagaService,
            b.sagaPrefix,
            b.topics,
            b.slos,
            b.historyPoints,
            new GatewayPanel(b.gateways));
    this.front = new Front(engine, b.host, b.port, b.token, b.tick);
  }

  /** A dashboard for {@code runtime}; nothing is served before {@link #start()}. */
  public static Builder builder(SystemRuntime runtime) {
    return new Builder(runtime);
  }

  /**
   * Binds the server and starts the ticks; returns this.
   *
   * @throws IllegalStateException naming the address when it cannot be bound
   */
  public Dashboard start() {
    front.start();
    return this;
  }

  /** The bound port (after {@link #start()}). */
  public int port() {
    return front.port();
  }

  /** The page's address, e.g. {@code http://127.0.0.1:8099/}. */
  public String url() {
    return front.url();
  }

  /**
   * Shows {@code chaos}'s active faults and lets the page start and clear faults through it; {@code
   * null} detaches (the panel then says "not in this system"). Faults that start or end are put on
   * the timeline at the next tick.
   */
  public void attachChaos(@Nullable Chaos chaos) {
    engine.attachChaos(chaos);
  }

  /** One interval of stats taken by the caller (see {@link Builder#statsFedByCaller()}). */
  public void offerStats(List<ServiceStats> stats) {
    engine.offerStats(List.copyOf(stats));
  }

  /**
   * An autoscaler decision for the autoscaler panel and the timeline.
   *
   * @param service the service scaled
   * @param policy the policy that decided
   * @param from instances before
   * @param to instances decided
   * @param reason why, in the policy's words
   */
  public void recordDecision(String service, String policy, int from, int to, String reason) {
    engine.recordDecision(
        Objects.requireNonNull(service, "service"),
        Objects.requireNonNull(policy, "policy"),
        from,
        to,
        Objects.requireNonNull(reason, "reason"));
  }

  /**
   * Records an {@link io.bulwark.runtime.autoscale.Autoscaler}'s decision on the autoscaler panel
   * and the timeline: pass {@code dashboard::recordDecision} as the autoscaler's listener.
   */
  public void recordDecision(io.bulwark.runtime.autoscale.ScalingDecision decision) {
    recordDecision(
        decision.service(), decision.policy(), decision.from(), decision.to(), decision.reason());
  }

  /** Puts a line on the timeline ({@code kind} e.g. {@code "deploy"}, {@code "note"}). */
  public void note(String kind, String subject, String detail) {
    engine.timeline().add(kind, subject, detail);
  }

  /** Runs one tick now (the scheduler runs them on their own; for tests and a final refresh). */
  public void tick() {
    engine.tick();
    front.publish();
  }

  /** Stops serving: closes the event streams and the server. Idempotent. */
  @Override
  public void close() {
    front.close();
  }

  /** Builds a {@link Dashboard}. */
  public static final class Builder {
    private final SystemRuntime runtime;
    private String host = "127.0.0.1";
    private int port;
    private @Nullable String token;
    private Scheduler scheduler = Scheduler.system();
    private Duration tick = Duration.ofSeconds(1);
    private boolean ownStats = true;
    private @Nullable String sagaService;
    private String sagaPrefix = "/sagas";
    private @Nullable TopicLagSource topics;
    private @Nullable SloEvaluator slos;
    private int historyPoints = 120;
    private final java.util.Map<
            String, java.util.function.Supplier<io.bulwark.gateway.GatewayStats>>
        gateways = new java.util.LinkedHashMap<>();

    private Builder(SystemRuntime runtime) {
      this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    /** The address to bind ({@code 127.0.0.1} by default); any other needs a {@link #token}. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port (0, the default: any free one). */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("dashboard port must be 0..65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /** The bearer token that every request must carry; required when not bound to loopback. */
    public Builder token(@Nullable String token) {
      if (token != null && token.length() < 16) {
        throw new IllegalArgumentException(
            "dashboard token must be at least 16 characters, was " + token.length());
      }
      this.token = token;
      return this;
    }

    /** Where ticks run ({@link Scheduler#system()} by default). */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** How often the panels refresh (1 s by default; 100 ms to 1 min). */
    public Builder tick(Duration tick) {
      if (tick.compareTo(Duration.ofMillis(100)) < 0 || tick.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("dashboard tick must be 100ms..1m, was " + tick);
      }
      this.tick = tick;
      return this;
    }

    /** Another view consumes {@link SystemRuntime#takeStats()}: it feeds {@link #offerStats}. */
    public Builder statsFedByCaller() {
      this.ownStats = false;
      return this;
    }

    /**
     * The saga panel reads the visibility routes ({@code io.bulwark.saga.http.SagaRoutes}) that
     * {@code service}'s instances serve under {@code prefix} (e.g. {@code /sagas}).
     */
    public Builder sagas(String service, String prefix) {
      runtime.model().service(Objects.requireNonNull(service, "service"));
      if (!prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("?")) {
        throw new IllegalArgumentException(
            "saga prefix must start with '/' and not end with it, was '" + prefix + "'");
      }
      this.sagaService = service;
      this.sagaPrefix = prefix;
      return this;
    }

    /** The topics panel's source of consumer lag. */
    public Builder topics(TopicLagSource topics) {
      this.topics = Objects.requireNonNull(topics, "topics");
      return this;
    }

    /**
     * The SLO panel's evaluator: the dashboard reads its {@link SloEvaluator#status()} each tick
     * (its owner runs the evaluations) and puts alerts that start or stop firing on the timeline.
     */
    public Builder slos(SloEvaluator slos) {
      this.slos = Objects.requireNonNull(slos, "slos");
      return this;
    }

    /**
     * Adds a gateway to the gateway panel: its routes with RED figures, clusters with endpoint
     * health and ejections, refusals and reload history, read once per tick (pass {@code
     * gateway::stats}).
     *
     * @throws IllegalArgumentException for a blank or repeated name
     */
    public Builder gateway(
        String name, java.util.function.Supplier<io.bulwark.gateway.GatewayStats> stats) {
      Objects.requireNonNull(stats, "stats");
      if (name.isBlank() || gateways.containsKey(name)) {
        throw new IllegalArgumentException(
            "gateway name must be non-blank and unique, was '" + name + "'");
      }
      gateways.put(name, stats);
      return this;
    }

    /** Points kept per chart (120 by default, 10..3600). */
    public Builder historyPoints(int points) {
      if (points < 10 || points > 3600) {
        throw new IllegalArgumentException("history points must be 10..3600, was " + points);
      }
      this.historyPoints = points;
      return this;
    }

    /**
     * Builds (nothing is bound yet).
     *
     * @throws IllegalArgumentException when bound to a non-loopback host without a token, naming
     *     the host
     */
    public Dashboard build() {
      if (token == null && !isLoopbackHost(host)) {
        throw new IllegalArgumentException(
            "dashboard host "
                + host
                + " is not loopback: a token is required (write actions and data would be open"
                + " to the network)");
      }
      return new Dashboard(this);
    }
  }

  static boolean isLoopbackHost(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    if (host.isEmpty() || (!Character.isDigit(host.charAt(0)) && host.indexOf(':') < 0)) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
