package io.bulwark.http.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.CorrelationIds;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.context.MalformedHeaderException;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import io.bulwark.core.time.SystemScheduler;
import io.bulwark.http.AccessLogEntry;
import io.bulwark.http.Admission;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.ServerConfig;
import io.bulwark.http.ServerListener;
import io.bulwark.resilience.Pipeline;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.KeyStoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's machinery behind {@link io.bulwark.http.BulwarkServer}: Vert.x server instances (one
 * per event loop, sharing the port), the filter chain on the event loop and the hand-off to a
 * virtual thread per request. See BulwarkServer for the guarantees.
 */
public final class ServerEngine {
  private static final Logger LOG = LoggerFactory.getLogger(ServerEngine.class);
  static final String LIVE = "/health/live";
  static final String READY = "/health/ready";
  private static final byte[] UP =
      "{\"status\":\"UP\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final byte[] DOWN =
      "{\"status\":\"DOWN\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  private static final byte[] EMPTY = new byte[0];
  private static final Admission.Permit NO_PERMIT = (latency, dropped) -> {};
  private static final AtomicInteger SHARED_RANDOM_PORT = new AtomicInteger();
  private final ServerConfig config;
  private final RouteTable routes;
  private final List<String> systemRoutes;
  private final Admission admission;
  private final @Nullable Pipeline pipeline;
  private final ServerListener listener;
  private final boolean logging;
  private final Clock clock;
  private final Scheduler scheduler;
  private final boolean ownsScheduler;
  private final BooleanSupplier readiness;
  private final Vertx vertx;
  private final boolean ownsVertx;
  private final int eventLoops;
  private final Tracing tracing;
  private final ContextHeaders contextHeaders;
  private final ThreadFactory handlers;
  private final HandlerRunner runner;
  private final List<HttpServer> servers = new ArrayList<>();
  private final java.util.concurrent.atomic.LongAdder inFlight =
      new java.util.concurrent.atomic.LongAdder();
  private final CountDownLatch drained = new CountDownLatch(1);
  private final ConnectionGuard connections;

  /** Whether every HTTP/1.x connection is under {@link Http1Guard} (plain HTTP only). */
  private volatile boolean guarded;

  private volatile boolean started;
  private volatile boolean draining;
  private volatile int port = -1;
  private int abandoned = -1;

  /** -1 until {@link #kill()}; then how many requests were running when it came. */
  private final AtomicInteger killed = new AtomicInteger(-1);

