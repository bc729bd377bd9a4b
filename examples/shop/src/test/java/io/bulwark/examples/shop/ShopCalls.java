package io.bulwark.examples.shop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** What a user of the shop does, over real HTTP on loopback, as plain JDK client calls. */
final class ShopCalls {
  static final ObjectMapper JSON = new ObjectMapper();

  /** One answer: status and JSON body (null node when the body is not JSON). */
  record Answer(int status, JsonNode body) {
    String text(String field) {
      return body.path(field).asText();
    }
  }

  private final Shop shop;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  ShopCalls(Shop shop) {
    this.shop = shop;
  }

  Answer get(String service, String path) {
    return send(service, HttpRequest.newBuilder().GET(), path);
  }

  Answer post(String service, String path, String json) {
    return send(
        service,
        HttpRequest.newBuilder()
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)),
        path);
  }

  /** A POST to payments with the {@code Idempotency-Key} a saga step would send. */
  Answer pay(String path, String json, String key) {
    return send(
        "payments",
        HttpRequest.newBuilder()
            .header("content-type", "application/json")
            .header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.ofString(json)),
        path);
  }

  Answer addItem(String cartId, String sku, int quantity) {
    return post(
        "cart",
        "/carts/" + cartId + "/items",
        "{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}");
  }

  Answer checkout(String key, String cartId) {
    return send(
        "orders",
        HttpRequest.newBuilder()
            .header("content-type", "application/json")
            .header("Idempotency-Key", key)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"cartId\":\"" + cartId + "\",\"customer\":\"alice\"}")),
        "/checkout");
  }

  /** The body of a GET of {@code uri} as text ("" when the call gets no answer). */
  String raw(String uri) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(20)).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The body of a POST of {@code json} to {@code uri} as text ("" when it gets no answer). */
  String raw(String uri, String json) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(uri))
                  .header("content-type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(json))
                  .timeout(Duration.ofSeconds(20))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An answer; a call that gets none (refused, reset) is status 0, as a user would see it fail. */
  private Answer send(String service, HttpRequest.Builder b, String path) {
    try {
      URI base = shop.baseUri(service);
      HttpResponse<String> r =
          http.send(
              b.uri(base.resolve(path)).timeout(Duration.ofSeconds(20)).build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body;
      try {
        body = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
      } catch (IOException e) {
        body = JSON.nullNode();
      }
      return new Answer(r.statusCode(), body);
    } catch (IOException | IllegalStateException e) {
      System.err.println("call to " + service + " " + path + " failed: " + e);
      return new Answer(0, JSON.nullNode());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
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
