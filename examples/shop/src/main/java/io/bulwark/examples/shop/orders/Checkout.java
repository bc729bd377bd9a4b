package io.bulwark.examples.shop.orders;

import io.bulwark.examples.shop.cart.CartService.Cart;
import io.bulwark.examples.shop.cart.CartService.CartItem;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.orders.OrderStore.Item;
import io.bulwark.examples.shop.orders.OrderStore.Order;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Response;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.HttpClients;
import io.bulwark.http.client.ServiceClient;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The checkout, written by hand: get the cart → reserve stock → charge → confirm (order CONFIRMED
 * and its outbox event in one transaction). A failure after the reservation cancels the order and
 * compensates: the reservation is released, and after a charge that failed the charge is refunded
 * too (the failure may have been a timeout after the ledger was written; a refund of nothing is a
 * recorded no-op that also stops a late charge). The order is marked CANCELLED with its
 * compensations pending before they run, so a crash in between leaves work that {@link
 * Steps#settleAll} finishes.
 *
 * <p>Each step's state is persisted before the next step starts. Thread-safe; the ids of the orders
 * being checked out by this instance are in {@link #inFlight()}.
 */
final class Checkout {
  /** The answer of a checkout: status and body. */
  record Answer(int status, Object body) {
    Response response() {
      return Response.json(status, body);
    }

    /** The same answer to a replay: 200 instead of 201. */
    Answer replay() {
      return status == 201 ? new Answer(200, body) : this;
    }
  }

  /** Body of 201/200. */
  record Confirmed(String orderId, String status, long total) {}

  /** Body of 503 {@code checkout_failed}. */
  record Failed(String error, String orderId, String status, String reason) {}

  private final OrderStore store;
  private final ServiceClient cart;
  private final Steps steps;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

  Checkout(OrderStore store, HttpClients clients, Steps steps) {
    this.store = store;
    this.cart = clients.client("cart");
    this.steps = steps;
  }

  Set<String> inFlight() {
    return inFlight;
  }

  /** Checks out {@code cartId} under {@code key}; a key already used answers its order. */
  Answer run(String key, String cartId, String customer) throws SQLException {
    Optional<Order> existing = store.byKey(key);
    if (existing.isPresent()) {
      return replay(sameRequest(existing.get(), cartId, customer));
    }
    List<Item> items = cartItems(cartId);
    long total = items.stream().mapToLong(i -> i.price() * i.quantity()).sum();
    String orderId = "ord-" + UUID.randomUUID();
    inFlight.add(orderId);
    try {
      Order order = store.create(key, orderId, cartId, customer, items, total);
      if (!order.orderId().equals(orderId)) {
        return replay(sameRequest(order, cartId, customer));
      }
      return process(order, items);
    } finally {
      inFlight.remove(orderId);
    }
  }

  /** {@code order} when it was made by the same request, else 422 naming the key and both carts. */
  static Order sameRequest(Order order, String cartId, String customer) {
    if (!order.cartId().equals(cartId) || !order.customer().equals(customer)) {
      throw HttpProblem.of(
          422,
          "idempotency_key_reused",
          "Idempotency-Key "
              + order.idempotencyKey()
              + " was used for cart "
              + order.cartId()
              + " of "
              + order.customer()
              + ", not for cart "
              + cartId
              + " of "
              + customer);
    }
    return order;
  }

  /** The answer for an order found under its key. */
  static Answer replay(Order order) {
    return switch (order.status()) {
      case OrderStore.CONFIRMED ->
          new Answer(200, new Confirmed(order.orderId(), order.status(), order.total()));
      case OrderStore.CANCELLED -> failed(order.orderId(), String.valueOf(order.reason()));
      default ->
          throw HttpProblem.of(
              409, "in_progress", "checkout of order " + order.orderId() + " is still in progress");
    };
  }

  private static Answer failed(String orderId, String reason) {
    if (reason.startsWith("out_of_stock")) {
      throw HttpProblem.of(409, "out_of_stock", "order " + orderId + ": " + reason);
    }
    return new Answer(503, new Failed("checkout_failed", orderId, OrderStore.CANCELLED, reason));
  }

  private List<Item> cartItems(String cartId) {
    ClientResponse r;
    try {
      r = cart.send(ClientRequest.get("/carts/" + cartId));
    } catch (Exception e) {
      throw HttpProblem.unavailable(
          "cart_unavailable", "cart " + cartId + " could not be read: " + e.getMessage(), 1);
    }
    if (r.status() == 404) {
      throw HttpProblem.of(409, "empty_cart", "cart " + cartId + " is empty");
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

  private Answer process(Order order, List<Item> items) throws SQLException {
    String id = order.orderId();
    try {
      Steps.Reservation reserved = steps.reserve(id, items);
      if (reserved.outcome() == Steps.Outcome.REFUSED) {
        // released all the same: an attempt that inventory has not answered yet may still
        // reserve later; the release (idempotent) leaves a tombstone that makes it reserve nothing
        return cancel(id, "out_of_stock: " + reserved.detail(), false);
      }
      if (reserved.outcome() == Steps.Outcome.FAILED) {
        return cancel(id, "inventory failed: " + reserved.detail(), false);
      }
      store.reserved(id);
      String chargeFailure = steps.charge(id, order.total());
      if (chargeFailure != null) {
        return cancel(id, "payment failed: " + chargeFailure, true);
      }
      if (!store.confirm(id, items)) {
        return replay(store.byId(id).orElseThrow());
      }
      return new Answer(201, new Confirmed(id, OrderStore.CONFIRMED, order.total()));
    } catch (RuntimeException | SQLException | Error e) {
      abandon(id, e);
      throw e;
    }
  }

  private Answer cancel(String id, String reason, boolean refund) throws SQLException {
    store.cancel(id, reason, true, refund);
    steps.settle(id, true, refund);
    return failed(id, reason);
  }

  /**
   * An unexpected failure (or an interrupt) mid-checkout: cancel with every compensation pending.
   */
  private void abandon(String id, Throwable cause) {
    boolean interrupted = Thread.interrupted();
    try {
      store.cancel(id, "checkout abandoned: " + cause, true, true);
    } catch (SQLException | RuntimeException e) {
      cause.addSuppressed(e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