  public ServerEngine(
      ServerConfig config,
      RouteTable routes,
      List<String> systemRoutes,
      Admission admission,
      @Nullable Pipeline pipeline,
      ServerListener listener,
      Clock clock,
      @Nullable Scheduler scheduler,
      BooleanSupplier readiness,
      @Nullable Vertx vertx,
      int eventLoops,
      Tracing tracing) {
    this.config = config;
    this.routes = routes;
    this.systemRoutes = systemRoutes;
    this.admission = admission;
    this.pipeline = pipeline;
    this.listener = listener;
    this.logging = !(listener instanceof NoListener);
    this.clock = clock;
    this.ownsScheduler = scheduler == null;
    this.scheduler = scheduler == null ? Scheduler.system() : scheduler;
    this.readiness = readiness;
    this.ownsVertx = vertx == null;
    this.vertx =
        vertx == null ? Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops)) : vertx;
    this.eventLoops = eventLoops;
    this.tracing = tracing;
    this.connections = new ConnectionGuard(config);
    ContextHeaders.Builder ch =
        ContextHeaders.builder().clock(clock).maxDeadline(config.maxDeadline());
    if (config.defaultDeadline() != null) {
      ch.defaultDeadline(config.defaultDeadline());
    }
    this.contextHeaders = ch.build();
    this.handlers = Thread.ofVirtual().name("bulwark-handler").factory();
    this.runner =
        new HandlerRunner(this.scheduler, pipeline, clock, config.retryAfter(), this::isSystem);
  }

  Clock clock() {
    return clock;
  }

  public synchronized void start() {
    if (started) {
      return;
    }
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.host())
            .setMaxHeaderSize(config.maxHeaderSize())
            .setMaxInitialLineLength(config.maxInitialLineLength())
            .setHttp2ClearTextEnabled(true)
            .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis()))
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    Path keyStore = config.keyStore();
    if (keyStore != null) {
      options
          .setSsl(true)
          .setUseAlpn(true)
          .setKeyCertOptions(
              new KeyStoreOptions()
                  .setType("PKCS12")
                  .setPath(keyStore.toString())
                  .setPassword(config.keyStorePassword()));
    }
    boolean guard = keyStore == null && AcceptHook.available();
    if (guard) {
      connections.countAtAccept();
    }
    // a negative port is a random port shared by the servers that use the same negative value
    int bindPort = config.port() == 0 ? SHARED_RANDOM_PORT.decrementAndGet() : config.port();
    for (int i = 0; i < eventLoops; i++) {
      HttpServer server =
          vertx
              .createHttpServer(options)
              .connectionHandler(connections::opened)
              .requestHandler(this::handle)
              .invalidRequestHandler(this::invalid)
              .exceptionHandler(e -> LOG.debug("connection error", e));
      HttpServer bound = await(server.listen(bindPort, config.host()));
      port = bound.actualPort();
      servers.add(server);
    }
    guarded =
        guard
            && servers.stream()
                .allMatch(s -> AcceptHook.attach(s, config, options, scheduler, connections));
    if (guard && !guarded) {
      connections.countAtFirstRequest();
    }
    if (keyStore == null && !guarded) {
      LOG.warn(
          "HTTP/1.x wire guard not installed on port {}: no request-head timeout, and every"
              + " chunked HTTP/1.1 request closes its connection",
          port);
    }
    started = true;
  }

  public int port() {
    return port;
  }

  public int inFlight() {
    return (int) inFlight.sum();
  }

  public boolean isReady() {
    return started && !draining && !killed() && readiness.getAsBoolean();
  }

  /** Whether {@link #kill()} has come: nothing more is answered. */
  boolean killed() {
    return killed.get() >= 0;
  }

  // ---- the filter chain (event loop) ----

  private void handle(HttpServerRequest req) {
    if (killed()) {
      req.connection().close(); // a crashed server answers nothing
      return;
    }
    if (connections.isClosing(req.connection())) {
      return; // a request pipelined behind one that closes its connection is never answered
    }
    long start = clock.nanoTime();
    String path = pathOf(req);
    String method = req.method().name();
    HttpProblem refusal = connections.refusal(req.connection());
    if (refusal == null) {
      refusal = Framing.problem(req);
    }
    if (refusal != null) {
      Exchange ex =
          new Exchange(this, req, start, "-", Context.root().withCorrelationId(newId(req)));
      ex.problem(refusal, "rejected", true);
      ex.finish(false);
      return;
    }
    boolean head = req.method() == io.vertx.core.http.HttpMethod.HEAD;
    if ((head || method.equals("GET")) && (path.equals(LIVE) || path.equals(READY))) {
      health(req, path.equals(LIVE) || isReady());
      return;
    }
    RouteTable.Match match = routes.match(method, path);
    if (match == null && head) {
      // HEAD is GET without the body (RFC 9110 §9.3.2): Vert.x writes the headers only
      match = routes.match("GET", path);
    }
    Exchange ex =
        new Exchange(this, req, start, match == null ? "-" : match.template(), Context.root());
    // one connection, one framing: a chunked HTTP/1.1 body may have come with a content-length
    // that the decoder dropped, so the connection is not trusted for a next request (RFC 9112
    // §6.1: close after answering)
    ex.closeAfterAnswer = closesAfterAnswer(req);
    try {
      ex.context = contextHeaders.extract(req::getHeader);
    } catch (MalformedHeaderException e) {
      ex.context = Context.root().withCorrelationId(CorrelationIds.newId());
      reject(
          ex, HttpProblem.of(400, "malformed_header", String.valueOf(e.getMessage())), "rejected");
      return;
    }
    if (ex.context.correlationId() == null) {
      ex.context = ex.context.withCorrelationId(CorrelationIds.newId());
    }
    if (match == null || !isSystem(match)) {
      ex.startSpan(tracing, match == null ? null : match.template());
    }
    if (match == null) {
      List<String> allowed = routes.allowedMethods(path);
      HttpProblem p =
          allowed.isEmpty()
              ? HttpProblem.notFound("no route for " + path)
              : HttpProblem.of(
                  405,
                  "method_not_allowed",
                  "method " + method + " is not allowed on " + path + "; allowed: " + allowed);
      if (!allowed.isEmpty()) {
        req.response().putHeader("allow", String.join(", ", allowed));
      }
      reject(ex, p, "rejected");
      return;
    }
    boolean system = isSystem(match);
    // count first, then look at draining: shutdown either sees this request or it sees draining
    inFlight.increment();
    if (draining && !system) {
      requestDone();
      refuseUnread(
          ex, HttpProblem.unavailable("shutting_down", "server is shutting down", 1), "shed");
      return;
    }
    Deadline deadline = ex.context.deadline();
    if (deadline != null && !system && deadline.isExpired()) {
      requestDone();
      refuseUnread(ex, HandlerRunner.deadlineProblem(), "deadline");
      return;
    }
    Admission.Permit permit = system ? NO_PERMIT : admission.tryAcquire(ex.context.criticality());
    if (permit == null) {
      requestDone();
      refuseUnread(ex, runner.overloaded(ex), "shed");
      return;
    }
    ex.admitted(permit);
    readBody(ex, match);
  }

  private boolean isSystem(RouteTable.Match match) {
    return !systemRoutes.isEmpty() && systemRoutes.contains(match.template());
  }

  static String pathOf(HttpServerRequest req) {
    String p = req.path();
    return p == null ? "/" : p;
  }

  private void readBody(Exchange ex, RouteTable.Match match) {
    HttpServerRequest req = ex.req;
    String length = req.getHeader("content-length");
    if (length != null && tooLong(length)) {
      tooLarge(ex);
      return;
    }
    if (!bodyFollows(req)) {
      // no body can follow: answer at once, as a plain Vert.x handler would (the rest of the
      // request, if any, is consumed by Vert.x before the next request on the connection)
      dispatch(ex, match, EMPTY);
      return;
    }
    Buffer body = Buffer.buffer();
    req.handler(
        chunk -> {
          if (body.length() + chunk.length() > config.maxBodySize()) {
            tooLarge(ex);
          } else {
            body.appendBuffer(chunk);
          }
        });
    req.exceptionHandler(e -> ex.finish(true));
    req.endHandler(v -> dispatch(ex, match, body.getBytes()));
  }

  /** Whether request body bytes are still to come (not for a bodiless method without length). */
  private static boolean bodyFollows(HttpServerRequest req) {
    String length = req.getHeader("content-length");
    if (req.isEnded() || "0".equals(length)) {
      return false;
    }
    return length != null || (!bodiless(req.method()) && hasBody(req));
  }

  /**
   * Refuses a request before its body is read. If body bytes are still to come, the answer closes
   * the connection: the server would otherwise go on reading a body it has refused to handle.
   */
  private void refuseUnread(Exchange ex, HttpProblem p, String outcome) {
    if (bodyFollows(ex.req)) {
      ex.problem(p, outcome, true);
      ex.finish(false);
    } else {
      reject(ex, p, outcome);
    }
  }

  /** Methods whose body (if a client sent one anyway) has no meaning and is not read. */
  private static boolean bodiless(io.vertx.core.http.HttpMethod m) {
    return m == io.vertx.core.http.HttpMethod.GET
        || m == io.vertx.core.http.HttpMethod.HEAD
        || m == io.vertx.core.http.HttpMethod.OPTIONS
        || m == io.vertx.core.http.HttpMethod.DELETE;
  }

  private static boolean hasBody(HttpServerRequest req) {
    return req.version() == io.vertx.core.http.HttpVersion.HTTP_2
        || req.getHeader("transfer-encoding") != null;
  }

  private boolean tooLong(String length) {
    try {
      return Long.parseLong(length.strip()) > config.maxBodySize();
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private void tooLarge(Exchange ex) {
    ex.req.handler(null);
    ex.req.endHandler(null);
    ex.problem(
        HttpProblem.of(
            413,
            "body_too_large",
            "request body exceeds the limit of " + config.maxBodySize() + " bytes"),
        "rejected",
        true);
    ex.finish(false);
  }

  private void dispatch(Exchange ex, RouteTable.Match match, byte[] body) {
    if (body != EMPTY && ex.req.response().ended()) {
      return;
    }
    ex.bytesIn = body.length;
    if (match.onEventLoop()) {
      runner.run(ex, match, body);
      return;
    }
    // a connection closed by kill() interrupts the handler (see Exchange#handle)
    ex.req.response().closeHandler(ex);
    handlers.newThread(() -> runner.run(ex, match, body)).start();
  }

  private void reject(Exchange ex, HttpProblem p, String outcome) {
    ex.problem(p, outcome);
    ex.finish(false);
  }

  private void health(HttpServerRequest req, boolean up) {
    HttpServerResponse out =
        req.response()
            .setStatusCode(up ? 200 : 503)
            .putHeader("content-type", "application/json")
            .putHeader(ContextHeaders.CORRELATION_ID, newId(req));
    if (closesAfterAnswer(req)) {
      closing(req.connection());
      out.putHeader("connection", "close");
      out.end(Buffer.buffer(up ? UP : DOWN)).onComplete(v -> req.connection().close());
    } else {
      out.end(Buffer.buffer(up ? UP : DOWN));
    }
  }

  /**
   * Whether the connection closes once this sound request is answered: only without the wire guard
   * (TLS ports, or see {@link AcceptHook#available()}), whose decoder keeps a {@code
   * content-length} sent beside {@code transfer-encoding: chunked} so that Framing refuses it;
   * without it the decoder drops the length unseen, so a chunked HTTP/1.1 connection is not trusted
   * for a next request.
   */
  private boolean closesAfterAnswer(HttpServerRequest req) {
    return !guarded && Framing.closesAfterAnswer(req);
  }

  /** The caller's correlation id when it is well-formed, else a new one. */
  private static String newId(HttpServerRequest req) {
    String id = req.getHeader(ContextHeaders.CORRELATION_ID);
    return id != null && CorrelationIds.isValid(id) ? id : CorrelationIds.newId();
  }

  /** Bad requests the HTTP decoder refused (oversized header block or request line, garbage). */
  private void invalid(HttpServerRequest req) {
    if (connections.isClosing(req.connection())) {
      return;
    }
    Throwable cause = req.decoderResult().cause();
    String name = cause == null ? "" : cause.getClass().getSimpleName();
    int status;
    String code;
    String message;
    if (cause instanceof StrictRequestDecoder.UnsupportedVersion) {
      status = 505;
      code = "http_version_not_supported";
      message = String.valueOf(cause.getMessage());
    } else if (name.contains("TooLongHttpHeader") || name.contains("TooLongHeader")) {
      status = 431;
      code = "headers_too_large";
      message = "request headers exceed the limit of " + config.maxHeaderSize() + " bytes";
    } else if (name.contains("TooLongHttpLine") || name.contains("TooLongFrame")) {
      status = 414;
      code = "request_line_too_long";
      message = "request line exceeds the limit of " + config.maxInitialLineLength() + " bytes";
    } else {
      status = 400;
      code = "malformed_request";
      message = "malformed HTTP request";
    }
    String id = CorrelationIds.newId();
    Exchange ex =
        new Exchange(this, req, clock.nanoTime(), "-", Context.root().withCorrelationId(id));
    ex.problem(HttpProblem.of(status, code, message), "rejected", true);
    ex.finish(false);
  }

  /**
   * Marks an HTTP/1.x connection that closes after its current answer: requests already pipelined
   * behind it are dropped unanswered (their bytes may be a smuggled request).
   */
  void closing(io.vertx.core.http.HttpConnection connection) {
    connections.markClosing(connection);
  }

  /** False when nobody listens, so that no log entry is built. */
  boolean logs() {
    return logging;
  }

  void log(AccessLogEntry entry) {
    try {
      listener.onRequest(entry);
    } catch (RuntimeException e) {
      LOG.debug("server listener threw", e);
    }
  }

  void requestDone() {
    inFlight.decrement();
    if (draining && inFlight.sum() == 0) {
      drained.countDown();
    }
  }

  // ---- shutdown ----

  public synchronized int shutdown() {
    if (abandoned >= 0) {
      return abandoned;
    }
    if (killed()) {
      return killed.get();
    }
    draining = true;
    int atStart = inFlight();
    notifyDrain(true, atStart);
    long budgetMillis = config.drainBudget().toMillis();
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer s : servers) {
      closing.add(s.shutdown(budgetMillis, TimeUnit.MILLISECONDS));
    }
    if (inFlight.sum() == 0) {
      drained.countDown();
    }
    try {
      drained.await(budgetMillis, TimeUnit.MILLISECONDS);
      for (Future<Void> f : closing) {
        f.toCompletionStage().toCompletableFuture().get(budgetMillis + 1000, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.debug("server close did not finish cleanly", e);
    }
    abandoned = inFlight();
    for (HttpServer s : servers) {
      s.close();
    }
    if (ownsScheduler && scheduler instanceof SystemScheduler s) {
      s.close();
    }
    if (ownsVertx) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        LOG.debug("vertx close failed", e);
      }
    }
    notifyDrain(false, abandoned);
    return abandoned;
  }

  // ---- kill ----

  /**
   * Crash: the listening sockets and every connection close at once, unanswered; handlers still
   * running are interrupted by their connection's close (see {@link Exchange#handle}). Not
   * synchronized: it must not wait for a shutdown that is draining.
   */
  public int kill() {
    int running = inFlight();
    if (!killed.compareAndSet(-1, running)) {
      return killed.get();
    }
    draining = true;
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer s : List.copyOf(servers)) {
      closing.add(s.shutdown(0, TimeUnit.MILLISECONDS));
    }
    for (Future<Void> f : closing) {
      try {
        f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (Exception e) {
        LOG.debug("server close after kill did not finish cleanly", e);
      }
    }
    drained.countDown();
    if (ownsScheduler && scheduler instanceof SystemScheduler s) {
      s.close();
    }
    if (ownsVertx) {
      vertx.close(); // not awaited: a crash does not wait for the event loops to stop
    }
    return running;
  }

  private void notifyDrain(boolean startedDrain, int count) {
    try {
      if (startedDrain) {
        listener.onDrainStarted(count);
      } else {
        listener.onDrainFinished(count);
      }
    } catch (RuntimeException e) {
      LOG.debug("server listener threw", e);
    }
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the server", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot start the HTTP server: " + e.getCause(), e);
    }
  }
}
