package io.bulwark.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Activates faults in a running service through its chaos admin endpoint ({@code ChaosRoutes}):
 * {@code POST {base}/chaos/faults} with {@link StepFault#toJson} and {@code DELETE
 * {base}/chaos/faults/{id}}, with a bearer token when the service requires one. A refusal (400 bad
 * fault, 401/403, 409 chaos disabled or limit reached) is thrown with the service's own message.
 */
public final class HttpFaultControl implements FaultControl {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI faults;
  private final @Nullable String token;
  private final HttpClient client;

  /**
   * @param base the service's base URL, e.g. {@code http://127.0.0.1:8080}
   * @param token the admin token, or null for a loopback service without one
   */
  public HttpFaultControl(URI base, @Nullable String token) {
    String b = base.toString();
    this.faults =
        URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + "/chaos/faults");
    this.token = token;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  @Override
  public String activate(StepFault fault, Duration ttl, String experiment, long seed) {
    JsonNode id = start(fault.toJson(ttl, experiment, seed)).get("id");
    if (id == null || !id.isTextual()) {
      throw new IllegalStateException("POST " + faults + " answered no fault id");
    }
    return id.asText();
  }

  /**
   * Starts the fault described by {@code body} (the admin endpoint's JSON) and returns the active
   * fault the service answered (id, type, radius, expiry).
   *
   * @throws Refused if the service refused it (its status and message)
   */
  public JsonNode start(JsonNode body) {
    HttpResponse<String> r =
        send(request(faults).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    if (r.statusCode() != 201) {
      throw new Refused("POST", faults, r.statusCode(), problem(r.body()));
    }
    return json("POST", r);
  }

  /**
   * The service's active faults, each with its id, type, radius, expiry and injection count.
   *
   * @throws Refused if the service refused the listing
   */
  public List<JsonNode> list() {
    HttpResponse<String> r = send(request(faults).GET().build());
    if (r.statusCode() != 200) {
      throw new Refused("GET", faults, r.statusCode(), problem(r.body()));
    }
    List<JsonNode> out = new ArrayList<>();
    json("GET", r).path("faults").forEach(out::add);
    return List.copyOf(out);
  }

  /**
   * Clears the active fault {@code id}; returns false if the service has no such fault (404).
   *
   * @throws Refused if the service refused (any other status than 200 and 404)
   */
  public boolean clear(String id) {
    URI one = URI.create(faults + "/" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8));
    HttpResponse<String> r = send(request(one).DELETE().build());
    if (r.statusCode() == 404) {
      return false;
    }
    if (r.statusCode() != 200) {
      throw new Refused("DELETE", one, r.statusCode(), problem(r.body()));
    }
    return true;
  }

  /** A request the service answered with a refusal: its status and its own message. */
  public static final class Refused extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final int status;

    Refused(String method, URI uri, int status, String detail) {
      super(method + " " + uri + " answered " + status + ": " + detail);
      this.status = status;
    }

    /** The HTTP status the service answered. */
    public int status() {
      return status;
    }
  }

  private JsonNode json(String method, HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + faults + " answered bad JSON: " + r.body(), e);
    }
  }

  @Override
  public void deactivate(String id) {
    URI one = URI.create(faults + "/" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8));
    HttpResponse<String> r = send(request(one).DELETE().build());
    if (r.statusCode() != 200 && r.statusCode() != 404) { // 404: it already expired
      throw new Refused("DELETE", one, r.statusCode(), problem(r.body()));
    }
  }

  /** Clears every active fault of the service (what {@code chaos clear} does). */
  public int clearAll() {
    HttpResponse<String> r = send(request(faults).DELETE().build());
    if (r.statusCode() != 200) {
      throw new Refused("DELETE", faults, r.statusCode(), problem(r.body()));
    }
    try {
      return JSON.readTree(r.body()).path("cleared").asInt();
    } catch (IOException e) {
      throw new IllegalStateException("DELETE " + faults + " answered bad JSON: " + r.body(), e);
    }
  }

  private HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(5))
            .header("content-type", "application/json");
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    return b;
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(
          request.method() + " " + request.uri() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(request.method() + " " + request.uri() + ": interrupted", e);
    }
  }

  private static String problem(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      JsonNode detail = n.get("detail");
      return detail != null ? detail.asText() : Objects.toString(body);
    } catch (IOException e) {
      return body;
    }
  }
}
