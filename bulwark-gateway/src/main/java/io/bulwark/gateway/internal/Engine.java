package io.bulwark.gateway.internal;

import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Scheduler;
import io.bulwark.gateway.GatewayConfig;
import io.bulwark.gateway.ListenerConfig;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: listeners (each served by one HTTP server instance per event loop), the
 * current snapshot and the admin listener. Reload swaps the snapshot atomically; requests in flight
 * finish on the snapshot they started with and the clusters only the old snapshot used are closed
 * once its last request has ended.
 */
public final class Engine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final int eventLoops;
  private final Scheduler scheduler;
  private final Telemetry telemetry;
  private final @Nullable ServiceDiscovery discovery;
  private final AtomicReference<Snapshot> current = new AtomicReference<>();
  private final InFlight inFlight = new InFlight();
  private final Map<String, Integer> ports = new LinkedHashMap<>();
  private final List<HttpServer> servers = new ArrayList<>();
  private final java.util.concurrent.locks.ReentrantLock reloading =
      new java.util.concurrent.locks.ReentrantLock();
  private final EdgeListeners edge;
  private @Nullable Admin admin;
  private long version;

  public Engine(
      GatewayConfig config,
      Vertx vertx,
      boolean ownsVertx,
      int eventLoops,
      Scheduler scheduler,
      Telemetry telemetry,
      @Nullable ServiceDiscovery discovery) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.eventLoops = eventLoops;
    this.scheduler = scheduler;
    this.telemetry = telemetry;
    this.discovery = discovery;
    this.version = 1;
    this.edge = new EdgeListeners(scheduler, System::getenv);
    current.set(
        Snapshot.build(
            1, config, null, vertx, scheduler, telemetry, discovery, this::tlsFilesChanged));
  }

  /** Binds every listener and the admin listener; returns when they accept connections. */
  public void start() {
    GatewayConfig config = current.get().config;
    for (ListenerConfig l : config.listeners().values()) {
      ports.put(l.name(), listen(l));
    }
    if (config.admin().enabled()) {
      Admin a = new Admin(vertx, this::snapshotView, telemetry);
      a.listen(config.admin());
      this.admin = a;
    }
  }

  private int listen(ListenerConfig l) {
    Proxy proxy = new Proxy(vertx, l, current::get, inFlight, telemetry, scheduler.clock());
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(l.host())
            .setPort(l.port())
            .setMaxHeaderSize(l.maxHeaderBytes())
            .setMaxInitialLineLength(l.maxUriLength())
            .setIdleTimeout(
                (int) Math.min(Integer.MAX_VALUE, Math.max(1, l.idleTimeout().toMillis())))
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
            .setHttp2ClearTextEnabled(true)
            .setCompressionSupported(false)
            .setDecompressionSupported(false)
            // the listener proxies HTTP only (an Upgrade is a hop-by-hop header it drops): no
            // WebSocket extension handler in every connection's pipeline, on every read and write
            .setPerFrameWebSocketCompressionSupported(false)
            .setPerMessageWebSocketCompressionSupported(false);
    TlsMaterial material = edge.material(l); // edge: TLS key material checked before binding
    if (material != null) {
      EdgeSetup.apply(options, l, material);
    } else {
      EdgeSetup.compression(options, l.edge().compression());
    }
    List<HttpServer> mine = new ArrayList<>();
    // port 0: a negative port is Vert.x's random port shared by the servers that use the same value
    // (binding the others to the first one's actual port is refused for TLS servers); the value is
    // the JVM's own for this listener, never one a Bulwark server of the same Vert.x also uses
    int port = l.port() == 0 ? io.bulwark.http.wire.RandomPorts.nextShared() : l.port();
    for (int i = 0; i < eventLoops; i++) {
      options.setPort(port);
      HttpServerOptions opts = new HttpServerOptions(options);
      io.vertx.core.Context ctx = ListenerLoops.next(vertx); // one event loop each
      io.vertx.core.Promise<HttpServer> bound = io.vertx.core.Promise.promise();
      ctx.runOnContext(
          v ->
              vertx
                  .createHttpServer(opts)
                  .requestHandler(proxy::handle)
                  .listen()
                  .onComplete(bound));
      HttpServer server = await(bound.future());
      servers.add(server);
      mine.add(server);
    }
    port = mine.get(0).actualPort();
    edge.started(l, options, material, mine); // edge: certificate watch or wire guard
    LOG.info("gateway listener {} on {}:{}", l.name(), l.host(), port);
    return port;
  }

  /**
   * A cluster's TLS files changed and the new ones are valid: the running config is swapped in
   * again, which renews the connections of the clusters whose files changed (and only theirs).
   */
  private void tlsFilesChanged() {
    reloading.lock();
    try {
      swap(current.get().config);
    } finally {
      reloading.unlock();
    }
  }

  /**
   * Swaps in {@code next} and returns what changed. Listener and admin changes take effect on
   * restart (their lines say so).
   */
  public List<String> reload(GatewayConfig next) {
    reloading.lock();
    try {
      return swap(next);
    } finally {
      reloading.unlock();
    }
  }

  private List<String> swap(GatewayConfig next) {
    Snapshot old = current.get();
    Snapshot fresh =
        Snapshot.build(
            ++version, next, old, vertx, scheduler, telemetry, discovery, this::tlsFilesChanged);
    current.set(fresh);
    List<String> diff = Snapshot.diff(old.config, next);
    LOG.info(
        "gateway config version {} in force: {}",
        fresh.version,
        diff.isEmpty() ? "no change" : String.join("; ", diff));
    List<ClusterRuntime> retired = old.retiredBy(fresh);
    if (!retired.isEmpty()) {
      inFlight.whenDrained(old, () -> retired.forEach(ClusterRuntime::close));
    }
    return diff;
  }

  /** The Vert.x instance the gateway runs on. */
  public Vertx vertx() {
    return vertx;
  }

  public long version() {
    return current.get().version;
  }

  public GatewayConfig config() {
    return current.get().config;
  }

  /** The bound port of listener {@code name}. */
  public int port(String name) {
    Integer p = ports.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no listener named \"" + name + "\"");
    }
    return p;
  }

  /** The admin listener's port, or -1 if it is disabled. */
  public int adminPort() {
    Admin a = admin;
    return a == null ? -1 : a.port();
  }

  private Snapshot snapshotView() {
    return current.get();
  }

  /** The config in force now, for {@link GatewayCounters#stats}. */
  Snapshot snapshotNow() {
    return current.get();
  }

  /** Checks every TLS listener's key material files now (see {@link EdgeListeners#reload}). */
  public List<String> reloadCertificates() {
    return edge.reload();
  }

  @Override
  public void close() {
    edge.close();
    for (HttpServer s : servers) {
      await(s.close());
    }
    Admin a = admin;
    if (a != null) {
      a.close();
    }
    current.get().clusters.values().forEach(ClusterRuntime::close);
    if (ownsVertx) {
      await(vertx.close());
    }
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          String.valueOf(e.getCause() == null ? e : e.getCause().getMessage()), e);
    }
  }
}
