package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.context.Context;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Routing, JSON, context restore and every bad-input answer, over a real loopback server. */
class ServerBasicsTest {
  record Order(String sku, int quantity) {}

  static Vertx vertx;
  static BulwarkServer server;
  static final BlockingQueue<AccessLogEntry> entries = new LinkedBlockingQueue<>();
  static volatile boolean ready = true;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    server =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(1)
            .config(ServerConfig.builder().maxBodySize(1024).maxHeaderSize(1024).build())
            .listener(
                new ServerListener() {
                  @Override
                  public void onRequest(AccessLogEntry entry) {
                    entries.add(entry);
                  }
                })
            .readiness(() -> ready)
            .get(
                "/orders/{id}/items/{item}",
                r -> Response.json(Map.of("id", r.pathParam("id"), "item", r.pathParam("item"))))
            .post(
                "/orders",
                r -> {
                  Order o = r.bodyAs(Order.class);
                  return Response.json(201, Map.of("sku", o.sku(), "quantity", o.quantity()));
                })
            .get(
                "/context",
                r -> {
                  Context c = Context.current();
                  return Response.json(
                      Map.of(
                          "correlationId", String.valueOf(c.correlationId()),
                          "criticality", c.criticality().name(),
                          "thread", Thread.currentThread().isVirtual() ? "virtual" : "platform"));
                })
            .get(
                "/boom",
                r -> {
                  throw new IllegalStateException("secret internal detail");
                })
            .get(
                "/teapot",
                r -> {
                  throw HttpProblem.of(418, "teapot", "I am a teapot");
                })
            .metrics("/metrics", r -> Response.text(200, "# metrics\n"))
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    server.shutdown();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void pathTemplateBindsParametersAndAnswersJson() throws Exception {
    RawHttp.Reply r = RawHttp.get(server.port(), "/orders/42/items/a-7");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(r.body()).contains("\"id\":\"42\"").contains("\"item\":\"a-7\"");
  }

