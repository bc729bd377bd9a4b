package io.bulwark.chaos.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.FaultSpec;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The chaos admin routes on a {@link BulwarkServer}: list, start and clear faults over HTTP.
 *
 * <ul>
 *   <li>{@code GET /chaos/faults}: the active faults with their expiry and injection counts;
 *   <li>{@code POST /chaos/faults}: starts a fault (JSON, see below); 201 with the active fault;
 *   <li>{@code DELETE /chaos/faults/{id}}: clears one (404 if none such);
 *   <li>{@code DELETE /chaos/faults}: clears all; answers how many.
 * </ul>
 *
 * <p>Access: without an {@link io.bulwark.chaos.ChaosConfig#adminToken() admin token}, only
 * loopback callers are served (others get 403); with one, every caller must send {@code
 * authorization: Bearer <token>} (compared in constant time; 401 otherwise). Bad JSON gets 400
 * naming the field; a fault refused by the controller (chaos disabled, too many, too long) 409
 * saying why.
 *
 * <pre>{@code
 * {"fault": {"type": "http-error", "status": 503},
 *  "radius": {"points": ["http-server"], "route": "/orders/*", "percent": 30},
 *  "duration": "5m", "experiment": "exp-1", "seed": 7}
 * }</pre>
 */
public final class ChaosRoutes {
  /** The path of the routes. */
  public static final String PATH = FaultPoints.EXEMPT_ROUTE_PREFIX + "faults";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Chaos chaos;
  private final byte @Nullable [] token;

  private ChaosRoutes(Chaos chaos) {
    this.chaos = chaos;
    String t = chaos.config().adminToken();
    this.token = t == null ? null : t.getBytes(StandardCharsets.UTF_8);
  }

  /** Adds the routes for {@code chaos} to {@code server}; returns {@code server}. */
  public static BulwarkServer.Builder install(BulwarkServer.Builder server, Chaos chaos) {
    ChaosRoutes routes = new ChaosRoutes(Objects.requireNonNull(chaos, "chaos"));
    return server
        .get(PATH, routes::list)
        .post(PATH, routes::start)
        .delete(PATH, routes::clearAll)
        .delete(PATH + "/{id}", routes::clear);
  }

  /**
   * The JSON form these routes take of {@code spec}; {@link #parseFault} reads it back to an equal
   * spec. For relaying a fault started in one process to another process's admin endpoint.
   */
  public static ObjectNode toJson(FaultSpec spec) {
    return FaultJson.write(Objects.requireNonNull(spec, "spec"));
  }

  /**
   * The {@link FaultSpec} of a fault in the JSON form these routes take (see the class comment):
   * the one parser of that form, for experiments that start the same faults in-process.
   *
   * @throws IllegalArgumentException whose message is {@code "<field>: <problem>"}, naming the
   *     field (e.g. {@code fault.status}) and the value it refuses
   */
  public static FaultSpec parseFault(JsonNode body) {
    try {
      return FaultJson.parse(Objects.requireNonNull(body, "body"));
    } catch (FaultJson.BadInput e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private Response list(Request request) {
    authorize(request);
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (ActiveFault f : chaos.active()) {
      out.add(FaultJson.render(f, chaos.injections(f.id())));
    }
    return Response.json(Map.of("faults", out));
  }

  private Response start(Request request) {
    authorize(request);
    JsonNode body;
    try {
      body = MAPPER.readTree(request.body());
    } catch (JacksonException e) {
      throw HttpProblem.of(400, "malformed_json", "malformed JSON body: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw HttpProblem.of(400, "malformed_json", "unreadable JSON body");
    }
    if (body == null || body.isMissingNode()) {
      throw HttpProblem.of(400, "bad_fault", "(body): a JSON object is required");
    }
    FaultSpec spec;
    try {
      spec = FaultJson.parse(body);
    } catch (FaultJson.BadInput e) {
      throw HttpProblem.of(400, "bad_fault", String.valueOf(e.getMessage()));
    }
    ActiveFault started;
    try {
      started = chaos.start(spec);
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw HttpProblem.of(409, "fault_refused", String.valueOf(e.getMessage()));
    }
    return Response.json(201, FaultJson.render(started, 0));
  }

  private Response clear(Request request) {
    authorize(request);
    String id = request.pathParam("id");
    if (!chaos.clear(id)) {
      throw HttpProblem.notFound("no active fault " + id);
    }
    return Response.json(Map.of("cleared", 1));
  }

  private Response clearAll(Request request) {
    authorize(request);
    return Response.json(Map.of("cleared", chaos.clearAll()));
  }

  /** Loopback callers only without a token; the bearer token (constant time) with one. */
  private void authorize(Request request) {
    byte[] expected = token;
    if (expected == null) {
      if (!isLoopback(request.remoteAddress())) {
        throw HttpProblem.of(
            403,
            "forbidden",
            "the chaos admin routes serve loopback callers only (no admin-token)");
      }
      return;
    }
    String header = request.header("authorization");
    byte[] given =
        header != null && header.startsWith("Bearer ")
            ? header.substring(7).getBytes(StandardCharsets.UTF_8)
            : new byte[0];
    if (!MessageDigest.isEqual(expected, given)) {
      throw HttpProblem.of(401, "unauthorized", "a valid bearer token is required");
    }
  }

  private static boolean isLoopback(@Nullable String address) {
    if (address == null || address.isEmpty()) {
      return false;
    }
    // an IP literal from the socket: no name lookup happens for a literal
    if (!Character.isDigit(address.charAt(0)) && address.indexOf(':') < 0) {
      return false;
    }
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
