package io.bulwark.examples.shop;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.examples.shop.common.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checker's view of the checkouts orders is running, through the service's own {@code GET
 * /checkouts/in-flight?waitMs=N}: the call returns as soon as the last running checkout ends (a
 * wait on a signal inside orders, not a poll). When no orders instance is ready (killed, or being
 * restarted) none is running a checkout: a killed instance's unfinished checkouts are in its store
 * and are resumed by the next incarnation's saga engine, which the checker sees as unsettled orders
 * and saga runs. The saga runs come from orders' {@code GET /checkouts/runs}.
 */
final class OrdersCheckouts implements InvariantChecker.Checkouts {
  /** The longest wait orders accepts in one call. */
  private static final long MAX_WAIT_MS = 60_000;

  private final Shop shop;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  OrdersCheckouts(Shop shop) {
    this.shop = shop;
  }

  @Override
  public boolean awaitNone(Duration timeout) throws InterruptedException {
    if (shop.runtime().readyEndpoints("orders").isEmpty()) {
      return true;
    }
    long waitMs = Math.min(MAX_WAIT_MS, timeout.toMillis());
    URI uri = shop.baseUri("orders").resolve("/checkouts/in-flight?waitMs=" + waitMs);
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(waitMs + 5_000)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return false;
      }
      JsonNode body = Json.MAPPER.readTree(r.body());
      return body.path("inFlight").asInt(-1) == 0;
    } catch (IOException | IllegalStateException e) {
      // orders went away during the wait (killed): its checkouts are no longer running
      return shop.runtime().readyEndpoints("orders").isEmpty();
    }
  }

  @Override
  public InvariantChecker.SagaRuns sagaRuns() throws InterruptedException {
    if (shop.runtime().readyEndpoints("orders").isEmpty()) {
      return InvariantChecker.SagaRuns.unknown();
    }
    URI uri = shop.baseUri("orders").resolve("/checkouts/runs");
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return InvariantChecker.SagaRuns.unknown();
      }
      JsonNode body = Json.MAPPER.readTree(r.body());
      Map<String, Long> byStatus = new LinkedHashMap<>();
      body.path("byStatus")
          .properties()
          .forEach(e -> byStatus.put(e.getKey(), e.getValue().asLong()));
      List<InvariantChecker.OpenRun> open = new ArrayList<>();
      for (JsonNode run : body.path("open")) {
        JsonNode cause = run.path("cause");
        open.add(
            new InvariantChecker.OpenRun(
                run.path("runId").asText(),
                run.path("status").asText(),
                cause.isTextual() ? cause.asText() : null));
      }
      return new InvariantChecker.SagaRuns(true, byStatus, open);
    } catch (IOException | IllegalStateException e) {
      return InvariantChecker.SagaRuns.unknown();
    }
  }
}
