package io.bulwark.examples.shop.orders;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Deadline;
import io.bulwark.examples.shop.cart.CartService.Cart;
import io.bulwark.examples.shop.cart.CartService.CartItem;
import io.bulwark.examples.shop.common.Customer;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.orders.CheckoutSaga.Decisions;
import io.bulwark.examples.shop.orders.CheckoutSaga.Input;
import io.bulwark.examples.shop.orders.CheckoutSaga.Placed;
import io.bulwark.examples.shop.orders.OrderStore.Item;
import io.bulwark.examples.shop.orders.OrderStore.Order;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Response;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.HttpClients;
import io.bulwark.http.client.ServiceClient;
import io.bulwark.saga.RunHandle;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.StartOptions;
import io.bulwark.saga.WorkflowDefinition;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A {@code POST /checkout}: reads the cart, starts the checkout saga under the run id of the
 * client's key ({@link CheckoutSaga#runId}: idempotent, so a retried or concurrent request with the
 * same key joins the one run and never makes a second order or charge) and waits, within the
 * request's deadline, for the run to decide the order: 201 confirmed (200 to a replay), 503 {@code
 * checkout_failed} with the reason when it cancelled (409 {@code out_of_stock} when stock was
 * short), 409 {@code in_progress} when the deadline passed first (the run goes on; a replay later
 * gets its answer). A key reused for another cart or customer is refused with 422. Thread-safe.
 */
final class Checkout {
  /** How long a request without a deadline waits for the run's decision. */
  static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

  /** The answer of a checkout: status and body. */
  record Answer(int status, Object body) {
    Response response() {
      return Response.json(status, body);
    }
  }

  /** Body of 201/200. */
  record Confirmed(String orderId, String status, long total) {}

  /** Body of 503 {@code checkout_failed}. */
  record Failed(String error, String orderId, String status, String reason) {}

  private final OrderStore store;
  private final ServiceClient cart;
  private final SagaEngine engine;
  private final WorkflowDefinition<Input, Placed> definition;
  private final Decisions decisions;

  Checkout(
      OrderStore store,
      HttpClients clients,
      SagaEngine engine,
      WorkflowDefinition<Input, Placed> definition,
      Decisions decisions) {
    this.store = store;
    this.cart = clients.client("cart");
    this.engine = engine;
    this.definition = definition;
    this.decisions = decisions;
  }

  /** Checks out {@code cartId} under {@code key}; a key already used answers its order. */
  Answer run(String key, String cartId, String customer) throws Exception {
    String runId = CheckoutSaga.runId(key);
    Optional<RunView> existing = engine.run(runId);
    if (existing.isPresent()) {
      return await(runId, sameRequest(key, existing.get(), cartId, customer).orderId(), false);
    }
    List<Item> items = cartItems(cartId, customer);
    long total = items.stream().mapToLong(i -> i.price() * i.quantity()).sum();
    Input input = new Input(key, "ord-" + UUID.randomUUID(), cartId, customer, items, total);
    // the run does not inherit the request's deadline: it must finish (or compensate) after the
    // caller gave up, and after a restart
    StartOptions options = StartOptions.defaults().withContext(Context.current().withoutDeadline());
    RunHandle<Placed> handle = engine.start(definition, runId, input, options);
    if (!handle.created()) {
      // a concurrent request with the same key started it first: answer its order
      RunView first = engine.run(runId).orElseThrow();
      return await(runId, sameRequest(key, first, cartId, customer).orderId(), false);
    }
    return await(runId, input.orderId(), true);
  }

  /** The run's input when it was started by the same request, else 422 naming the key and carts. */
  static Input sameRequest(String key, RunView run, String cartId, String customer) {
    Input first = Json.read(run.inputJson(), Input.class, "run " + run.runId() + " input");
    if (!first.cartId().equals(cartId) || !first.customer().equals(customer)) {
      throw HttpProblem.of(
          422,
          "idempotency_key_reused",
          "Idempotency-Key "
              + key
              + " was used for cart "
              + first.cartId()
              + " of "
              + first.customer()
              + ", not for cart "
              + cartId
              + " of "
              + customer);
    }
    return first;
  }

  /**
   * Waits within the request's deadline until run {@code runId} decided order {@code orderId}, and
   * answers it; 409 {@code in_progress} when the deadline passes first.
   */
  private Answer await(String runId, String orderId, boolean created) throws Exception {
    CompletableFuture<Void> decided = decisions.await(runId);
    Answer answer = decision(orderId, created);
    if (answer == null) {
      try {
        decided.get(waitNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        // answered below from the row as it is
      } catch (ExecutionException e) {
        throw new IllegalStateException("decision of run " + runId + " failed", e);
      }
      answer = decision(orderId, created);
    }
    if (answer == null) {
      throw HttpProblem.of(
          409, "in_progress", "checkout of order " + orderId + " is still in progress");
    }
    return answer;
  }

  private static long waitNanos() {
    Deadline deadline = Context.current().deadline();
    return deadline == null ? DEFAULT_WAIT.toNanos() : Math.max(0, deadline.remainingNanos());
  }

  /** The answer for the order as stored, or null while it is not decided (or not written yet). */
  private @Nullable Answer decision(String orderId, boolean created) throws SQLException {
    Optional<Order> order = store.byId(orderId);
    if (order.isEmpty()) {
      return null;
    }
    Order o = order.get();
    return switch (o.status()) {
      case OrderStore.CONFIRMED ->
          new Answer(created ? 201 : 200, new Confirmed(o.orderId(), o.status(), o.total()));
      case OrderStore.CANCELLED -> failed(o.orderId(), String.valueOf(o.reason()));
      default -> null;
    };
  }

  private static Answer failed(String orderId, String reason) {
    if (reason.startsWith("out_of_stock")) {
      throw HttpProblem.of(409, "out_of_stock", "order " + orderId + ": " + reason);
    }
    return new Answer(503, new Failed("checkout_failed", orderId, OrderStore.CANCELLED, reason));
  }

  /** The cart's lines, read as {@code customer} (whose cart it must be). */
  private List<Item> cartItems(String cartId, String customer) {
    ClientResponse r;
    try {
      r = cart.send(ClientRequest.get("/carts/" + cartId).withHeader(Customer.HEADER, customer));
    } catch (Exception e) {
      throw HttpProblem.unavailable(
          "cart_unavailable", "cart " + cartId + " could not be read: " + e.getMessage(), 1);
    }
    if (r.status() == 404) {
      throw HttpProblem.of(409, "empty_cart", "cart " + cartId + " is empty");
    }
    if (r.status() == 403) {
      throw HttpProblem.of(
          403, "not_your_cart", "cart " + cartId + " is not a cart of customer '" + customer + "'");
    }
    if (r.status() != 200) {
      throw HttpProblem.unavailable(
          "cart_unavailable", "cart " + cartId + ": cart answered " + r.status(), 1);
    }
    List<CartItem> lines = Json.body(r, Cart.class, "GET /carts/" + cartId).items();
    if (lines.isEmpty()) {
      throw HttpProblem.of(409, "empty_cart", "cart " + cartId + " is empty");
    }
    return lines.stream().map(l -> new Item(l.sku(), l.quantity(), l.price())).toList();
  }
}
