package io.bulwark.http.internal;

import io.bulwark.core.context.ContextHeaders;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * Answers the health probes ahead of every other stage, so that no filter (shedding, deadlines,
 * draining) can fail them: {@code GET|HEAD /health/live} is 200 while the process serves, {@code
 * /health/ready} 200 only while {@code ready} holds, else 503. Probes are not logged.
 */
final class HealthStage {
  static final String LIVE = "/health/live";
  static final String READY = "/health/ready";
  private static final byte[] UP = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] DOWN = "{\"status\":\"DOWN\"}".getBytes(StandardCharsets.UTF_8);

  private final ServerState state;
  private final BooleanSupplier ready;

  HealthStage(ServerState state, BooleanSupplier ready) {
    this.state = state;
    this.ready = ready;
  }

  /** Returns true if {@code req} was a probe and is answered. */
  boolean answers(HttpServerRequest req) {
    HttpMethod method = req.method();
    if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
      return false;
    }
    String path = ServerState.pathOf(req);
    boolean live = path.equals(LIVE);
    if (!live && !path.equals(READY)) {
      return false;
    }
    answer(req, live || ready.getAsBoolean());
    return true;
  }

  private void answer(HttpServerRequest req, boolean up) {
    HttpServerResponse out =
        req.response()
            .setStatusCode(up ? 200 : 503)
            .putHeader("content-type", "application/json")
            .putHeader(ContextHeaders.CORRELATION_ID, WireStage.idOf(req));
    if (state.closesAfterAnswer(req)) {
      state.closing(req.connection());
      out.putHeader("connection", "close");
      out.end(Buffer.buffer(up ? UP : DOWN)).onComplete(v -> req.connection().close());
    } else {
      out.end(Buffer.buffer(up ? UP : DOWN));
    }
  }
}
