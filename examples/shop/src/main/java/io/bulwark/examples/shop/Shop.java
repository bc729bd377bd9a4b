package io.bulwark.examples.shop;

import io.bulwark.events.EventLog;
import io.bulwark.examples.shop.common.Settings;
import io.bulwark.examples.shop.common.SharedEventLog;
import io.bulwark.examples.shop.edge.EdgeAddress;
import io.bulwark.examples.shop.inventory.InventoryService;
import io.bulwark.examples.shop.inventory.InventoryShards;
import io.bulwark.examples.shop.notifications.NotificationsService;
import io.bulwark.examples.shop.provider.LegacyPaymentProvider;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.runtime.RuntimeListener;
import io.bulwark.runtime.RuntimeOptions;
import io.bulwark.runtime.RuntimeStartException;
import io.bulwark.runtime.ServiceFactory;
import io.bulwark.runtime.ServiceSpec;
import io.bulwark.runtime.SystemModel;
import io.bulwark.runtime.SystemRuntime;
import io.bulwark.runtime.autoscale.AutoscaleSpec;
import io.bulwark.runtime.autoscale.Metric;
import io.bulwark.runtime.autoscale.TargetTracking;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The shop's first slice: catalog, cart, orders, payments (2 instances), inventory (3 instances,
 * sharded by SKU), shipping and recommendations, each a Bulwark HTTP server run by a {@link
 * SystemRuntime}.
 *
 * <p>{@link #start} opens the shared event log (topic {@code orders}, 2 partitions): the embedded
 * one under {@code <storageRoot>/event-log}, or Kafka when {@link ShopOptions#backends()} names a
 * cluster; then starts the services in dependency order; {@link #close} stops them in reverse, then
 * closes the log. {@link #checkInvariants} judges a run from the services' own stores. See {@code
 * docs/shop.md}.
 */
public final class Shop implements AutoCloseable {
  /** The version every service starts with. */
  public static final String GOOD_VERSION = "1.0.0";

  /** The payments version of the game day's bad deploy: fails half its calls and adds latency. */
  public static final String BAD_PAYMENTS_VERSION = "1.1.0-bad";

  /** The services, in the order the runtime starts them. */
  public static final List<String> SERVICES =
      List.of(
          "recommendations",
          "catalog",
          "inventory",
          LegacyPaymentProvider.SERVICE,
          "payments",
          "cart",
          "orders",
          "shipping",
          "notifications",
          "web-bff",
          "mobile-bff",
          // the edge: login, the monolith being strangled, the gateway in front of all
          "identity",
          "legacy",
          "gateway");

  /**
   * Recommendations scale with their request rate (the runtime's target tracking): one instance up
   * to {@value #RECOMMENDATIONS_TARGET_RPS} requests/s each (product pages, a quarter of the users'
   * requests, ask recommendations: 15/s at the demo's 60 req/s), more during the game day's traffic
   * spike (at most 3), back to one 5 s after it. Sampled every second over 3 s, decided every 2 s.
   */
  public static final AutoscaleSpec RECOMMENDATIONS_AUTOSCALE =
      new AutoscaleSpec(
          TargetTracking.builder(Metric.REQUEST_RATE, Shop.RECOMMENDATIONS_TARGET_RPS)
              .tolerance(0.1)
              .scaleDownStabilisation(Duration.ofSeconds(5))
              .maxStepUp(2)
              .maxStepDown(1)
              .minInstances(1)
              .maxInstances(3)
              .build(),
          Duration.ofSeconds(1),
          Duration.ofSeconds(2),
          Duration.ofSeconds(3),
          Optional.empty(),
          Optional.empty());

  /** The request rate per recommendations instance the autoscaler keeps. */
  public static final double RECOMMENDATIONS_TARGET_RPS = 20;

  private final ShopOptions options;
  private final SystemRuntime runtime;
  private final SharedEventLog.Lease log;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Shop(ShopOptions options, SystemRuntime runtime, SharedEventLog.Lease log) {
    this.options = options;
    this.runtime = runtime;
    this.log = log;
  }

  /**
   * Zero trust for the money: payments is served under mutual TLS, and only the orders service (its
   * checkout saga, {@code spiffe://shop/orders}) may charge or refund. Every other workload — the
   * BFFs, the gateway, a compromised cart — is refused in the handshake (no certificate) or with
   * 403 (a certificate, but not orders'). The runtime's own identity (probes, metrics, chaos,
   * operator tools) may call every route.
   */
  static final io.bulwark.http.AuthorizationPolicy PAYMENTS_POLICY =
      io.bulwark.http.AuthorizationPolicy.builder()
          .allow(
              "checkout-saga",
              List.of("/charges", "/refunds"),
              List.of("POST"),
              List.of("spiffe://shop/orders"))
          .build();

  /** The shop's system model for {@code options}. */
  public static SystemModel model(ShopOptions options) {
    String eventLog = options.backends().eventLogLocation(eventLogDirectory(options));
    return SystemModel.builder("shop")
        .service(spec(options, "recommendations", 1, ShopFactories.Recommendations.class).build())
        .service(
            spec(options, "catalog", 2, ShopFactories.Catalog.class)
                .inParentJvm()
                .dependsOn("recommendations")
                .setting(Settings.EVENT_LOG, eventLog)
                .build())
        .service(
            spec(options, "inventory", InventoryShards.SHARDS, ShopFactories.Inventory.class)
                .build())
        // payments: an anti-corruption layer over the legacy payment provider (shoppay)
        .service(
            spec(options, LegacyPaymentProvider.SERVICE, 1, ShopFactories.PaymentProvider.class)
                .build())
        .service(
            spec(options, "payments", 2, ShopFactories.Payments.class)
                .dependsOn(LegacyPaymentProvider.SERVICE)
                .mutualTls(PAYMENTS_POLICY)
                .build())
        .service(spec(options, "cart", 1, ShopFactories.Cart.class).dependsOn("catalog").build())
        .service(
            orders(options, spec(options, "orders", 1, ShopFactories.Orders.class).inParentJvm())
                .dependsOn("cart")
                .dependsOn("inventory")
                .dependsOn("payments")
                .setting(Settings.EVENT_LOG, eventLog)
                .build())
        .service(
            spec(options, "shipping", 1, ShopFactories.Shipping.class)
                .inParentJvm()
                .dependsOn("inventory")
                .setting(Settings.EVENT_LOG, eventLog)
                .build())
        .service(
            spec(options, "notifications", 1, ShopFactories.Notifications.class)
                .inParentJvm()
                .setting(Settings.EVENT_LOG, eventLog)
                .build())
        // the backends for frontends (web serves the storefront at /web): see bff/
        .service(bff(options, "web-bff", ShopFactories.WebBff.class))
        .service(bff(options, "mobile-bff", ShopFactories.MobileBff.class))
        // the edge: identity issues customer tokens, legacy is the monolith being strangled,
        // gateway is the one entrance (shop/gateway.yaml), started last
        .service(spec(options, "identity", 1, ShopFactories.Identity.class).build())
        .service(spec(options, "legacy", 1, ShopFactories.Legacy.class).build())
        .service(
            spec(options, "gateway", 1, ShopFactories.Gateway.class)
                .dependsOn("identity")
                .dependsOn("catalog")
                .dependsOn("cart")
                .dependsOn("orders")
                .dependsOn("legacy")
                .dependsOn("web-bff")
                .dependsOn("mobile-bff")
                .build())
        .build();
  }

  /**
   * The shop's system model for {@code options}; with {@code autoscale}, recommendations autoscale
   * by {@link #RECOMMENDATIONS_AUTOSCALE} (the demo's game day, whose traffic spike they follow).
   */
  public static SystemModel model(ShopOptions options, boolean autoscale) {
    SystemModel model = model(options);
    if (!autoscale) {
      return model;
    }
    SystemModel.Builder b = SystemModel.builder(model.name());
    for (ServiceSpec s : model.services()) {
      b.service(
          s.name().equals("recommendations")
              ? s.toBuilder().autoscale(RECOMMENDATIONS_AUTOSCALE).build()
              : s);
    }
    return b.build();
  }

  /** Orders' database: SQLite in its storage, or the PostgreSQL database of the backends. */
  private static ServiceSpec.Builder orders(ShopOptions options, ServiceSpec.Builder spec) {
    String url = options.backends().postgresJdbcUrl();
    return url == null
        ? spec
        : spec.setting(Settings.ORDERS_DATABASE, url)
            .setting(Settings.ORDERS_DATABASE_USER, options.backends().postgresUser());
  }

  private static ServiceSpec bff(
      ShopOptions options, String name, Class<? extends ServiceFactory> factory) {
    return spec(options, name, 1, factory)
        .dependsOn("catalog")
        .dependsOn("cart")
        .dependsOn("recommendations")
        .dependsOn("orders")
        .build();
  }

  private static ServiceSpec.Builder spec(
      ShopOptions options, String name, int instances, Class<? extends ServiceFactory> factory) {
    return ServiceSpec.builder(name, factory.getName())
        .instances(instances)
        .version(GOOD_VERSION)
        .setting(Settings.RESILIENCE, Boolean.toString(options.resilience()));
  }

  /** Where the shared event log lives: {@code <storageRoot>/event-log}. */
  public static Path eventLogDirectory(ShopOptions options) {
    return options.storageRoot().resolve("event-log");
  }

  /**
   * Starts the shop (the shared event log, then every service in dependency order), reporting
   * progress to {@code progress}. On failure nothing is left running and the exception names the
   * cause (a port in use, a storage directory that cannot be written).
   *
   * @throws RuntimeStartException naming what failed
   */
  public static Shop start(ShopOptions options, RuntimeListener progress) {
    return start(options, progress, false, false);
  }

  /**
   * Like {@link #start(ShopOptions, RuntimeListener)}, with recommendations autoscaled when {@code
   * autoscale} (see {@link #model(ShopOptions, boolean)}); with {@code processes} the runtime's
   * process mode runs every instance in a child JVM of its own (SIGKILL for a kill, a new child for
   * a restart or deploy), except the services that share the embedded event log with this JVM —
   * catalog, orders, shipping, notifications — which stay in this JVM ({@link
   * ServiceSpec#inParentJvm()}): the embedded log is opened by one process at a time.
   */
  public static Shop start(
      ShopOptions options, RuntimeListener progress, boolean autoscale, boolean processes) {
    checkWritable(options.storageRoot());
    SharedEventLog.Lease log = null;
    SystemRuntime runtime = null;
    try {
      log = SharedEventLog.acquire(options.backends().eventLogLocation(eventLogDirectory(options)));
      SystemModel model = model(options, autoscale);
      RuntimeOptions runtimeOptions =
          RuntimeOptions.builder(options.storageRoot())
              .seed(options.seed())
              .basePort(options.basePort())
              // a child JVM starts cold (class loading, C1): minutes on a busy small machine
              .readinessTimeout(processes ? Duration.ofMinutes(3) : Duration.ofSeconds(30))
              .build();
      runtime =
          processes
              ? SystemRuntime.processes(model, runtimeOptions)
              : SystemRuntime.inProcess(model, runtimeOptions);
      runtime.addListener(progress);
      runtime.start();
      return new Shop(options, runtime, log);
    } catch (RuntimeException | Error e) {
      stopQuietly(runtime, e);
      if (log != null) {
        log.close();
      }
      if (e instanceof RuntimeStartException) {
        throw e;
      }
      throw new RuntimeStartException("shop could not start: " + e.getMessage(), e);
    }
  }

  private static void stopQuietly(@Nullable SystemRuntime runtime, Throwable cause) {
    if (runtime == null) {
      return;
    }
    try {
      runtime.stop();
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  private static void checkWritable(Path root) {
    try {
      Files.createDirectories(root);
      Path probe = Files.createTempFile(root, ".write-probe", ".tmp");
      Files.delete(probe);
    } catch (IOException | RuntimeException e) {
      throw new RuntimeStartException(
          "shop: storage root " + root.toAbsolutePath() + " cannot be written: " + e, e);
    }
  }

  public ShopOptions options() {
    return options;
  }

  public SystemRuntime runtime() {
    return runtime;
  }

  /** The shop's shared event log (its topics and consumer groups, for lag monitoring). */
  public EventLog eventLog() {
    return log.log();
  }

  /**
   * {@code http://127.0.0.1:<port>} of a ready instance of {@code service}.
   *
   * @throws IllegalStateException naming the service when none of its instances is ready
   */
  public URI baseUri(String service) {
    List<Endpoint> ready = runtime.readyEndpoints(service);
    if (ready.isEmpty()) {
      throw new IllegalStateException("no instance of " + service + " is ready");
    }
    Endpoint e = ready.getFirst();
    return URI.create(runtime.scheme(service) + "://" + e.host() + ":" + e.port());
  }

  /**
   * {@code http://127.0.0.1:<port>} of the shop's edge: the public listener of the gateway service,
   * the one entrance users call (asked from the gateway instance's {@code GET /edge}, so it works
   * in either runtime mode).
   *
   * @throws IllegalStateException when the gateway is not ready or does not answer
   */
  public URI edgeUri() {
    return EdgeAddress.of(baseUri("gateway"));
  }

  /**
   * Waits (at most {@code quiesceBudget}, on the runtime's clock) until the work already accepted
   * has settled — orders runs no checkout any more (asked over its {@code GET
   * /checkouts/in-flight}, which answers when the last one ends), then outbox relayed, shipping
   * caught up, pending compensations done, two consecutive readings equal — and checks the
   * invariants from the services' stores (opened read-only; the load generator's counters play no
   * part). Safe to call right after the load stopped, with checkouts still running.
   */
  public InvariantReport checkInvariants(Duration quiesceBudget) {
    return new InvariantChecker(stores(), runtime.clock(), new OrdersCheckouts(this))
        .check(quiesceBudget);
  }

  /** The databases of the run. */
  InvariantChecker.Stores stores() {
    Path root = options.storageRoot();
    return new InvariantChecker.Stores(
        new InvariantChecker.OrdersDb(
            runtime.instance("orders-1").storage().resolve("orders.db"),
            options.backends().postgresJdbcUrl(),
            options.backends().postgresUser()),
        root.resolve("payments").resolve("shared").resolve("ledger.db"),
        InventoryShards.NAMES.stream()
            .map(
                shard ->
                    InventoryService.storeFile(root.resolve("inventory").resolve("shared"), shard))
            .toList(),
        runtime.instance("shipping-1").storage().resolve("shipping.db"),
        root.resolve(LegacyPaymentProvider.SERVICE).resolve("shared").resolve("provider.db"),
        NotificationsService.storeFile(runtime.instance("notifications-1").storage()));
  }

  /** Stops every service, then the event log. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      runtime.stop();
    } finally {
      log.close();
    }
  }
}
