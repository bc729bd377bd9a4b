package io.bulwark.http.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.CorrelationIds;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.RequestOutcome;
import io.vertx.core.http.HttpServerRequest;

/**
 * The first stage, before a request gets an {@link Exchange}: a killed server closes the connection
 * unanswered; a request pipelined behind one that closes its connection is dropped unanswered (its
 * bytes may be a smuggled request); a connection over a limit, or HTTP/1.x framing that cannot be
 * trusted (see {@link Framing}), gets its refusal and the close.
 */
final class WireStage {
  private final ServerState state;

  WireStage(ServerState state) {
    this.state = state;
  }

  /** Returns true to pass the request on, false when it was refused or dropped here. */
  boolean pass(HttpServerRequest req, long startNanos) {
    if (state.killed()) {
      req.connection().close(); // a crashed server answers nothing
      return false;
    }
    if (state.connections.isClosing(req.connection())) {
      return false;
    }
    HttpProblem refusal = state.connections.refusal(req.connection());
    if (refusal == null) {
      refusal = Framing.problem(req);
    }
    if (refusal == null) {
      return true;
    }
    Exchange ex = new Exchange(state, req, startNanos, Context.root().withCorrelationId(idOf(req)));
    ex.problem(refusal, RequestOutcome.REJECTED, true);
    ex.finish(false);
    return false;
  }

  /** The caller's correlation id when it is well-formed, else a new one. */
  static String idOf(HttpServerRequest req) {
    String id = req.getHeader(ContextHeaders.CORRELATION_ID);
    return id != null && CorrelationIds.isValid(id) ? id : CorrelationIds.newId();
  }
}
