package io.bulwark.examples.shop.orders;

import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.outbox.OutboxRelay;
import io.bulwark.examples.shop.common.Closeables;
import io.bulwark.examples.shop.common.Ids;
import io.bulwark.examples.shop.common.Pause;
import io.bulwark.examples.shop.common.ServerSetup;
import io.bulwark.examples.shop.common.Settings;
import io.bulwark.examples.shop.common.SharedEventLog;
import io.bulwark.examples.shop.common.ShopClients;
import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.examples.shop.orders.Checkout.Answer;
import io.bulwark.examples.shop.orders.OrderStore.Order;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orders service: {@code POST /checkout} (see {@link Checkout}) and {@code GET /orders/{id}},
 * with orders, idempotency keys and the outbox in {@code orders.db} of the instance's storage.
 *
 * <p>Idempotency: a checkout names its {@code Idempotency-Key} (1..{@value #MAX_KEY} characters).
 * The key is stored with the order in one transaction, so a key yields at most one order; a replay
 * gets the first answer with 200 instead of 201; a replay arriving while the first is still running
 * here waits for it (at most {@value #REPLAY_WAIT_SECONDS} s, then 409 {@code in_progress}).
 *
 * <p>Background loops: the outbox relay publishes {@code OrderConfirmed} events to the shared event
 * log; the compensation loop finishes pending releases and refunds and cancels checkouts left
 * unfinished for {@value #STALE_MS} ms (an earlier run of the instance that died mid-checkout).
 */
public final class OrdersService {
  private static final Logger LOG = LoggerFactory.getLogger(OrdersService.class);
  static final int MAX_KEY = 64;
  static final long REPLAY_WAIT_SECONDS = 30;
  static final long STALE_MS = 10_000;
  static final long IDLE_MS = 50;
  static final long MAX_WAIT_MS = 60_000;

  /** Body of {@code POST /checkout}. */
  public record CheckoutRequest(@Nullable String cartId, @Nullable String customer) {}

  /** Answer of {@code GET /orders/{id}}. */
  public record OrderView(
      String orderId,
      String status,
      long total,
      @Nullable String reason,
      boolean compensationPending) {}

  private final OrderStore store;
  private final Checkout checkout;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final InFlight inFlight = new InFlight();

  /** A checkout being run by this instance, and the request it runs. */
  private record Running(String cartId, String customer, CompletableFuture<Answer> answer) {}

  private OrdersService(OrderStore store, Checkout checkout) {
    this.store = store;
    this.checkout = checkout;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) throws Exception {
    Path file = ctx.storage().resolve("orders.db");
    SharedEventLog.Lease log =
        SharedEventLog.acquire(Path.of(Settings.required(ctx, Settings.EVENT_LOG)));
    SqlitePool db = null;
    ShopClients clients = null;
    Producer producer = null;
    try {
      db = SqlitePool.open(file, 4);
      OrderStore store = new OrderStore(db);
      store.init();
      clients = ShopClients.create(ctx, List.of("cart", "inventory", "payments"));
      Steps steps = new Steps(store, clients.clients());
      OrdersService s = new OrdersService(store, new Checkout(store, clients.clients(), steps));
      producer = log.log().producer(ProducerConfig.defaults());
      RelayConnections relayConnections = new RelayConnections(file);
      OutboxRelay relay = new OutboxRelay(store.outbox(), relayConnections::open, producer);
      ServerSetup.limiter(ctx)
          .post("/checkout", s::checkout)
          .get("/orders/{id}", s::order)
          .get("/checkouts/in-flight", s::inFlight);
      ctx.background("outbox-relay", () -> relayLoop(ctx, relay));
      ctx.background("compensation", () -> compensationLoop(ctx, steps, s.checkout));
      return new Resources(log, db, clients, producer, relayConnections);
    } catch (Exception | Error e) {
      Closeables.closeAfter(e, log, db, clients, producer);
      throw e;
    }
  }

  /**
   * What one instance opened. A kill closes the database connections first (the pool and the
   * relay's own), so a loop of the dead incarnation still running (a relay waiting for an ack, a
   * compensation between its call and its record) fails instead of marking outbox rows sent or
   * recording a compensation done; then the clients, the producer and the log lease.
   */
  @SuppressWarnings("try") // close() throws what ServiceInstance.close() may: the runtime calls it
  private record Resources(
      SharedEventLog.Lease log,
      SqlitePool db,
      ShopClients clients,
      Producer producer,
      RelayConnections relayConnections)
      implements ServiceInstance {
    @Override
    public void close() throws Exception {
      ServiceInstance.of(log, db, clients, producer, relayConnections).close();
    }

    @Override
    public void kill() throws Exception {
      ServiceInstance.of(log, producer, clients, relayConnections, db).close();
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
   * by default) until this instance runs no checkout, then answers {@code {"inFlight": n}}.
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

  private Response checkoutCounted(Request req) throws Exception {
    String key = req.header("Idempotency-Key");
    if (key == null || key.isEmpty() || key.length() > MAX_KEY) {
      throw HttpProblem.badRequest(
          "header Idempotency-Key must be 1.." + MAX_KEY + " characters, was " + key);
    }
    CheckoutRequest body = req.bodyAs(CheckoutRequest.class);
    String cartId = Ids.check(body.cartId(), "checkout: cartId");
    String customer = required(body.customer(), "customer");
    Running mine = new Running(cartId, customer, new CompletableFuture<>());
    Running first = running.putIfAbsent(key, mine);
    if (first != null) {
      if (!first.cartId().equals(cartId) || !first.customer().equals(customer)) {
        throw HttpProblem.of(
            422,
            "idempotency_key_reused",
            "Idempotency-Key " + key + " is in use for another cart than cart " + cartId);
      }
      return awaitFirst(key, first.answer()).replay().response();
    }
    try {
      Answer answer = checkout.run(key, cartId, customer);
      mine.answer().complete(answer);
      return answer.response();
    } catch (Throwable t) {
      mine.answer().completeExceptionally(t);
      throw t;
    } finally {
      running.remove(key, mine);
    }
  }

  private Answer awaitFirst(String key, CompletableFuture<Answer> first) throws Exception {
    try {
      return first.get(REPLAY_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw HttpProblem.of(409, "in_progress", "checkout " + key + " is still in progress");
    } catch (ExecutionException e) {
      Optional<Order> order = store.byKey(key);
      if (order.isEmpty() && e.getCause() instanceof HttpProblem p) {
        throw p;
      }
      if (order.isEmpty()) {
        throw HttpProblem.unavailable("checkout_failed", "checkout " + key + " failed", 1);
      }
      return Checkout.replay(order.get());
    }
  }

  private Response order(Request req) throws Exception {
    String id = req.pathParam("id");
    Order o = store.byId(id).orElseThrow(() -> HttpProblem.notFound("no order " + id));
    return Response.json(
        new OrderView(
            o.orderId(), o.status(), o.total(), o.reason(), o.needsRelease() || o.needsRefund()));
  }

  private static String required(@Nullable String value, String field) {
    if (value == null || value.isBlank() || value.length() > MAX_KEY) {
      throw HttpProblem.badRequest(
          "checkout: " + field + " must be 1.." + MAX_KEY + " characters, was " + value);
    }
    return value;
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

  private static void compensationLoop(InstanceContext ctx, Steps steps, Checkout checkout) {
    while (!ctx.stopping()) {
      try {
        steps.settleAll(checkout.inFlight(), System.currentTimeMillis() - STALE_MS);
      } catch (SQLException | RuntimeException e) {
        LOG.warn("{}: compensation pass failed: {}", ctx.instanceId(), e.toString());
      }
      if (!Pause.of(4 * IDLE_MS)) {
        return;
      }
    }
  }
}
