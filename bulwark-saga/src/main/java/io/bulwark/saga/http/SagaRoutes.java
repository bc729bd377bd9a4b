package io.bulwark.saga.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Handler;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.saga.PayloadTooLargeException;
import io.bulwark.saga.RunQuery;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStoreException;
import io.bulwark.saga.UnknownRunException;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The visibility API as JSON over HTTP, for operators and the dashboard. Routes under {@code
 * prefix} (e.g. {@code /sagas}):
 *
 * <ul>
 *   <li>{@code GET {prefix}/runs?workflow=&status=&from=&to=&limit=} — run summaries, newest first
 *   <li>{@code GET {prefix}/runs/{id}} — one run with its steps, state and timeline
 *   <li>{@code POST {prefix}/runs/{id}/cancel} (body {@code {"reason":"..."}}), {@code .../retry},
 *       {@code .../skip}
 *   <li>{@code POST {prefix}/runs/{id}/signals/{name}} — body: the signal's JSON payload
 *   <li>{@code GET {prefix}/definitions} — registered and missing definitions
 * </ul>
 *
 * Bad input (unknown run, bad status or time, limit out of range, bad JSON) is answered 400 or 404
 * with a JSON error that names the parameter and the value.
 *
 * <p>Details: {@code status} takes one or more names separated by commas (any case); {@code from}
 * and {@code to} are ISO-8601 instants bounding the creation time ({@code [from, to)}); {@code
 * limit} is 1 to 1,000 (default 100). A run id holding a {@code /} (a child run) is sent
 * percent-encoded ({@code %2F}). An action on a run in a status that does not allow it (cancel an
 * ended run, retry or skip a run that is not PARKED) is answered 409; a signal payload over the
 * engine's payload limit 413, naming its size; a store that cannot be reached 503. Errors have the
 * server's shape plus the parameter and the value: {@code
 * {"status","error","message","parameter","value","correlationId"}}.
 */
public final class SagaRoutes {
  /** The longest cancel reason accepted. */
  static final int MAX_REASON = 1_000;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private final SagaEngine engine;
  private final RunJson json = new RunJson(MAPPER);

  private SagaRoutes(SagaEngine engine) {
    this.engine = engine;
  }

