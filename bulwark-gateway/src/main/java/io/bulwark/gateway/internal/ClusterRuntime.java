package io.bulwark.gateway.internal;

import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Scheduler;
import io.bulwark.gateway.ClusterConfig;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.bulwark.http.health.ActiveHealthChecker;
import io.bulwark.http.health.HealthCheckConfig;
import io.bulwark.http.health.OutlierConfig;
import io.bulwark.http.health.OutlierDetector;
import io.bulwark.http.lb.EndpointState;
import io.bulwark.http.lb.LoadBalancer;
import io.bulwark.http.lb.LoadBalancers;
import io.bulwark.http.lb.SlowStart;
import io.bulwark.resilience.RetryBudget;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream cluster at run time: its keep-alive connection pool (one Vert.x client), its
 * endpoints as checked by the egress guard (each pinned to its checked address), the balancer,
 * passive outlier ejection, active health checks and the retry budget. Thread-safe: the endpoint
 * list is an immutable snapshot swapped when discovery reports a change.
 */
final class ClusterRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterRuntime.class);
  private static final long EWMA_DECAY_NANOS = TimeUnit.SECONDS.toNanos(10);

  /**
   * One usable endpoint: its balancer state, the checked address it connects to and the {@code
   * Host} it is sent ({@code host:port}, the port left out when it is 80).
   */
  record Target(
      EndpointState state, SocketAddress server, String host, int port, String authority) {
    Target(EndpointState state, SocketAddress server, String host, int port) {
      this(state, server, host, port, authority(host, port));
    }

    static String authority(String host, int port) {
      String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
      return port == 80 ? h : h + ":" + port;
    }
  }

  final ClusterConfig config;
  final LoopClients client;

  /** The own HTTP/1.1 pools per event loop (plain HTTP/1.1 clusters), else null. */
  final @Nullable Http1Pools http1;

  private final byte[] tlsFiles;
  private final io.bulwark.core.time.@Nullable ScheduledTask tlsWatch;

  final RetryBudget budget;
  final RedRecorder red;
  private final LoadBalancer balancer;
  private final @Nullable OutlierDetector outlier;
  private final @Nullable ActiveHealthChecker health;
  private final Scheduler scheduler;
  private final io.vertx.core.Context probeContext;
  private volatile List<Target> targets = List.of();
  private volatile List<String> refusals = List.of();
  private volatile Set<String> ids = Set.of();
  private final ServiceDiscovery.@Nullable Subscription subscription;

  ClusterRuntime(
      ClusterConfig config,
      Vertx vertx,
      Scheduler scheduler,
      Telemetry telemetry,
      @Nullable ServiceDiscovery discovery,
      Runnable tlsFilesChanged) {
    this.config = config;
    this.scheduler = scheduler;
    this.tlsFiles = UpstreamTls.fingerprint(config.tls()); // before the files are checked
    this.client =
        new LoopClients(
            vertx, clientOptions(config, scheduler.clock().instant()), poolOptions(config));
    this.http1 =
        config.protocol() == ClusterConfig.Protocol.HTTP1
                && config.tls() == null
                && vertx instanceof VertxInternal vi
            ? new Http1Pools(vi, config)
            : null;
    this.budget = RetryBudget.of("gateway-" + config.name(), config.retryBudget(), scheduler);
    this.red = telemetry.dependency(config.name());
    this.balancer = LoadBalancers.of(config.balancing(), SlowStart.NONE, scheduler.clock());
    OutlierConfig oc = config.outlier();
    this.outlier = oc == null ? null : new OutlierDetector(oc, scheduler.clock());
    this.probeContext = vertx.getOrCreateContext();
    String service = config.service();
    if (service == null) {
      update(config.endpoints());
      this.subscription = null;
    } else if (discovery == null) {
      throw new IllegalStateException(
          "cluster \"" + config.name() + "\" uses service discovery but the gateway has none");
    } else {
      this.subscription = discovery.subscribe(service, this::update);
    }
    HealthCheckConfig hc = config.healthCheck();
    this.health =
        hc == null
            ? null
            : new ActiveHealthChecker(
                hc,
                scheduler,
                () -> targets.stream().map(t -> t.state().endpoint()).toList(),
                e -> probe(e, hc));
    // last: a runtime whose construction failed leaves no watch behind
    io.bulwark.gateway.UpstreamTlsConfig tls = config.tls();
    this.tlsWatch =
        tls == null
            ? null
            : UpstreamTls.watch(config.name(), tls, tlsFiles, scheduler, tlsFilesChanged);
  }

  private static HttpClientOptions clientOptions(ClusterConfig config, java.time.Instant now) {
    HttpClientOptions o =
        new HttpClientOptions()
            .setKeepAlive(true)
            .setConnectTimeout(
                (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
            .setDecompressionSupported(false)
            .setKeepAliveTimeout((int) Math.max(1, config.idleTimeout().toSeconds()))
            .setHttp2KeepAliveTimeout((int) Math.max(1, config.idleTimeout().toSeconds()));
    if (config.protocol() == ClusterConfig.Protocol.H2C) {
      o.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
    }
    io.bulwark.gateway.UpstreamTlsConfig tls = config.tls();
    if (tls != null) {
      UpstreamTls.apply(o, tls, config.protocol(), now);
    }
    return o;
  }

  private static PoolOptions poolOptions(ClusterConfig config) {
    return new PoolOptions()
        .setHttp1MaxSize(config.poolSize())
        .setHttp2MaxSize(Math.max(1, config.poolSize() / 8))
        .setMaxWaitQueueSize(config.poolSize() * 64);
  }

  /** Checks every endpoint with the egress guard and swaps in the allowed ones. */
  private void update(List<Endpoint> endpoints) {
    List<Target> next = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    List<Target> previous = targets;
    for (Endpoint e : endpoints) {
      Egress.Verdict v = Egress.check(e, config.egressAllow());
      if (!v.allowed()) {
        refused.add(e.id() + ": " + v.refusal());
        LOG.warn(
            "cluster {}: endpoint refused by the egress guard: {}", config.name(), v.refusal());
        continue;
      }
      EndpointState state = null;
      for (Target t : previous) {
        if (t.state().id().equals(e.id())) {
          state = t.state();
        }
      }
      next.add(
          new Target(
              state != null ? state : new EndpointState(e, scheduler.clock(), EWMA_DECAY_NANOS),
              SocketAddress.inetSocketAddress(e.port(), v.address().getHostAddress()),
              e.host(),
              e.port()));
    }
    this.targets = List.copyOf(next);
    this.refusals = List.copyOf(refused);
    this.ids = next.stream().map(t -> t.state().id()).collect(Collectors.toUnmodifiableSet());
    OutlierDetector od = outlier;
    if (od != null) {
      od.retain(ids);
    }
  }

  /** The endpoint for one attempt among the healthy, non-ejected ones, or null if none is. */
  @Nullable Target pick(@Nullable Target avoid) {
    List<Target> all = targets;
    List<EndpointState> usable = new ArrayList<>(all.size());
    for (Target t : all) {
      if (usable(t) && (avoid == null || !t.state().id().equals(avoid.state().id()))) {
        usable.add(t.state());
      }
    }
    if (usable.isEmpty() && avoid != null && usable(avoid)) {
      usable.add(avoid.state());
    }
    EndpointState chosen = balancer.pick(usable, null);
    if (chosen == null) {
      return null;
    }
    for (Target t : all) {
      if (t.state() == chosen) {
        return t;
      }
    }
    return null;
  }

  private boolean usable(Target t) {
    OutlierDetector od = outlier;
    ActiveHealthChecker hc = health;
    String id = t.state().id();
    return (od == null || !od.isEjected(id)) && (hc == null || hc.isHealthy(id));
  }

  /** Records one attempt's outcome for outlier ejection and the balancer. */
  void record(Target t, boolean success, long latencyNanos) {
    t.state().onComplete(latencyNanos);
    OutlierDetector od = outlier;
    if (od != null) {
      od.record(t.state().id(), success, ids);
    }
  }

  /** The endpoints and their health, for the admin API. */
  List<EndpointView> endpoints() {
    List<EndpointView> out = new ArrayList<>();
    for (Target t : targets) {
      String id = t.state().id();
      OutlierDetector od = outlier;
      ActiveHealthChecker hc = health;
      boolean ejected = od != null && od.isEjected(id);
      boolean healthy = hc == null || hc.isHealthy(id);
      out.add(
          new EndpointView(
              id,
              t.server().hostAddress(),
              healthy && !ejected ? "healthy" : ejected ? "ejected" : "unhealthy",
              t.state().inFlight()));
    }
    for (String r : refusals) {
      out.add(new EndpointView(r.substring(0, r.indexOf(": ")), "", "refused: " + r, 0));
    }
    return out;
  }

  record EndpointView(String id, String address, String status, int inFlight) {}

  /**
   * Whether {@code next} can keep this runtime (its pools, ejections and budget): the same config,
   * and TLS files with the same contents as when this runtime read them (a certificate rotated
   * under the same path needs a new runtime, made by the file watch or a reload).
   */
  boolean reusableFor(ClusterConfig next) {
    return config.equals(next)
        && java.util.Arrays.equals(tlsFiles, UpstreamTls.fingerprint(next.tls()));
  }

  /**
   * The host of a request to {@code t} when the gateway sends it (not the client's): the endpoint's
   * host, or with TLS and a {@code server-name} that name, which the upstream's certificate is then
   * checked against (and which is the {@code Host} header sent).
   */
  String verifiedHost(Target t) {
    io.bulwark.gateway.UpstreamTlsConfig tls = config.tls();
    String name = tls == null ? null : tls.serverName();
    return name != null ? name : t.host();
  }

  private CompletableFuture<Boolean> probe(Endpoint e, HealthCheckConfig hc) {
    Target target = null;
    for (Target t : targets) {
      if (t.state().endpoint().equals(e)) {
        target = t;
      }
    }
    if (target == null) {
      return CompletableFuture.completedFuture(false);
    }
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setServer(target.server())
            .setHost(verifiedHost(target))
            .setPort(target.port())
            .setURI(hc.path());
    Promise<Boolean> result = Promise.promise();
    probeContext.runOnContext(
        v ->
            client
                .request(o)
                .compose(HttpClientRequest::send)
                .compose(resp -> resp.body().map(b -> resp.statusCode() == 200))
                .timeout(hc.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .onComplete(result));
    return result.future().toCompletionStage().toCompletableFuture();
  }

  @Override
  public void close() {
    io.bulwark.core.time.ScheduledTask watch = tlsWatch;
    if (watch != null) {
      watch.cancel();
    }
    ServiceDiscovery.Subscription s = subscription;
    if (s != null) {
      try {
        s.close();
      } catch (Exception e) {
        LOG.debug("closing a discovery subscription failed", e);
      }
    }
    ActiveHealthChecker hc = health;
    if (hc != null) {
      hc.close();
    }
    Http1Pools own = http1;
    if (own != null) {
      own.close();
    }
    // in-flight exchanges finish first: shutdown waits for them, up to the timeout
    client.shutdown(30, TimeUnit.SECONDS);
  }
}