  @Test
  void handlerRunsOnAVirtualThreadWithTheRestoredContext() throws Exception {
    RawHttp.Reply r =
        RawHttp.get(
            server.port(),
            "/context",
            "bulwark-correlation-id: abc-123",
            "bulwark-criticality: SHEDDABLE");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"correlationId\":\"abc-123\"")
        .contains("\"criticality\":\"SHEDDABLE\"")
        .contains("\"thread\":\"virtual\"");
    assertThat(r.header("bulwark-correlation-id")).isEqualTo("abc-123");
  }

  @Test
  void correlationIdIsGeneratedWhenAbsentAndEchoed() throws Exception {
    RawHttp.Reply r = RawHttp.get(server.port(), "/context");
    String id = r.header("bulwark-correlation-id");
    assertThat(id).matches("[0-9a-f]{16}");
    assertThat(r.body()).contains("\"correlationId\":\"" + id + "\"");
  }

  @Test
  void jsonBodyIsReadIntoARecord() throws Exception {
    RawHttp.Reply r = RawHttp.post(server.port(), "/orders", "{\"sku\":\"A1\",\"quantity\":3}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.body()).contains("\"sku\":\"A1\"").contains("\"quantity\":3");
  }

  @Test
  void malformedJsonGets400WithCorrelationIdAndNoStackTrace() throws Exception {
    RawHttp.Reply r = RawHttp.post(server.port(), "/orders", "{\"sku\": \"A1\", quantity}");
    assertError(r, 400, "malformed_json");
    assertThat(r.body()).doesNotContain("at com.").doesNotContain("Exception");
  }

  @Test
  void oversizedBodyGets413() throws Exception {
    RawHttp.Reply r =
        RawHttp.post(server.port(), "/orders", "{\"sku\":\"" + "x".repeat(2000) + "\"}");
    assertError(r, 413, "body_too_large");
    assertThat(r.body()).contains("1024 bytes");
  }

  @Test
  void oversizedChunkedBodyGets413() throws Exception {
    String chunk = "x".repeat(800);
    String chunked = Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n";
    byte[] body = (chunked + chunked + "0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    RawHttp.Reply r =
        RawHttp.send(
            server.port(),
            "POST /orders HTTP/1.1\r\nhost: 127.0.0.1\r\ntransfer-encoding: chunked",
            body);
    assertError(r, 413, "body_too_large");
  }

  @Test
  void oversizedHeadersGet431() throws Exception {
    RawHttp.Reply r = RawHttp.get(server.port(), "/context", "x-big: " + "y".repeat(4000));
    assertError(r, 431, "headers_too_large");
  }

  @Test
  void unknownPathGets404AndWrongMethodGets405WithAllow() throws Exception {
    assertError(RawHttp.get(server.port(), "/nope"), 404, "not_found");
    RawHttp.Reply r =
        RawHttp.send(server.port(), "DELETE /orders HTTP/1.1\r\nhost: 127.0.0.1", new byte[0]);
    assertError(r, 405, "method_not_allowed");
    assertThat(r.header("allow")).isEqualTo("POST");
  }

  @Test
  void inventedMethodGetsA4xxJsonAnswer() throws Exception {
    RawHttp.Reply r =
        RawHttp.send(server.port(), "BREW /orders HTTP/1.1\r\nhost: 127.0.0.1", new byte[0]);
    assertThat(r.status()).isBetween(400, 499);
    assertThat(r.body()).contains("\"correlationId\":\"");
  }

  @Test
  void garbageRequestLineGets400Json() throws Exception {
    RawHttp.Reply r = RawHttp.send(server.port(), "\u0001\u0002 garbage", new byte[0]);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("\"correlationId\":\"");
  }

  @Test
  void malformedContextHeaderGets400NamingIt() throws Exception {
    RawHttp.Reply r = RawHttp.get(server.port(), "/context", "bulwark-deadline: soon");
    assertError(r, 400, "malformed_header");
    assertThat(r.body()).contains("bulwark-deadline").contains("soon");
  }

  @Test
  void handlerFailureGets500WithoutDetailsAndServerKeepsServing() throws Exception {
    RawHttp.Reply r = RawHttp.get(server.port(), "/boom", "bulwark-correlation-id: trace-me");
    assertError(r, 500, "internal_error");
    assertThat(r.body()).doesNotContain("secret").contains("trace-me");
    assertThat(RawHttp.get(server.port(), "/orders/1/items/2").status()).isEqualTo(200);
  }

  @Test
  void handlerChosenProblemKeepsItsStatus() throws Exception {
    assertError(RawHttp.get(server.port(), "/teapot"), 418, "teapot");
  }

  @Test
  void livenessAndReadinessFollowTheReadinessCheck() throws Exception {
    assertThat(RawHttp.get(server.port(), "/health/live").status()).isEqualTo(200);
    assertThat(RawHttp.get(server.port(), "/health/ready").status()).isEqualTo(200);
    ready = false;
    try {
      assertThat(RawHttp.get(server.port(), "/health/ready").status()).isEqualTo(503);
      assertThat(RawHttp.get(server.port(), "/health/live").status()).isEqualTo(200);
    } finally {
      ready = true;
    }
  }

  @Test
  void metricsEndpointIsMounted() throws Exception {
    RawHttp.Reply r = RawHttp.get(server.port(), "/metrics");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("# metrics\n");
  }

  @Test
  void accessLogRecordsEveryAnswer() throws Exception {
    RawHttp.get(server.port(), "/orders/9/items/1", "bulwark-correlation-id: logged-1");
    AccessLogEntry e = awaitEntry(entries, x -> "logged-1".equals(x.correlationId()));
    assertThat(e.route()).isEqualTo("/orders/{id}/items/{item}");
    assertThat(e.status()).isEqualTo(200);
    assertThat(e.outcome()).isEqualTo(RequestOutcome.OK);
    assertThat(e.durationNanos()).isPositive();
  }

  /**
   * The first entry matching {@code wanted}, waiting up to 10 s: an entry is written when the work
   * ends, which may be just after the answer left.
   */
  static AccessLogEntry awaitEntry(
      BlockingQueue<AccessLogEntry> entries, java.util.function.Predicate<AccessLogEntry> wanted)
      throws InterruptedException {
    while (true) {
      AccessLogEntry next = entries.poll(10, TimeUnit.SECONDS);
      assertThat(next).as("an access log entry within 10 s").isNotNull();
      if (wanted.test(next)) {
        return next;
      }
    }
  }

  static void assertError(RawHttp.Reply r, int status, String code) {
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(r.body())
        .contains("\"status\":" + status)
        .contains("\"error\":\"" + code + "\"")
        .containsPattern("\"correlationId\":\"[^\"]+\"");
    assertThat(r.header("bulwark-correlation-id")).isNotBlank();
  }
}
