package io.bulwark.http.internal;

import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.resilience.Pipeline;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * Calls a route's handler with the request's context bound and, except on system routes, through
 * the server's inbound {@link Pipeline}. Marks the exchange once the handler itself has started, so
 * that a rejection before it is told from one by a dependency inside it. Costs the request object
 * per request (and one callable with a pipeline): the exchange is the handler's callable.
 */
final class HandlerCall {
  private final @Nullable Pipeline pipeline;

  HandlerCall(@Nullable Pipeline pipeline) {
    this.pipeline = pipeline;
  }

  Response invoke(Exchange ex, RouteTable.Match match, byte[] body) throws Exception {
    Request request =
        new Request(
            ex.req.method().name(),
            ServerState.pathOf(ex.req),
            ex.req.query(),
            match.template(),
            match.params(),
            ex,
            body,
            ex.context,
            Json.MAPPER);
    Callable<Response> handler = ex.handlerCall(request, match);
    Pipeline p = ex.system ? null : pipeline;
    return ex.context.call(p == null ? handler : () -> p.call(handler));
  }
}
