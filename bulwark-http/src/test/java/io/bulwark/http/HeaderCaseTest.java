package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.telemetry.RedSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server looks headers up by pre-encoded names and finds a route's RED recorder without
 * building its name: header names stay case-insensitive everywhere (context restore, the handler's
 * request, body and framing checks), on both kinds of route, and RED series stay one per method and
 * route under concurrent load.
 */
class HeaderCaseTest {
  static final int REQUESTS_PER_SERIES = 40;

  static BulwarkTelemetry telemetry;
  static BulwarkServer server;
  static final CountDownLatch logged = new CountDownLatch(3 * REQUESTS_PER_SERIES);

  @BeforeAll
  static void start() {
    telemetry = BulwarkTelemetry.builder().serviceName("header-case").build();
    server =
        BulwarkServer.builder()
            .eventLoops(2)
            .config(ServerConfig.builder().maxBodySize(1024).build())
            .telemetry(telemetry)
            .listener(
                new ServerListener() {
                  @Override
                  public void onRequest(AccessLogEntry entry) {
                    if (entry.route().startsWith("/items")) {
                      logged.countDown();
                    }
                  }
                })
            .get("/seen", HeaderCaseTest::seen)
            .routeNonBlocking("GET", "/seen-inline", HeaderCaseTest::seen)
            .get("/items/{id}", r -> Response.json(r.pathParam("id")))
            .post("/items/{id}", r -> Response.json(201, r.pathParam("id")))
            .routeNonBlocking("PUT", "/items/{id}", r -> Response.json(r.pathParam("id")))
            .post("/upload", r -> Response.json(201, r.body().length))
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    server.shutdown();
    telemetry.close();
  }

  private static Response seen(Request r) {
    Context c = Context.current();
    TraceContext trace = c.trace();
    return Response.json(
        Map.of(
            "correlationId", String.valueOf(c.correlationId()),
            "criticality", c.criticality().name(),
            "traceId", trace == null ? "none" : trace.traceId(),
            "custom", String.valueOf(r.header("X-CUSTOM")),
            "customLower", String.valueOf(r.header("x-custom")),
            "traceparent", String.valueOf(r.header("TraceParent"))));
  }

  @Test
  void contextHeadersInAnyCaseAreRestoredOnBothKindsOfRoute() throws Exception {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String traceparent = "00-" + traceId + "-00f067aa0ba902b7-01";
    for (String path : List.of("/seen", "/seen-inline")) {
      RawHttp.Reply reply =
          RawHttp.get(
              server.port(),
              path,
              "Bulwark-Correlation-ID: order-42",
              "BULWARK-CRITICALITY: SHEDDABLE",
              "TRACEPARENT: " + traceparent,
              "X-Custom: yes");
      assertThat(reply.status()).as(path).isEqualTo(200);
      assertThat(reply.header("bulwark-correlation-id")).as(path).isEqualTo("order-42");
      assertThat(reply.body())
          .as(path)
          .contains("\"correlationId\":\"order-42\"")
          .contains("\"criticality\":\"SHEDDABLE\"")
          .contains("\"traceId\":\"" + traceId + "\"")
          .contains("\"custom\":\"yes\"")
          .contains("\"customLower\":\"yes\"")
          .contains("\"traceparent\":\"" + traceparent + "\"");
    }
  }

  @Test
  void absentHeadersStayAbsentAndAnIdIsGenerated() throws Exception {
    RawHttp.Reply reply = RawHttp.get(server.port(), "/seen");
    assertThat(reply.status()).isEqualTo(200);
    String id = reply.header("bulwark-correlation-id");
    assertThat(id).hasSize(16).matches("[0-9a-f]{16}");
    assertThat(reply.body())
        .contains("\"correlationId\":\"" + id + "\"")
        .contains("\"custom\":\"null\"")
        .contains("\"traceparent\":\"null\"");
  }

  @Test
  void malformedContextHeaderInUpperCaseIsRefusedNamingIt() throws Exception {
    RawHttp.Reply reply = RawHttp.get(server.port(), "/seen-inline", "BULWARK-DEADLINE: soon");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.body()).contains("malformed_header").contains("bulwark-deadline");
  }

  @Test
  void bodyAndFramingChecksReadHeadersInAnyCase() throws Exception {
    RawHttp.Reply tooLarge =
        RawHttp.send(
            server.port(),
            "POST /upload HTTP/1.1\r\nhost: 127.0.0.1\r\nCONTENT-LENGTH: 5000",
            new byte[0]);
    assertThat(tooLarge.status()).isEqualTo(413);

    RawHttp.Reply badCoding =
        RawHttp.send(
            server.port(),
            "POST /upload HTTP/1.1\r\nhost: 127.0.0.1\r\nTRANSFER-ENCODING: xchunked",
            new byte[0]);
    assertThat(badCoding.status()).isEqualTo(400);
    assertThat(badCoding.body()).contains("bad_transfer_encoding");

    RawHttp.Reply twoHosts =
        RawHttp.send(server.port(), "GET /seen HTTP/1.1\r\nHost: a\r\nHOST: b", new byte[0]);
    assertThat(twoHosts.status()).isEqualTo(400);
    assertThat(twoHosts.body()).contains("missing_host");

    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    RawHttp.Reply chunked =
        RawHttp.send(
            server.port(),
            "POST /upload HTTP/1.1\r\nhost: 127.0.0.1\r\nTransfer-Encoding: Chunked",
            ("2\r\n" + new String(body, StandardCharsets.UTF_8) + "\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(chunked.status()).isEqualTo(201);
    assertThat(chunked.body()).isEqualTo("2");
  }

  @Test
  void redSeriesStayOnePerMethodAndRouteUnderConcurrentRequests() throws Exception {
    List<Future<Integer>> statuses = new ArrayList<>();
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < REQUESTS_PER_SERIES; i++) {
        String id = Integer.toString(i);
        statuses.add(callers.submit(() -> RawHttp.get(server.port(), "/items/" + id).status()));
        statuses.add(
            callers.submit(() -> RawHttp.post(server.port(), "/items/" + id, "{}").status()));
        statuses.add(
            callers.submit(
                () ->
                    RawHttp.send(
                            server.port(),
                            "PUT /items/" + id + " HTTP/1.1\r\nhost: 127.0.0.1",
                            new byte[0])
                        .status()));
      }
      for (Future<Integer> s : statuses) {
        assertThat(s.get(30, TimeUnit.SECONDS)).isIn(200, 201);
      }
    }
    assertThat(logged.await(30, TimeUnit.SECONDS)).isTrue();
    List<RedSnapshot> endpoints = telemetry.redSnapshots("endpoint");
    assertThat(total(endpoints, "GET /items/{id}")).isEqualTo(REQUESTS_PER_SERIES);
    assertThat(total(endpoints, "POST /items/{id}")).isEqualTo(REQUESTS_PER_SERIES);
    assertThat(total(endpoints, "PUT /items/{id}")).isEqualTo(REQUESTS_PER_SERIES);
    assertThat(endpoints.stream().map(RedSnapshot::name).filter(n -> n.contains("/items")))
        .containsExactlyInAnyOrder("GET /items/{id}", "POST /items/{id}", "PUT /items/{id}");
  }

  private static long total(List<RedSnapshot> snapshots, String name) {
    return snapshots.stream()
        .filter(s -> Objects.equals(s.name(), name))
        .mapToLong(RedSnapshot::total)
        .sum();
  }
}
