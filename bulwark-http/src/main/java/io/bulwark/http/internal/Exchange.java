package io.bulwark.http.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.CorrelationIds;
import io.bulwark.core.context.TraceContext;
import io.bulwark.core.telemetry.HopSpans;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.http.AccessLogEntry;
import io.bulwark.http.Admission;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.RequestOutcome;
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
 * race; the first wins) and releases its admission permits exactly once when the work ends. The
 * filter stages fill it in on the event loop, in their order (context, route, permits), before the
 * handler's thread sees it.
 */
final class Exchange
    implements io.vertx.core.Handler<Void>,
        java.util.function.Function<String, @Nullable String>,
        PeerAddress,
        Runnable,
        java.util.concurrent.Callable<Response> {
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("content-type");
  private static final CharSequence CORRELATION_ID =
      HttpHeaders.createOptimized(ContextHeaders.CORRELATION_ID);

  final HttpServerRequest req;
  final long startNanos;
  String route = "-";
  RouteTable.@Nullable Match match;

  /** Whether the route is a system route (metrics): no shedding, deadlines or span. */
  boolean system;

  /** Whether the request is counted in flight (set and cleared on the event loop only). */
  private boolean counted;

  Context context;
  private final ServerState state;
  private final io.vertx.core.Context eventLoop;
  private final io.netty.channel.EventLoop loop;
  private final String method;
  private final String path;
  long bytesIn;
  private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Exchange> ANSWERED =
      java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Exchange.class, "answered");
  private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Exchange> FINISHED =
      java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Exchange.class, "finished");

  // read and written only through the field updaters above and below
  @SuppressWarnings("UnusedVariable")
  private volatile int answered;

  @SuppressWarnings("UnusedVariable")
  private volatile int finished;

  @SuppressWarnings("UnusedVariable")
  private volatile int released;

  private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Exchange> RELEASED =
      java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Exchange.class, "released");
  private Admission.@Nullable Permit permit;
  private Admission.@Nullable Permit routePermit;
  volatile @Nullable Thread worker;
  volatile boolean handlerStarted;
  volatile @Nullable ScheduledTask deadlineTimer;

  /** Set on the event loop before any answer: the connection closes once this one is answered. */
  boolean closeAfterAnswer;

  private volatile int status;
  private volatile RequestOutcome outcome = RequestOutcome.OK;
  private TelemetrySpan span = TelemetrySpan.none();

  Exchange(ServerState state, HttpServerRequest req, long startNanos, Context context) {
    this.eventLoop = java.util.Objects.requireNonNull(Vertx.currentContext(), "event-loop context");
    this.loop = ((io.vertx.core.internal.ContextInternal) eventLoop).nettyEventLoop();
    this.method = req.method().name();
    this.path = ServerState.pathOf(req);
    this.state = state;
    this.req = req;
    this.startNanos = startNanos;
    this.context = context;
  }

  /**
   * The request header {@code name} (case-insensitive), the lookup the context extraction and the
   * handler's {@link io.bulwark.http.Request} read headers through: one per exchange, not a new
   * function per use.
   */
  @Override
  public @Nullable String apply(String name) {
    return req.headers().get(RequestHeaders.key(name));
  }

  private @Nullable HandlerRunner runner;
  private static final byte[] NO_BODY = new byte[0];
  private byte[] body = NO_BODY;

  /**
   * Sets the handler work this exchange runs as its virtual thread's task ({@link #run}): the
   * exchange is the task, no wrapper object per request.
   */
  void handOff(HandlerRunner runner, byte[] body) {
    this.runner = runner;
    this.body = body;
  }

  /**
   * The answer a handler thread handed to the event loop ({@link #answer}), written by {@link #run}
   * on the loop. Written before the hand-off and read after it: the loop's task queue orders them.
   */
  private @Nullable Response pendingAnswer;

  private byte[] pendingBody = NO_BODY;

  /**
   * Two tasks in one object (no wrapper per request): on the handler thread, runs the routed
   * handler set by {@link #handOff}; on the event loop, once the handler thread handed its answer
   * over ({@link #answer}), writes that answer.
   */
  @Override
  public void run() {
    Response answer = pendingAnswer;
    if (answer != null) {
      pendingAnswer = null;
      write(answer, pendingBody);
      return;
    }
    HandlerRunner r = java.util.Objects.requireNonNull(runner, "handed off");
    r.run(this, java.util.Objects.requireNonNull(match, "routed"), body);
  }

  private io.bulwark.http.@Nullable Request handlerRequest;
  private RouteTable.@Nullable Match handlerMatch;

  /**
   * This exchange as the callable that runs {@code match}'s handler on {@code request} (see {@link
   * #call}): no callable object per request.
   */
  java.util.concurrent.Callable<Response> handlerCall(
      io.bulwark.http.Request request, RouteTable.Match match) {
    this.handlerRequest = request;
    this.handlerMatch = match;
    return this;
  }

  /**
   * The handler call set by {@link #handlerCall}: marks the handler started (a rejection before
   * this point is told from one by a dependency inside the handler), then runs it.
   */
  @Override
  public Response call() throws Exception {
    handlerStarted = true;
    return java.util.Objects.requireNonNull(handlerMatch, "handler call")
        .handler()
        .handle(java.util.Objects.requireNonNull(handlerRequest, "handler call"));
  }

  /** The connection's Netty event loop: the exchange's answer is written there. */
  io.netty.channel.EventLoop loop() {
    return loop;
  }

  /** Whether the server was killed: nothing more is answered. */
  boolean killed() {
    return state.killed();
  }

  long nanoTime() {
    return state.clock.nanoTime();
  }

  /**
   * Starts the request's server span under the caller's context; the handler runs under (and sends
   * on) the span's trace. A request without a correlation id gets a new one here, in the same
   * context object as the trace: one context per request, and none made for the span itself.
   */
  void startSpan(Tracing tracing, RouteTable.@Nullable Match matched) {
    span =
        matched == null
            ? HopSpans.server(tracing, context, method, null, path)
            : HopSpans.server(
                tracing, context, method, matched.template(), path, matched.spanName(method));
    TraceContext trace = span.trace();
    if (context.correlationId() == null) {
      context = context.withCorrelationIdAndTrace(CorrelationIds.newId(), trace);
    } else if (trace != null) {
      context = context.withTrace(trace);
    }
  }

  /**
   * The request holds the server-wide permit and (if its route has an admission of its own) the
   * route's permit; from here on it counts as in flight until {@link #finish}.
   */
  void admitted(Admission.Permit permit, Admission.@Nullable Permit routePermit) {
    this.routePermit = routePermit;
    this.permit = permit;
  }

  /**
   * The connection of a request whose handler runs on a virtual thread closed: after {@code kill()}
   * the handler is interrupted (its answer is never sent). A client that goes away on its own does
   * not interrupt it.
   */
  @Override
  public void handle(Void closed) {
    if (state.killed()) {
      Thread w = worker;
      if (w != null) {
        w.interrupt();
      }
    }
  }

  /** Writes {@code response} unless something already answered or the server was killed. */
  boolean answer(Response response, byte[] body) {
    if (state.killed() || !ANSWERED.compareAndSet(this, 0, 1)) {
      return false;
    }
    status = response.status();
    if (onEventLoop()) {
      write(response, body); // a non-blocking route: already on the connection's event loop
    } else {
      // a handler thread: the answer is handed to the connection's Netty event loop as this
      // exchange's task (see run), with no Vert.x dispatch wrapper around it (the response is
      // used on its own loop thread, which is all Vert.x requires of it)
      pendingBody = body;
      pendingAnswer = response;
      loop.execute(this);
    }
    return true;
  }

  /**
   * A chaos fault on the answer's body (slow or truncated), set by {@link ServerFaults} on the
   * handler thread before the answer is handed to the event loop (the hand-off orders them).
   */
  private io.bulwark.core.fault.@Nullable FaultAction bodyFault;

  private io.bulwark.core.time.@Nullable Scheduler faultScheduler;

  void bodyFault(io.bulwark.core.fault.FaultAction fault, io.bulwark.core.time.Scheduler pacing) {
    this.bodyFault = fault;
    this.faultScheduler = pacing;
  }

  /** Tags this request's server span with the chaos fault applied to it. */
  void tagFault(io.bulwark.core.fault.FaultTag tag) {
    tag.tag(span);
    this.faultTag = tag;
  }

  /** The chaos fault applied to this request, if any (its cohort labels the request). */
  private io.bulwark.core.fault.@Nullable FaultTag faultTag;

  /** Where a connection's verified workload identity is kept once read (its TLS session). */
  private static final String PEER_KEY = "io.bulwark.http.peer";

  /** Kept for a connection whose certificate names no workload. */
  private static final Object NO_PEER = new Object();

  /**
   * The workload named by the peer's verified certificate: read from the connection's TLS session
   * once, then kept in that session for the connection's later requests.
   */
  @Override
  public io.bulwark.core.identity.@Nullable WorkloadIdentity peerIdentity() {
    if (!req.isSSL()) {
      return null;
    }
    javax.net.ssl.SSLSession session = req.connection().sslSession();
    if (session == null) {
      return null;
    }
    Object kept = session.getValue(PEER_KEY);
    if (kept instanceof io.bulwark.core.identity.WorkloadIdentity id) {
      return id;
    }
    if (kept != null) {
      return null;
    }
    io.bulwark.core.identity.WorkloadIdentity id = null;
    try {
      java.security.cert.Certificate[] chain = session.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate leaf) {
        id = io.bulwark.core.identity.WorkloadIdentity.of(leaf);
      }
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      id = null; // no client certificate was asked for or given
    }
    session.putValue(PEER_KEY, id == null ? NO_PEER : id);
    return id;
  }

  /** The address of the peer that sent this request (host only), or null if unknown. */
  @Override
  public @Nullable String remoteHost() {
    io.vertx.core.net.SocketAddress a = req.remoteAddress();
    return a == null ? null : a.hostAddress();
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
    io.bulwark.core.fault.FaultAction fault = bodyFault;
    io.bulwark.core.time.Scheduler pacing = faultScheduler;
    if (fault != null && pacing != null) {
      writeFaulted(out, body, fault, pacing);
      return;
    }
    end(out, Buffer.buffer(body), closeAfterAnswer);
  }

  /**
   * A truncated body: the full length is announced, only the kept bytes are sent, then the
   * connection (HTTP/2: the stream) is cut. A slow body: sent in chunks of a tenth of the rate,
   * paced on the fault's scheduler.
   */
  private void writeFaulted(
      HttpServerResponse out,
      byte[] body,
      io.bulwark.core.fault.FaultAction fault,
      io.bulwark.core.time.Scheduler pacing) {
    if (fault instanceof io.bulwark.core.fault.FaultAction.TruncateBody t
        && t.keepBytes() < body.length) {
      out.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length));
      Buffer kept = Buffer.buffer(java.util.Arrays.copyOf(body, t.keepBytes()));
      out.write(kept)
          .onComplete(
              v -> {
                if (req.version() == HttpVersion.HTTP_2) {
                  out.reset(0);
                } else {
                  req.connection().close();
                }
              });
    } else if (fault instanceof io.bulwark.core.fault.FaultAction.SlowBody slow
        && body.length > 0) {
      out.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length));
      int chunk = (int) Math.max(1, Math.min((long) body.length, slow.bytesPerSecond() / 10));
      long intervalNanos = chunk * 1_000_000_000L / slow.bytesPerSecond();
      writeSlowly(out, body, 0, chunk, intervalNanos, pacing);
    } else {
      end(out, Buffer.buffer(body), closeAfterAnswer);
    }
  }

  private void writeSlowly(
      HttpServerResponse out,
      byte[] body,
      int from,
      int chunk,
      long intervalNanos,
      io.bulwark.core.time.Scheduler pacing) {
    if (out.closed()) {
      return;
    }
    int to = Math.min(body.length, from + chunk);
    Buffer part = Buffer.buffer(java.util.Arrays.copyOfRange(body, from, to));
    if (to == body.length) {
      end(out, part, closeAfterAnswer);
      return;
    }
    out.write(part);
    pacing.schedule(
        intervalNanos,
        () ->
            eventLoop.runOnContext(v -> writeSlowly(out, body, to, chunk, intervalNanos, pacing)));
  }

  /**
   * Vert.x 5 responses belong to their connection's event loop: a write from a handler thread or a
   * timer is handed to it (inline when already there).
   */
  private void onContext(Runnable write) {
    if (onEventLoop()) {
      write.run();
    } else {
      eventLoop.runOnContext(v -> write.run());
    }
  }

  /** The server this request came to. */
  ServerState server() {
    return state;
  }

  /** Runs {@code task} on the connection's event loop (from a timer). */
  void onLoop(Runnable task) {
    eventLoop.runOnContext(v -> task.run());
  }

  /**
   * Whether this runs on the connection's event loop. A virtual thread never does, and is told so
   * without asking Vert.x: its current-context look-up on a thread of its own would give every new
   * handler thread a thread-local map.
   */
  private boolean onEventLoop() {
    return !Thread.currentThread().isVirtual() && Vertx.currentContext() == eventLoop;
  }

  /** Writes a JSON problem unless something already answered. */
  boolean problem(HttpProblem p, RequestOutcome outcome) {
    return problem(p, outcome, false);
  }

  boolean problem(HttpProblem p, RequestOutcome outcome, boolean closeConnection) {
    if (state.killed() || !ANSWERED.compareAndSet(this, 0, 1)) {
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
  private void end(HttpServerResponse out, Buffer answer, boolean refuseRest) {
    Buffer body = answer;
    if (req.version() == HttpVersion.HTTP_2
        && io.vertx.core.http.HttpMethod.HEAD.equals(req.method())) {
      // a HEAD answer has the GET answer's headers and no content (RFC 9110 §9.3.2); Vert.x
      // leaves this to the server on HTTP/2, where a DATA frame on a HEAD stream is a protocol
      // error to the client
      int status = out.getStatusCode();
      if (status != 204 && status != 304 && !out.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
        out.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(answer.length()));
      }
      body = Buffer.buffer();
    }
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
      state.closing(req.connection());
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
    long latency = state.clock.nanoTime() - startNanos;
    releasePermits(dropped);
    HopSpans.serverDone(span, status);
    if (state.logs()) {
      log(latency);
    }
    uncount();
  }

  private void log(long latency) {
    state.log(
        new AccessLogEntry(
            method,
            path,
            route,
            status,
            latency,
            bytesIn,
            context.correlationId(),
            context.criticality(),
            outcome,
            faultTag != null
                ? io.bulwark.core.fault.ChaosCohort.of(faultTag)
                : io.bulwark.core.fault.ChaosCohort.of(context)));
  }

  /**
   * Gives the admission permits back (once): called as soon as the handler's work is done, before
   * its answer is written, so a caller that has its answer never finds a permit still held.
   */
  void releasePermits(boolean dropped) {
    Admission.Permit p = permit;
    if (p != null && RELEASED.compareAndSet(this, 0, 1)) {
      p.release(dropped);
      Admission.Permit r = routePermit;
      if (r != null) {
        r.release(dropped);
      }
    }
  }

  /**
   * Counts the request in flight: from here on shutdown waits for it. Counting comes before the
   * look at draining, so that shutdown either sees this request or it sees draining.
   */
  void count() {
    state.requestStarted();
    counted = true;
  }

  private void uncount() {
    if (counted) {
      counted = false;
      state.requestDone();
    }
  }

  /** Answers {@code p} and ends the exchange (nothing was admitted, or it is released here). */
  void refuse(HttpProblem p, RequestOutcome outcome) {
    problem(p, outcome);
    finish(false);
  }

  /**
   * Refuses a request before its body is read. If body bytes are still to come, the answer closes
   * the connection: the server would otherwise go on reading a body it has refused to handle.
   */
  void refuseUnread(HttpProblem p, RequestOutcome outcome) {
    uncount();
    problem(p, outcome, BodyStage.bodyFollows(req));
    finish(false);
  }
}
