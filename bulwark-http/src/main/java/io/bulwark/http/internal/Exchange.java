package io.bulwark.http.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.telemetry.HopSpans;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.http.AccessLogEntry;
import io.bulwark.http.Admission;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Response;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One request in flight: answers it exactly once (the handler, the deadline timer and error paths
 * race; the first wins) and releases its admission permit exactly once when the work ends.
 */
final class Exchange implements io.vertx.core.Handler<Void> {
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("content-type");
  private static final CharSequence CORRELATION_ID =
      HttpHeaders.createOptimized(ContextHeaders.CORRELATION_ID);

  final HttpServerRequest req;
  final long startNanos;
  final String route;
  Context context;
  private final ServerEngine engine;
  private final io.vertx.core.Context eventLoop;
  private final String method;
  private final String path;
  long bytesIn;
  private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Exchange> ANSWERED =
      java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Exchange.class, "answered");
  private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Exchange> FINISHED =
      java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Exchange.class, "finished");
  private volatile int answered;
  private volatile int finished;
  private volatile int released;
  private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Exchange> RELEASED =
      java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Exchange.class, "released");
  private Admission.@Nullable Permit permit;
  volatile @Nullable Thread worker;
  volatile boolean handlerStarted;
  volatile @Nullable ScheduledTask deadlineTimer;

  /** Set on the event loop before any answer: the connection closes once this one is answered. */
  boolean closeAfterAnswer;

  private volatile int status;
  private volatile String outcome = "ok";
  private TelemetrySpan span = TelemetrySpan.none();

  Exchange(
      ServerEngine engine, HttpServerRequest req, long startNanos, String route, Context context) {
    this.eventLoop = java.util.Objects.requireNonNull(Vertx.currentContext(), "event-loop context");
    this.method = req.method().name();
    this.path = ServerEngine.pathOf(req);
    this.engine = engine;
    this.req = req;
    this.startNanos = startNanos;
    this.route = route;
    this.context = context;
  }

  ServerEngine engine() {
    return engine;
  }

  /** Starts the request's server span; the handler runs under (and sends on) its context. */
  void startSpan(Tracing tracing, @Nullable String matchedRoute) {
    span = HopSpans.server(tracing, context, method, matchedRoute, path);
    context = span.context();
  }

  void admitted(Admission.Permit permit) {
    this.permit = permit;
  }

  /**
   * The connection of a request whose handler runs on a virtual thread closed: after {@code kill()}
   * the handler is interrupted (its answer is never sent). A client that goes away on its own does
   * not interrupt it.
   */
  @Override
  public void handle(Void closed) {
    if (engine.killed()) {
      Thread w = worker;
      if (w != null) {
        w.interrupt();
      }
    }
  }

  /** Writes {@code response} unless something already answered or the server was killed. */
  boolean answer(Response response, byte[] body) {
    if (engine.killed() || !ANSWERED.compareAndSet(this, 0, 1)) {
      return false;
    }
    status = response.status();
    onContext(() -> write(response, body));
    return true;
  }

  private void write(Response response, byte[] body) {
    HttpServerResponse out = req.response().setStatusCode(response.status());
    Map<String, String> headers = response.headers();
    if (headers == Response.JSON_HEADERS) {
      out.putHeader(CONTENT_TYPE, JSON);
    } else {
      for (Map.Entry<String, String> h : headers.entrySet()) {
        out.putHeader(h.getKey(), h.getValue());
      }
    }
    putCorrelationId(out);
    end(out, Buffer.buffer(body), closeAfterAnswer);
  }

  /**
   * Vert.x 5 responses belong to their connection's event loop: a write from a handler thread or a
   * timer is handed to it (inline when already there).
   */
  private void onContext(Runnable write) {
    if (Vertx.currentContext() == eventLoop) {
      write.run();
    } else {
      eventLoop.runOnContext(v -> write.run());
    }
  }

  /** Writes a JSON problem unless something already answered. */
  boolean problem(HttpProblem p, String outcome) {
    return problem(p, outcome, false);
  }

  boolean problem(HttpProblem p, String outcome, boolean closeConnection) {
    if (engine.killed() || !ANSWERED.compareAndSet(this, 0, 1)) {
      return false;
    }
    this.status = p.status();
    this.outcome = outcome;
    onContext(() -> writeProblem(p, closeConnection));
    return true;
  }

  private void writeProblem(HttpProblem p, boolean closeConnection) {
    HttpServerResponse out = req.response().setStatusCode(p.status());
    out.putHeader(CONTENT_TYPE, JSON);
    String retryAfter = p.retryAfter();
    if (retryAfter != null) {
      out.putHeader("retry-after", retryAfter);
    }
    putCorrelationId(out);
    byte[] body = Json.errorBody(p.status(), p.code(), p.getMessage(), context.correlationId());
    end(out, Buffer.buffer(body), closeConnection || closeAfterAnswer);
  }

  /**
   * Ends the answer; {@code refuseRest} stops the exchange there. On HTTP/1.x that closes the
   * connection (announced by {@code connection: close}). On HTTP/2 the connection is shared by
   * other streams and {@code connection} is a forbidden header (RFC 9113 §8.2.2): only this stream
   * is refused, with RST_STREAM(NO_ERROR) after the answer if the client is still sending its body
   * (RFC 9113 §8.1).
   */
  private void end(HttpServerResponse out, Buffer body, boolean refuseRest) {
    if (!refuseRest) {
      out.end(body);
    } else if (req.version() == HttpVersion.HTTP_2) {
      out.end(body)
          .onComplete(
              v -> {
                if (!req.isEnded()) {
                  out.reset(0);
                }
              });
    } else {
      out.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      engine.closing(req.connection());
      out.end(body).onComplete(v -> req.connection().close());
    }
  }

  private void putCorrelationId(HttpServerResponse out) {
    String id = context.correlationId();
    if (id != null) {
      out.putHeader(CORRELATION_ID, id);
    }
  }

  /** The work for this request is over (answered or not): release, log, count down. */
  void finish(boolean dropped) {
    if (!FINISHED.compareAndSet(this, 0, 1)) {
      return;
    }
    ScheduledTask timer = deadlineTimer;
    if (timer != null) {
      timer.cancel();
    }
    long latency = engine.clock().nanoTime() - startNanos;
    Admission.Permit p = permit;
    releasePermit(latency, dropped);
    HopSpans.serverDone(span, status);
    if (engine.logs()) {
      log(latency);
    }
    if (p != null) {
      engine.requestDone();
    }
  }

  private void log(long latency) {
    engine.log(
        new AccessLogEntry(
            method,
            path,
            route,
            status,
            latency,
            bytesIn,
            context.correlationId(),
            context.criticality(),
            outcome));
  }

  /**
   * Gives the admission permit back (once): called as soon as the handler's work is done, before
   * its answer is written, so a caller that has its answer never finds the permit still held.
   */
  void releasePermit(long latencyNanos, boolean dropped) {
    Admission.Permit p = permit;
    if (p != null && RELEASED.compareAndSet(this, 0, 1)) {
      p.release(latencyNanos, dropped);
    }
  }

  void outcome(String outcome) {
    this.outcome = outcome;
  }
}
