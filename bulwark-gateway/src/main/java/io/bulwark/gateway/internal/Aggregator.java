package io.bulwark.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.time.Clock;
import io.bulwark.gateway.TrafficConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A backend-for-frontend route at run time: every part is requested at once (Vert.x futures on the
 * client connection's event loop, nothing blocks), each with its own timeout and a deadline header
 * of that timeout, the correlation id and the trace; the answer is one JSON object with a member
 * per part. A required part that fails ends the exchange at once (504 on its timeout, 502
 * otherwise, with a JSON problem naming the part) and cancels the others; an optional one is left
 * out and named in {@code "_partial"}.
 */
final class Aggregator {
  private static final ObjectMapper JSON = new ObjectMapper();

  final TrafficConfig.Aggregate config;
  private final Map<String, ClusterRuntime> clusters;
  private final Vertx vertx;
  private final Clock clock;
  private final ContextHeaders headers;

  Aggregator(
      TrafficConfig.Aggregate config,
      Map<String, ClusterRuntime> clusters,
      Vertx vertx,
      Clock clock) {
    this.config = config;
    this.clusters = clusters;
    this.vertx = vertx;
    this.clock = clock;
    this.headers = ContextHeaders.builder().clock(clock).build();
  }

  /**
   * Runs one aggregate request and answers it on {@code resp}.
   *
   * @param params the route template's segment values
   * @param query the request's query string (passed to every part), or null
   * @param context the request's context (trace, correlation id)
   * @param clientDeadlineNanos when the client's {@code bulwark-deadline} expires (on the injected
   *     clock's {@code nanoTime}), or {@link #NO_DEADLINE}: it caps every part's timeout and the
   *     deadline each part is sent, as it caps a proxied route's attempts
   * @param finished called once with the status sent (and why, for a failure)
   */
  void run(
      Map<String, String> params,
      @Nullable String query,
      Context context,
      String correlationId,
      long clientDeadlineNanos,
      HttpServerResponse resp,
      BiConsumer<Integer, @Nullable String> finished) {
    new Run(params, query, context, correlationId, clientDeadlineNanos, resp, finished).start();
  }

  /** No client deadline: each part has its own timeout only. */
  static final long NO_DEADLINE = Long.MIN_VALUE;

  private final class Run {
    final Map<String, String> params;
    final @Nullable String query;
    final Context context;
    final String correlationId;
    final long clientDeadlineNanos;
    final HttpServerResponse resp;
    final BiConsumer<Integer, @Nullable String> finished;
    final Map<String, JsonNode> results = new LinkedHashMap<>();
    final List<String> partial = new ArrayList<>();
    final List<HttpClientRequest> open = new ArrayList<>();
    final List<Long> timers = new ArrayList<>();
    int pending;
    boolean over;

    Run(
        Map<String, String> params,
        @Nullable String query,
        Context context,
        String correlationId,
        long clientDeadlineNanos,
        HttpServerResponse resp,
        BiConsumer<Integer, @Nullable String> finished) {
      this.params = params;
      this.query = query;
      this.context = context;
      this.correlationId = correlationId;
      this.clientDeadlineNanos = clientDeadlineNanos;
      this.resp = resp;
      this.finished = finished;
    }

    void start() {
      pending = config.parts().size();
      for (TrafficConfig.Part p : config.parts().values()) {
        call(p);
      }
    }

    private void call(TrafficConfig.Part part) {
      ClusterRuntime cluster = clusters.get(part.cluster());
      ClusterRuntime.Target t = cluster == null ? null : cluster.pick(null);
      if (cluster == null || t == null) {
        failed(part, false, "cluster " + part.cluster() + " has no usable endpoint");
        return;
      }
      long start = clock.nanoTime();
      // the client's deadline caps the part's timeout when it is the earlier one
      long budgetNanos = part.timeout().toNanos();
      boolean clientBinds =
          clientDeadlineNanos != NO_DEADLINE && clientDeadlineNanos - start < budgetNanos;
      if (clientBinds) {
        budgetNanos = clientDeadlineNanos - start;
      }
      String timedOut =
          clientBinds
              ? "no answer within the client's " + ContextHeaders.DEADLINE
              : "no answer within " + part.timeout();
      if (budgetNanos < 1_000_000) { // under a millisecond left: not worth a call
        failed(part, true, timedOut);
        return;
      }
      Duration budget = Duration.ofNanos(budgetNanos);
      boolean[] settled = {false};
      t.state().onStart();
      long timer =
          vertx.setTimer(
              budget.toMillis(),
              id -> {
                if (!settled[0]) {
                  settled[0] = true;
                  long latency = clock.nanoTime() - start;
                  cluster.record(t, false, latency);
                  cluster.red.record(Outcome.TIMEOUT, latency);
                  failed(part, true, timedOut);
                }
              });
      timers.add(timer);
      RequestOptions o =
          new RequestOptions()
              .setMethod(HttpMethod.GET)
              .setServer(t.server())
              .setHost(cluster.verifiedHost(t))
              .setPort(t.port())
              .setURI(uri(part));
      cluster
          .client
          .request(o)
          .onComplete(
              ar -> {
                if (settled[0] || over) {
                  if (ar.succeeded()) {
                    ar.result().reset();
                  }
                  return;
                }
                if (ar.failed()) {
                  settled[0] = true;
                  settle(cluster, t, start, false);
                  failed(part, false, "connect failed: " + ar.cause().getMessage());
                  return;
                }
                HttpClientRequest req = ar.result();
                open.add(req);
                Context sent =
                    context
                        .withCorrelationId(correlationId)
                        .withDeadline(Deadline.after(budget, clock));
                headers.inject(sent, req::putHeader);
                req.putHeader("accept", "application/json");
                req.response()
                    .onComplete(
                        rr -> {
                          if (settled[0] || over) {
                            return;
                          }
                          if (rr.failed()) {
                            settled[0] = true;
                            settle(cluster, t, start, false);
                            failed(part, false, String.valueOf(rr.cause().getMessage()));
                          } else {
                            read(part, cluster, t, start, settled, rr.result());
                          }
                        });
                req.end();
              });
    }

    private void read(
        TrafficConfig.Part part,
        ClusterRuntime cluster,
        ClusterRuntime.Target t,
        long start,
        boolean[] settled,
        HttpClientResponse r) {
      int status = r.statusCode();
      Buffer body = Buffer.buffer();
      r.handler(
          chunk -> {
            if (settled[0]) {
              return;
            }
            if (body.length() + (long) chunk.length() > config.maxPartBytes()) {
              settled[0] = true;
              settle(cluster, t, start, true);
              r.request().reset();
              failed(part, false, "answer exceeds max-part-bytes " + config.maxPartBytes());
              return;
            }
            body.appendBuffer(chunk);
          });
      r.exceptionHandler(
          e -> {
            if (!settled[0]) {
              settled[0] = true;
              settle(cluster, t, start, false);
              failed(part, false, String.valueOf(e.getMessage()));
            }
          });
      r.endHandler(
          v -> {
            open.remove(r.request());
            if (settled[0]) {
              return;
            }
            settled[0] = true;
            settle(cluster, t, start, status < 500);
            if (status >= 400) {
              failed(part, false, "answered " + status);
              return;
            }
            JsonNode node;
            try {
              node = JSON.readTree(body.getBytes());
            } catch (IOException e) {
              failed(part, false, "answer is not JSON");
              return;
            }
            if (node == null || node.isMissingNode()) {
              failed(part, false, "answer is empty, not JSON");
              return;
            }
            results.put(part.name(), node);
            done();
          });
    }

    private void settle(ClusterRuntime cluster, ClusterRuntime.Target t, long start, boolean ok) {
      long latency = clock.nanoTime() - start;
      cluster.record(t, ok, latency);
      cluster.red.record(ok ? Outcome.SUCCESS : Outcome.ERROR, latency);
    }

    private void failed(TrafficConfig.Part part, boolean timeout, String why) {
      if (over) {
        return;
      }
      if (part.required()) {
        over = true;
        cancel();
        int status = timeout ? 504 : 502;
        String body =
            "{\"type\":\"urn:bulwark:gateway:part-failed\",\"status\":"
                + status
                + ",\"part\":"
                + Proxy.jsonString(part.name())
                + ",\"detail\":"
                + Proxy.jsonString("required part " + part.name() + " failed: " + why)
                + "}";
        send(status, "application/problem+json", body);
        finished.accept(status, "required part " + part.name() + " failed: " + why);
        return;
      }
      partial.add(part.name());
      done();
    }

    private void done() {
      if (over || --pending > 0) {
        return;
      }
      over = true;
      cancel();
      ObjectNode out = JSON.createObjectNode();
      for (TrafficConfig.Part p : config.parts().values()) {
        JsonNode n = results.get(p.name());
        if (n != null) {
          out.set(p.name(), n);
        }
      }
      if (!partial.isEmpty()) {
        ArrayNode a = out.putArray("_partial");
        partial.forEach(a::add);
      }
      send(200, "application/json", out.toString());
      finished.accept(200, null);
    }

    private void cancel() {
      timers.forEach(vertx::cancelTimer);
      for (HttpClientRequest r : open) {
        r.reset();
      }
    }

    private void send(int status, String type, String body) {
      if (resp.ended() || resp.closed()) {
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      resp.setStatusCode(status)
          .putHeader("content-type", type)
          .putHeader("content-length", Integer.toString(bytes.length))
          .end(Buffer.buffer(bytes));
    }

    private String uri(TrafficConfig.Part part) {
      String p = path(part);
      return query == null ? p : p + (p.indexOf('?') >= 0 ? "&" : "?") + query;
    }

    private String path(TrafficConfig.Part part) {
      String p = part.path();
      for (Map.Entry<String, String> e : params.entrySet()) {
        p = p.replace("{" + e.getKey() + "}", segment(e.getValue()));
      }
      return p;
    }
  }

  /**
   * A template value (a raw, still percent-encoded path segment) made safe in a path or a query:
   * escapes are kept as they are, every other character outside the unreserved set and a few
   * harmless sub-delimiters is percent-encoded, so a value can never add a query parameter ({@code
   * &}, {@code =}), a fragment or a path separator to a part's URI.
   */
  static String segment(String raw) {
    StringBuilder b = new StringBuilder(raw.length());
    for (byte x : raw.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "-._~%!$'()*,:@".indexOf(c) >= 0) {
        b.append((char) c);
      } else {
        b.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return b.toString();
  }
}
