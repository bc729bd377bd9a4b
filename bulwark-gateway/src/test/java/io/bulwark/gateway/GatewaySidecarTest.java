package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sidecar role: the service "orders" runs behind its sidecar (inbound listener) and calls the
 * service "inventory" through the same sidecar's outbound listener, naming the cluster in {@code
 * Host}; the outbound side retries, and its egress guard refuses what the cluster does not allow.
 */
class GatewaySidecarTest {
  static final HttpClient CLIENT = HttpClient.newHttpClient();
  static Vertx vertx;
  static HttpServer inventory;
  static HttpServer orders;
  static HttpClientAgent ordersClient;
  static final Map<String, AtomicInteger> inventoryHits = new ConcurrentHashMap<>();
  static final AtomicInteger ordersHits = new AtomicInteger();
  static Gateway sidecar;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    inventory =
        TrafficHarness.server(
            vertx,
            r -> {
              int n =
                  inventoryHits
                      .computeIfAbsent(r.path(), k -> new AtomicInteger())
                      .incrementAndGet();
              if (r.path().equals("/stock/flaky") && n == 1) {
                r.response().setStatusCode(503).end("busy");
                return;
              }
              r.response()
                  .putHeader("content-type", "application/json")
                  .end(
                      "{\"sku\":\""
                          + r.path().substring(7)
                          + "\",\"count\":3,\"host\":\""
                          + r.getHeader("host")
                          + "\"}");
            });
    ordersClient = vertx.createHttpClient();
    orders =
        TrafficHarness.server(
            vertx,
            r -> {
              ordersHits.incrementAndGet();
              if (!r.path().startsWith("/order/")) {
                r.response().setStatusCode(404).end("orders: no such page");
                return;
              }
              String sku = r.path().substring(7);
              String target = r.getHeader("x-call") == null ? "inventory" : r.getHeader("x-call");
              // the service's own call goes to its sidecar's outbound listener, naming the cluster
              ordersClient
                  .request(
                      new RequestOptions()
                          .setMethod(HttpMethod.GET)
                          .setServer(
                              SocketAddress.inetSocketAddress(
                                  sidecar.port("outbound"), "127.0.0.1"))
                          .setHost(target)
                          .setPort(80)
                          .setURI("/stock/" + sku))
                  .compose(req -> req.send().compose(GatewaySidecarTest::body))
                  .onComplete(
                      ar -> {
                        if (ar.failed()) {
                          r.response().setStatusCode(500).end(String.valueOf(ar.cause()));
                        } else {
                          r.response()
                              .end("{\"order\":\"" + sku + "\",\"stock\":" + ar.result() + "}");
                        }
                      });
            });
    String yaml =
        """
        role: sidecar
        sidecar:
          service: %s
          inbound: {port: 0}
          outbound: {port: 0}
          retry: {attempts: 2, on-status: [503]}
        clusters:
          inventory:
            endpoints: [%s]
            egress-allow: [loopback]
            retry-budget: {ratio: 1.0}
          guarded:
            endpoints: [%s]
        admin: {port: 0}
        """
            .formatted(
                TrafficHarness.endpoint(orders),
                TrafficHarness.endpoint(inventory),
                TrafficHarness.endpoint(inventory));
    sidecar = Gateway.builder(TrafficHarness.parse(yaml)).vertx(vertx).start();
  }

  static Future<String> body(HttpClientResponse resp) {
    return resp.body().map(b -> resp.statusCode() + " " + b);
  }

  @AfterAll
  static void stop() throws Exception {
    sidecar.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  static HttpResponse<String> inbound(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.port("inbound") + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aServiceBehindItsSidecarCallsAnotherThroughTheOutboundSide() throws Exception {
    HttpResponse<String> r = inbound("/order/apple");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            "{\"order\":\"apple\",\"stock\":200 {\"sku\":\"apple\",\"count\":3,\"host\":\"127.0.0.1:"
                + inventory.actualPort()
                + "\"}}");
  }

  @Test
  void theOutboundSideRetriesForTheService() throws Exception {
    HttpResponse<String> r = inbound("/order/flaky");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"stock\":200 {\"sku\":\"flaky\"");
    assertThat(inventoryHits.get("/stock/flaky").get()).isEqualTo(2);
  }

  @Test
  void theOutboundEgressGuardRefusesAClusterThatDoesNotAllowLoopback() throws Exception {
    int before = inventoryHits.values().stream().mapToInt(AtomicInteger::get).sum();
    HttpResponse<String> r = inbound("/order/pear", "x-call", "guarded");
    assertThat(r.body()).startsWith("{\"order\":\"pear\",\"stock\":503 ").contains("no-endpoint");
    assertThat(inventoryHits.values().stream().mapToInt(AtomicInteger::get).sum())
        .isEqualTo(before);
  }

  @Test
  void anUnknownOutboundHostIsNotRoutedAnywhere() throws Exception {
    int ordersBefore = ordersHits.get();
    HttpResponse<String> r = inbound("/order/fig", "x-call", "elsewhere");
    assertThat(r.body()).startsWith("{\"order\":\"fig\",\"stock\":404 ");
    // only the inbound call reached the service: the outbound 404 did not loop back to it
    assertThat(ordersHits.get() - ordersBefore).isEqualTo(1);
  }

  @Test
  void theInboundSideOnlyReachesTheLocalService() throws Exception {
    int inventoryBefore = inventoryHits.values().stream().mapToInt(AtomicInteger::get).sum();
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + sidecar.port("inbound") + "/stock/apple"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("orders: no such page");
    assertThat(inventoryHits.values().stream().mapToInt(AtomicInteger::get).sum())
        .isEqualTo(inventoryBefore);
  }
}
