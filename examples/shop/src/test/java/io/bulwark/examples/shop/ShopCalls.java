package io.bulwark.examples.shop;

import io.bulwark.examples.shop.JsonCalls.Answer;
import io.bulwark.examples.shop.common.Customer;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What a user of the shop does, over real HTTP on loopback, as plain JDK client calls straight to a
 * service (no gateway): cart and checkout calls carry the {@code x-customer-id} header the gateway
 * would set for the signed-in customer {@value #CUSTOMER}.
 */
final class ShopCalls {
  /** The customer of {@link #addItem} and {@link #checkout}. */
  static final String CUSTOMER = "alice";

  private final Shop shop;
  private final JsonCalls http;

  ShopCalls(Shop shop) {
    this.shop = shop;
    this.http = new JsonCalls(shop.runtime().operatorTls());
  }

  Answer get(String service, String path) {
    return send(service, HttpRequest.newBuilder().GET(), path);
  }

  Answer post(String service, String path, String json) {
    return send(service, JsonCalls.postJson(json), path);
  }

  /** A POST to payments with the {@code Idempotency-Key} a saga step would send. */
  Answer pay(String path, String json, String key) {
    return send("payments", JsonCalls.postJson(json).header("Idempotency-Key", key), path);
  }

  Answer addItem(String cartId, String sku, int quantity) {
    return send(
        "cart",
        JsonCalls.postJson("{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}")
            .header(Customer.HEADER, CUSTOMER),
        "/carts/" + cartId + "/items");
  }

  Answer checkout(String key, String cartId) {
    return send(
        "orders",
        JsonCalls.postJson("{\"cartId\":\"" + cartId + "\"}")
            .header("Idempotency-Key", key)
            .header(Customer.HEADER, CUSTOMER),
        "/checkout");
  }

  /**
   * True once order {@code orderId} has no compensation pending (its saga's compensations have
   * run); an order the service cannot show counts as still pending.
   */
  boolean compensationDone(String orderId) {
    return !get("orders", "/orders/" + orderId).body().path("compensationPending").asBoolean(true);
  }

  /** The body of a GET of {@code uri} as text ("" when the call gets no answer). */
  String raw(String uri) {
    return http.raw(HttpRequest.newBuilder().GET(), URI.create(uri));
  }

  /** The body of a POST of {@code json} to {@code uri} as text ("" when it gets no answer). */
  String raw(String uri, String json) {
    return http.raw(JsonCalls.postJson(json), URI.create(uri));
  }

  /** An answer; a call that gets none (refused, reset) is status 0, as a user would see it fail. */
  private Answer send(String service, HttpRequest.Builder b, String path) {
    URI base;
    try {
      base = shop.baseUri(service);
    } catch (IllegalStateException e) {
      System.err.println("call to " + service + " " + path + " failed: " + e);
      return new Answer(0, HttpHeaders.of(Map.of(), (x, y) -> true), JsonCalls.JSON.nullNode());
    }
    return http.send(b, base.resolve(path), service + " " + path);
  }

  /**
   * Polls {@code condition} until it holds or {@code timeout} passes; true if it held.
   *
   * <p>Only for state that gives no signal: what a service holds behind its HTTP API or in its
   * store (a reservation, a shipment, a compensation done by another instance's loop). The test
   * cannot wait on an event there, so it asks again, first after 5 ms, the interval doubling to 100
   * ms so that a long wait does not flood the service; the timeout bounds the whole wait. Where a
   * signal exists (a future, a latch, the checker's wait on orders), tests wait on it instead.
   */
  static boolean eventually(Duration timeout, BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    long intervalNanos = TimeUnit.MILLISECONDS.toNanos(5);
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      LockSupport.parkNanos(Math.min(intervalNanos, Math.max(0, end - System.nanoTime())));
      if (Thread.currentThread().isInterrupted()) {
        return false;
      }
      intervalNanos = Math.min(2 * intervalNanos, TimeUnit.MILLISECONDS.toNanos(100));
    }
    return condition.getAsBoolean();
  }
}
