package io.bulwark.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A gateway's admin API as tests read it: {@code GET /clusters} over real HTTP. */
final class AdminView {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private AdminView() {}

  /** The body of {@code GET /clusters}. */
  static String clusters(Gateway gateway) throws Exception {
    return CLIENT
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.adminPort() + "/clusters"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Cluster {@code name} of a {@code /clusters} view. */
  static JsonNode cluster(String view, String name) throws Exception {
    for (JsonNode c : JSON.readTree(view)) {
      if (c.get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no cluster " + name + ": " + view);
  }

  /** The status of endpoint {@code id} in cluster {@code name} of a {@code /clusters} view. */
  static String statusOf(String view, String name, String id) throws Exception {
    for (JsonNode e : cluster(view, name).get("endpoints")) {
      if (e.get("id").asText().equals(id)) {
        return e.get("status").asText();
      }
    }
    throw new AssertionError("no endpoint " + id + " in cluster " + name + ": " + view);
  }
}
