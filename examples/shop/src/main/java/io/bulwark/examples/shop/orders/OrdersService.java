package io.bulwark.examples.shop.orders;

import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.outbox.OutboxRelay;
import io.bulwark.examples.shop.common.Closeables;
import io.bulwark.examples.shop.common.Customer;
import io.bulwark.examples.shop.common.Ids;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.Pause;
import io.bulwark.examples.shop.common.ServerSetup;
import io.bulwark.examples.shop.common.Settings;
import io.bulwark.examples.shop.common.SharedEventLog;
import io.bulwark.examples.shop.common.ShopClients;
import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.examples.shop.inventory.InventoryClient;
import io.bulwark.examples.shop.inventory.InventoryShards;
import io.bulwark.examples.shop.orders.OrderStore.Order;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import io.bulwark.saga.RunQuery;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunSummary;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.http.SagaRoutes;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orders service: {@code POST /checkout} (see {@link Checkout} and {@link CheckoutSaga}),
 * {@code GET /orders/{id}}, {@code GET /checkouts/in-flight}, {@code GET /checkouts/runs} and the
 * saga visibility routes under {@code /sagas} ({@link SagaRoutes}), with the checkout saga's store,
 * the orders table and the outbox in one database — {@code orders.db} (SQLite) of the instance's
 * storage, or the PostgreSQL database its {@code ordersDatabase} setting names: a transactional
 * saga step's writes to the orders table and the outbox commit with its checkpoint.
 *
 * <p>Idempotency: a checkout names its {@code Idempotency-Key} (1..{@value #MAX_KEY} characters);
 * the key names the saga run, and starting a run is idempotent, so a key yields at most one order
 * and one charge; a replay gets the first answer with 200 instead of 201, waiting for it if the run
 * has not decided yet.
 *
 * <p>Recovery: the saga engine (executor id = the instance id) resumes the runs an earlier
 * incarnation left unfinished when the instance starts again on the same storage: a run goes on
 * from its last checkpoint, and a failed one finishes its compensations. The outbox relay publishes
 * {@code OrderConfirmed} events to the shared event log.
 */
public final class OrdersService {
  private static final Logger LOG = LoggerFactory.getLogger(OrdersService.class);
  static final int MAX_KEY = 64;
  static final long IDLE_MS = 50;
  static final long MAX_WAIT_MS = 60_000;

  /** Reserving and charging are tried this often (durably) with resilience on. */
  static final int ATTEMPTS = 2;

  /**
   * Body of {@code POST /checkout}; {@code customer} is optional and, when given, must be the
   * customer of the {@value Customer#HEADER} header (see {@link Customer}).
   */
  public record CheckoutRequest(@Nullable String cartId, @Nullable String customer) {}

  /**
   * Answer of {@code GET /orders/{id}}; {@code compensationPending} while a cancelled order's saga
   * has not finished compensating.
   */
  public record OrderView(
      String orderId,
      String status,
      long total,
      @Nullable String reason,
      boolean compensationPending) {}

  /** A checkout run that is not final: its id, status and cause. */
  public record OpenRun(String runId, String status, @Nullable String cause) {}

  /** Answer of {@code GET /checkouts/runs}: runs per status, and those not final. */
  public record Runs(Map<String, Long> byStatus, List<OpenRun> open) {}

  private final OrderStore store;
  private final Checkout checkout;
  private final SagaEngine engine;
  private final InFlight inFlight = new InFlight();

  private OrdersService(OrderStore store, Checkout checkout, SagaEngine engine) {
    this.store = store;
    this.checkout = checkout;
    this.engine = engine;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) throws Exception {
    Path file = ctx.storage().resolve("orders.db");
    String postgres = ctx.settings().get(Settings.ORDERS_DATABASE);
    SharedEventLog.Lease log = SharedEventLog.acquire(Settings.required(ctx, Settings.EVENT_LOG));
    SagaStore sagas = null;
    AutoCloseable db = null;
    ShopClients clients = null;
    InventoryClient inventory = null;
    Producer producer = null;
    RelayConnections relayConnections = null;
    SagaEngine engine = null;
    try {
      OrderStore store;
      if (postgres == null) {
        sagas = SagaStores.sqlite(file);
        SqlitePool pool = SqlitePool.open(file, 4);
        db = pool;
        store = new OrderStore(pool::read);
        relayConnections =
            new RelayConnections(file.toString(), () -> SqlitePool.connect(file, false));
      } else {
        // the same tables on PostgreSQL: the store's pool serves the steps, reads and the relay
        sagas =
            SagaStores.postgres(
                postgres, ctx.setting(Settings.ORDERS_DATABASE_USER, "postgres"), "", 8);
        db = () -> {};
        store = new OrderStore(OrderStore.reads(sagas.dataSource()));
        relayConnections = new RelayConnections(postgres, sagas.dataSource()::getConnection);
      }
      try (Connection c = sagas.dataSource().getConnection()) {
        store.init(c);
      }
      clients = ShopClients.create(ctx, List.of("cart", "payments"));
      inventory = InventoryShards.client(ctx);
      CheckoutSaga.Decisions decisions = new CheckoutSaga.Decisions();
      CheckoutSaga saga =
          new CheckoutSaga(
              clients.clients(),
              inventory,
              decisions,
              Settings.resilience(ctx) ? ATTEMPTS : 1,
              ctx.clock()::wallMillis);
      var definition = saga.definition();
      engine =
          SagaEngine.builder(sagas)
              .register(definition)
              .executorId(ctx.instanceId())
              .scheduler(ctx.scheduler())
              .telemetry(ctx.telemetry())
              .mapper(Json.MAPPER)
              .lease(Duration.ofSeconds(6), Duration.ofSeconds(2))
              .poll(Duration.ofMillis(250))
              .build();
      OrdersService s =
          new OrdersService(
              store, new Checkout(store, clients.clients(), engine, definition, decisions), engine);
      producer = log.log().producer(ProducerConfig.defaults());
      OutboxRelay relay = new OutboxRelay(store.outbox(), relayConnections::open, producer);
      SagaRoutes.register(
          ServerSetup.limiter(ctx)
              .post("/checkout", s::checkout)
              .get("/orders/{id}", s::order)
              .get("/checkouts/in-flight", s::inFlight)
              .get("/checkouts/runs", s::runs),
          "/sagas",
          engine);
      ctx.background("outbox-relay", () -> relayLoop(ctx, relay));
      return new Resources(log, sagas, db, clients, inventory, producer, relayConnections, engine);
    } catch (Exception | Error e) {
      Closeables.closeAfter(
          e, log, sagas, db, clients, inventory, producer, relayConnections, engine);
      throw e;
    }
  }

  /**
   * What one instance opened, closed in reverse: the saga engine first (it takes no more runs and
   * its running steps reach a checkpoint while the clients still work), then the relay's
   * connections, the producer, the inventory shard router, the clients, the database, the saga
   * store and the log lease. A kill closes the same way, without waiting for anything else: the
   * runs left unfinished are resumed from their checkpoints by the next incarnation.
   */
  @SuppressWarnings("try") // close() throws what ServiceInstance.close() may: the runtime calls it
  private record Resources(
      SharedEventLog.Lease log,
      SagaStore sagas,
      AutoCloseable db,
      ShopClients clients,
      InventoryClient inventory,
      Producer producer,
      RelayConnections relayConnections,
      SagaEngine engine)
      implements ServiceInstance {
    @Override
    public void close() throws Exception {
      ServiceInstance.of(log, sagas, db, clients, inventory, producer, relayConnections, engine)
          .close();
    }
  }

  private Response checkout(Request req) throws Exception {
    inFlight.enter();
    try {
      return checkoutCounted(req);
    } finally {
      inFlight.exit();
    }
  }

  /**
   * {@code GET /checkouts/in-flight?waitMs=N}: waits at most N ms ({@value #MAX_WAIT_MS} at most, 0
   * by default) until this instance answers no checkout request, then answers {@code {"inFlight":
   * n}}. A request between reading its cart and starting its run is in no store yet; this is how
   * the checker waits for those.
   */
  private Response inFlight(Request req) throws Exception {
    String wait = req.query("waitMs");
    long waitMs;
    try {
      waitMs = wait == null ? 0 : Long.parseLong(wait);
    } catch (NumberFormatException e) {
      throw HttpProblem.badRequest("waitMs must be a number of ms, was " + wait);
    }
    if (waitMs < 0 || waitMs > MAX_WAIT_MS) {
      throw HttpProblem.badRequest("waitMs must be 0.." + MAX_WAIT_MS + ", was " + waitMs);
    }
    return Response.json(Map.of("inFlight", inFlight.awaitNone(Duration.ofMillis(waitMs))));
  }

  /**
   * {@code GET /checkouts/runs}: every checkout run counted by status, and the runs not final
   * (neither COMPLETED nor COMPENSATED) with their cause. Reads the store page by page (the engine
   * answers at most {@value RunQuery#MAX_LIMIT} runs a query, newest first).
   */
  private Response runs(Request req) {
    Map<String, Long> byStatus = new TreeMap<>();
    List<OpenRun> open = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    RunQuery query = RunQuery.all().withWorkflow(CheckoutSaga.NAME).withLimit(RunQuery.MAX_LIMIT);
    Instant before = null;
    while (true) {
      List<RunSummary> page = engine.runs(query.withCreated(null, before));
      int fresh = 0;
      Instant oldest = null;
      for (RunSummary r : page) {
        oldest = r.createdAt();
        if (!seen.add(r.runId())) {
          continue;
        }
        fresh++;
        byStatus.merge(r.status().name(), 1L, Long::sum);
        if (!r.status().isFinal()) {
          open.add(new OpenRun(r.runId(), r.status().name(), r.cause()));
        }
      }
      if (page.size() < RunQuery.MAX_LIMIT || fresh == 0 || oldest == null) {
        break;
      }
      // runs created at the same instant as the page's oldest may straddle pages: ask again
      // from just after it and skip those already counted
      before = oldest.plusNanos(1);
    }
    return Response.json(new Runs(byStatus, open));
  }

  private Response checkoutCounted(Request req) throws Exception {
    String key = req.header("Idempotency-Key");
    if (key == null || key.isEmpty() || key.length() > MAX_KEY) {
      throw HttpProblem.badRequest(
          "header Idempotency-Key must be 1.." + MAX_KEY + " characters, was " + key);
    }
    CheckoutRequest body = req.bodyAs(CheckoutRequest.class);
    String cartId = Ids.check(body.cartId(), "checkout: cartId");
    // the customer is the gateway's verified one; a body may name it, never another
    String customer = Customer.matching(req, body.customer(), "POST /checkout");
    return checkout.run(key, cartId, customer).response();
  }

  private Response order(Request req) throws Exception {
    String id = req.pathParam("id");
    // behind the gateway (x-customer-id set) a customer sees its own orders only; another's is
    // answered as unknown, so ids cannot be probed
    String customer = req.header(Customer.HEADER);
    Order o =
        store
            .byId(id)
            .filter(
                order ->
                    customer == null || customer.isEmpty() || order.customer().equals(customer))
            .orElseThrow(() -> HttpProblem.notFound("no order " + id));
    boolean pending = false;
    if (o.status().equals(OrderStore.CANCELLED) && o.runId() != null) {
      Optional<RunView> run = engine.run(o.runId());
      pending = run.isPresent() && run.get().status() != RunStatus.COMPENSATED;
    }
    return Response.json(new OrderView(o.orderId(), o.status(), o.total(), o.reason(), pending));
  }

  private static void relayLoop(InstanceContext ctx, OutboxRelay relay) {
    while (!ctx.stopping()) {
      int sent;
      try {
        sent = relay.relayOnce(100);
      } catch (SQLException | RuntimeException e) {
        LOG.warn("{}: outbox relay run failed: {}", ctx.instanceId(), e.toString());
        sent = 0;
      }
      if (sent == 0 && !Pause.of(IDLE_MS)) {
        return;
      }
    }
  }
}
