package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Backend-for-frontend aggregation over real loopback upstreams. */
class GatewayAggregateTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient CLIENT = HttpClient.newHttpClient();
  static Vertx vertx;
  static HttpServer catalog;
  static HttpServer reviews;
  static HttpServer recs;
  static final ConcurrentLinkedQueue<TrafficHarness.Seen> seen = new ConcurrentLinkedQueue<>();
  static final CompletableFuture<Void> reviewsArrived = new CompletableFuture<>();
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    catalog =
        TrafficHarness.server(
            vertx,
            r -> {
              record(r);
              String id = last(r);
              switch (id) {
                case "missing" -> r.response().setStatusCode(404).end("{\"error\":\"no such\"}");
                case "slow" -> {} // never answers
                case "together" -> {
                  // answers only once the reviews part has arrived too: sequential calls would
                  // leave this part waiting until its timeout
                  var unused =
                      reviewsArrived.thenRun(
                          () -> vertx.runOnContext(v -> r.response().end("{\"id\":\"together\"}")));
                }
                default -> r.response().end("{\"id\":\"" + id + "\",\"price\":12}");
              }
            });
    reviews =
        TrafficHarness.server(
            vertx,
            r -> {
              record(r);
              String id = last(r);
              if (id.equals("together")) {
                reviewsArrived.complete(null);
              }
              if (id.equals("bad")) {
                r.response().setStatusCode(500).end("boom");
              } else if (id.equals("nojson")) {
                r.response().end("<html>");
              } else {
                r.response().end("[{\"stars\":5}]");
              }
            });
    recs =
        TrafficHarness.server(
            vertx,
            r -> {
              record(r);
              if (last(r).equals("slowrecs")) {
                return; // never answers: the optional part times out
              }
              r.response().end("[\"a\",\"b\"]");
            });
    String yaml =
        """
        listeners:
          public: {port: 0}
        clusters:
          catalog: {endpoints: [%s], egress-allow: [loopback]}
          reviews: {endpoints: [%s], egress-allow: [loopback]}
          recs: {endpoints: [%s], egress-allow: [loopback]}
        routes:
          page:
            match: {path-template: "/page/{id}"}
            aggregate:
              parts:
                product: {cluster: catalog, path: "/products/{id}", timeout: 5s, required: true}
                reviews: {cluster: reviews, path: "/reviews/{id}", timeout: 5s}
                recs: {cluster: recs, path: "/recs/{id}", timeout: 2s}
          strict:
            match: {path-template: "/strict/{id}"}
            aggregate:
              parts:
                product: {cluster: catalog, path: "/products/{id}", timeout: 300ms, required: true}
                reviews: {cluster: reviews, path: "/reviews/{id}", timeout: 5s}
        admin: {port: 0}
        """
            .formatted(
                TrafficHarness.endpoint(catalog),
                TrafficHarness.endpoint(reviews),
                TrafficHarness.endpoint(recs));
    gateway = Gateway.builder(TrafficHarness.parse(yaml)).vertx(vertx).start();
  }

  static void record(HttpServerRequest r) {
    seen.add(
        new TrafficHarness.Seen(
            r.method().name(),
            r.uri(),
            io.vertx.core.MultiMap.caseInsensitiveMultiMap().addAll(r.headers()),
            ""));
  }

  static String last(HttpServerRequest r) {
    String p = r.path();
    return p.substring(p.lastIndexOf('/') + 1);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("public") + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void composesOneAnswerFromEveryPartAndForwardsCorrelationAndDeadline() throws Exception {
    HttpResponse<String> r = get("/page/42?lang=en", "bulwark-correlation-id", "corr-bff-42");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("application/json");
    assertThat(JSON.readTree(r.body()))
        .isEqualTo(
            JSON.readTree(
                "{\"product\":{\"id\":\"42\",\"price\":12},\"reviews\":[{\"stars\":5}],"
                    + "\"recs\":[\"a\",\"b\"]}"));
    for (String uri :
        new String[] {"/products/42?lang=en", "/reviews/42?lang=en", "/recs/42?lang=en"}) {
      TrafficHarness.Seen s =
          seen.stream().filter(x -> x.uri().equals(uri)).findFirst().orElseThrow();
      assertThat(s.headers().get("bulwark-correlation-id")).isEqualTo("corr-bff-42");
      long deadline = Long.parseLong(s.headers().get("bulwark-deadline"));
      assertThat(deadline).isBetween(0L, uri.startsWith("/recs") ? 2000L : 5000L);
    }
  }

  @Test
  void partsAreCalledInParallel() throws Exception {
    HttpResponse<String> r = get("/page/together");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).path("product").path("id").asText()).isEqualTo("together");
  }

  @Test
  void aFailingOptionalPartIsLeftOutAndMarked() throws Exception {
    JsonNode failed = JSON.readTree(get("/page/bad").body());
    assertThat(failed.has("reviews")).isFalse();
    assertThat(failed.path("_partial").toString()).isEqualTo("[\"reviews\"]");
    assertThat(failed.path("product").path("id").asText()).isEqualTo("bad");
    JsonNode notJson = JSON.readTree(get("/page/nojson").body());
    assertThat(notJson.path("_partial").toString()).isEqualTo("[\"reviews\"]");
  }

  @Test
  void aSlowOptionalPartTimesOutAndIsMarked() throws Exception {
    HttpResponse<String> r = get("/page/slowrecs");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("_partial").toString()).isEqualTo("[\"recs\"]");
    assertThat(body.has("recs")).isFalse();
    assertThat(body.path("reviews").isArray()).isTrue();
  }

  @Test
  void aFailingRequiredPartIs502AndATimedOutOneIs504() throws Exception {
    HttpResponse<String> missing = get("/page/missing");
    assertThat(missing.statusCode()).isEqualTo(502);
    assertThat(missing.headers().firstValue("content-type")).contains("application/problem+json");
    JsonNode p = JSON.readTree(missing.body());
    assertThat(p.path("part").asText()).isEqualTo("product");
    assertThat(p.path("detail").asText()).isEqualTo("required part product failed: answered 404");
    HttpResponse<String> slow = get("/strict/slow");
    assertThat(slow.statusCode()).isEqualTo(504);
    assertThat(JSON.readTree(slow.body()).path("detail").asText())
        .isEqualTo("required part product failed: no answer within PT0.3S");
  }

  @Test
  void theClientsDeadlineCapsEveryPartsTimeoutAndTheDeadlineItIsSent() throws Exception {
    // the parts' own timeouts are 5 s, 5 s and 2 s: the client grants 700 ms
    HttpResponse<String> r = get("/page/capped", "bulwark-deadline", "700");
    assertThat(r.statusCode()).isEqualTo(200);
    for (String uri : new String[] {"/products/capped", "/reviews/capped", "/recs/capped"}) {
      TrafficHarness.Seen s =
          seen.stream().filter(x -> x.uri().equals(uri)).findFirst().orElseThrow();
      assertThat(Long.parseLong(s.headers().get("bulwark-deadline"))).as(uri).isBetween(1L, 700L);
    }
    // a required part that never answers: 504 at the client's deadline, not at the part's 5 s
    HttpResponse<String> slow = get("/page/slow", "bulwark-deadline", "300");
    assertThat(slow.statusCode()).isEqualTo(504);
    assertThat(JSON.readTree(slow.body()).path("detail").asText())
        .isEqualTo("required part product failed: no answer within the client's bulwark-deadline");
    // a client deadline later than a part's timeout leaves that timeout in charge
    HttpResponse<String> strict = get("/strict/slow", "bulwark-deadline", "60000");
    assertThat(strict.statusCode()).isEqualTo(504);
    assertThat(JSON.readTree(strict.body()).path("detail").asText())
        .isEqualTo("required part product failed: no answer within PT0.3S");
  }

  @Test
  void aTemplateValueIsEncodedIntoThePartPath() throws Exception {
    HttpResponse<String> r = get("/page/a%20b");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(seen.stream().map(TrafficHarness.Seen::uri)).contains("/products/a%20b");
    // a value cannot add a query parameter to a part's URI
    assertThat(get("/page/x&admin=1").statusCode()).isEqualTo(200);
    assertThat(seen.stream().map(TrafficHarness.Seen::uri)).contains("/products/x%26admin%3D1");
  }
}