  /**
   * Adds the routes to {@code server}.
   *
   * @param prefix where the routes live: starts with {@code /}, does not end with one
   * @throws IllegalArgumentException for a malformed prefix or one whose routes are taken
   */
  public static BulwarkServer.Builder register(
      BulwarkServer.Builder server, String prefix, SagaEngine engine) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(engine, "engine");
    if (!prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("{")) {
      throw new IllegalArgumentException(
          "saga routes prefix must start with '/' and not end with one, got '" + prefix + "'");
    }
    SagaRoutes routes = new SagaRoutes(engine);
    return server
        .get(prefix + "/runs", answering(routes::runs))
        .get(prefix + "/runs/{id}", answering(routes::run))
        .post(prefix + "/runs/{id}/cancel", answering(routes::cancel))
        .post(prefix + "/runs/{id}/retry", answering(routes::retry))
        .post(prefix + "/runs/{id}/skip", answering(routes::skip))
        .post(prefix + "/runs/{id}/signals/{name}", answering(routes::signal))
        .get(prefix + "/definitions", answering(routes::definitions));
  }

  /** Turns refusals and the engine's errors into JSON answers that name the value at fault. */
  private static Handler answering(Handler handler) {
    return r -> {
      try {
        return handler.handle(r);
      } catch (BadInput e) {
        return e.answer();
      } catch (UnknownRunException e) {
        return BadInput.unknownRun(e.runId()).answer();
      } catch (PayloadTooLargeException e) {
        return new BadInput(
                413,
                "payload_too_large",
                "body",
                e.bytes() + " bytes",
                String.valueOf(e.getMessage()))
            .answer();
      } catch (SagaStoreException e) {
        return new BadInput(503, "store_unavailable", "store", null, String.valueOf(e.getMessage()))
            .answer()
            .header("retry-after", "1");
      } catch (IllegalStateException e) {
        return new BadInput(409, "conflict", "id", runIdOf(r), String.valueOf(e.getMessage()))
            .answer();
      }
    };
  }

  private static @Nullable String runIdOf(Request r) {
    return r.route().contains("{id}") ? Params.path(r, "id") : null;
  }

  private Response runs(Request r) {
    RunQuery query = Params.runQuery(r);
    return Response.json(json.runs(engine.runs(query), query.limit()));
  }

  private Response run(Request r) {
    String id = Params.path(r, "id");
    return Response.json(json.run(view(id)));
  }

  private Response cancel(Request r) {
    String id = Params.path(r, "id");
    String reason = cancelReason(r);
    engine.cancel(id, reason);
    return acted(id, "cancel");
  }

  private Response retry(Request r) {
    String id = Params.path(r, "id");
    engine.retry(id);
    return acted(id, "retry");
  }

  private Response skip(Request r) {
    String id = Params.path(r, "id");
    engine.skip(id);
    return acted(id, "skip");
  }

  private Response signal(Request r) {
    String id = Params.path(r, "id");
    String name = Params.name("name", Params.path(r, "name"));
    JsonNode payload = body(r, "a signal's payload is JSON (send null for none)");
    engine.signal(id, name, payload);
    ObjectNode out = MAPPER.createObjectNode();
    out.put("runId", id);
    out.put("signal", name);
    out.put("accepted", true);
    return Response.json(202, out);
  }

  private Response definitions(Request r) {
    ObjectNode out = MAPPER.createObjectNode();
    out.put("executorId", engine.executorId());
    engine.definitions().forEach(out.putArray("registered")::add);
    engine.missingDefinitions().forEach(out.putArray("missing")::add);
    return Response.json(out);
  }

  /** The run, or a 404 naming its id. */
  private RunView view(String id) {
    Optional<RunView> v = engine.run(id);
    if (v.isEmpty()) {
      throw BadInput.unknownRun(id);
    }
    return v.get();
  }

  /** After an action: the run's id, the action and the status the run has now. */
  private Response acted(String id, String action) {
    ObjectNode out = MAPPER.createObjectNode();
    out.put("runId", id);
    out.put("action", action);
    out.put("status", view(id).status().name());
    return Response.json(out);
  }

  /** The optional {@code {"reason": "..."}} of a cancel. */
  private static String cancelReason(Request r) {
    if (r.body().length == 0) {
      return "cancelled over HTTP";
    }
    JsonNode body = body(r, "a cancel's body is {\"reason\": \"...\"} or nothing");
    if (!body.isObject()) {
      throw BadInput.parameter(
          "body",
          body.toString(),
          "a cancel's body must be a JSON object such as {\"reason\": \"...\"}");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!field.equals("reason")) {
        throw BadInput.parameter(
            field,
            body.get(field).toString(),
            "a cancel's body has only \"reason\", got \"" + BadInput.echo(field) + "\"");
      }
    }
    JsonNode reason = body.get("reason");
    if (reason == null
        || !reason.isTextual()
        || reason.asText().isBlank()
        || reason.asText().length() > MAX_REASON) {
      throw BadInput.parameter(
          "reason",
          reason == null ? null : reason.toString(),
          "reason must be a text of 1 to "
              + MAX_REASON
              + " characters, got "
              + (reason == null ? "none" : BadInput.echo(reason.toString())));
    }
    return reason.asText();
  }

  /** The body as one JSON value (no trailing tokens, no duplicate keys). */
  private static JsonNode body(Request r, String expected) {
    if (r.body().length == 0) {
      throw BadInput.parameter("body", "", "the body is empty; " + expected);
    }
    try {
      return MAPPER.readTree(r.body());
    } catch (JacksonException e) {
      throw BadInput.parameter(
          "body",
          r.bodyAsString(),
          "the body is not valid JSON (" + e.getOriginalMessage() + "); " + expected);
    } catch (java.io.IOException e) {
      throw BadInput.parameter("body", null, "the body could not be read; " + expected);
    }
  }
}
