package io.bulwark.gateway.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.CorrelationIds;
import io.bulwark.core.fault.ChaosCohort;
import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultTag;
import io.bulwark.core.telemetry.HopSpans;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.time.Clock;
import io.bulwark.gateway.ListenerConfig;
import io.bulwark.gateway.RouteConfig;
import io.bulwark.resilience.CircuitBreaker;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.HostAndPort;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The data path of one listener: every request is matched against the snapshot current when it
 * arrived and then streamed to an upstream and back, on the event loop of its connection. Bodies
 * are never buffered: each direction is a pipe that pauses the reader while the writer's queue is
 * full and resumes it on drain, so a slow client slows its upstream read and vice versa.
 */
public final class Proxy {
  static final String CORRELATION_HEADER = ContextHeaders.CORRELATION_ID;
  // header names as AsciiString (hash computed once) for the lookups and puts of every request
  private static final AsciiString CORRELATION_NAME = AsciiString.cached(CORRELATION_HEADER);
  private static final AsciiString TRACESTATE_NAME = AsciiString.cached(ContextHeaders.TRACESTATE);
  private static final AsciiString DEADLINE_NAME = AsciiString.cached(ContextHeaders.DEADLINE);
  private static final AsciiString REQUEST_ID_NAME = AsciiString.cached("x-request-id");
  private static final AsciiString TRACEPARENT_NAME =
      AsciiString.cached(ContextHeaders.TRACEPARENT);
  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final Set<HttpMethod> IDEMPOTENT =
      Set.of(
          HttpMethod.GET,
          HttpMethod.HEAD,
          HttpMethod.OPTIONS,
          HttpMethod.TRACE,
          HttpMethod.PUT,
          HttpMethod.DELETE);
  private static final ContextHeaders CONTEXT_HEADERS = ContextHeaders.builder().build();

  /** The least of a deadline that is worth a retry: less is 0 ms on the wire, shed downstream. */
  private static final long MIN_ATTEMPT_NANOS = 1_000_000;

  private final Vertx vertx;
  private final ListenerConfig listener;
  private final Supplier<Snapshot> snapshots;
  private final InFlight inFlight;
  private final Telemetry telemetry;
  private final Clock clock;
  private final WireChecks wire;
  private final LoopTimeouts timeouts = new LoopTimeouts();

  Proxy(
      Vertx vertx,
      ListenerConfig listener,
      Supplier<Snapshot> snapshots,
      InFlight inFlight,
      Telemetry telemetry,
      Clock clock) {
    this.vertx = vertx;
    this.listener = listener;
    this.snapshots = snapshots;
    this.inFlight = inFlight;
    this.telemetry = telemetry;
    this.clock = clock;
    this.wire = new WireChecks(listener);
  }

  /** Handles one request (on its connection's event loop). */
  void handle(HttpServerRequest req) {
    if (wire.refused(req)) {
      return; // smuggling defences (edge): answered 400/405 and closing, or dropped
    }
    if (req.version() == HttpVersion.HTTP_2
        || req.getHeader(HttpHeaderNames.CONTENT_LENGTH) != null
        || req.getHeader(HttpHeaderNames.TRANSFER_ENCODING) != null) {
      req.pause(); // its body waits for the upstream (pausing costs Vert.x a queue per request)
    } // else HTTP/1.x without either header: no body (RFC 9112 §6.3), nothing to hold back
    new Exchange(req, snapshots.get()).start();
  }

  /** One request through the gateway. */
  private final class Exchange extends LoopTimeouts.Timeout implements Http1Pool.Waiter {
    final HttpServerRequest req;
    final HttpServerResponse resp;
    final Snapshot snapshot;
    final long startNanos = clock.nanoTime();
    // per-stage times for the benchmark's breakdown (StageTimes): null unless switched on
    final StageTimes.@Nullable Marks marks =
        StageTimes.ON ? new StageTimes.Marks(startNanos) : null;
    final io.vertx.core.Context ctx = vertx.getOrCreateContext();
    AdmissionChain.@Nullable Result admission;
    String correlationId = "";
    Context incoming = Context.root();
    // the request's one server span: started at the match, named by its route (see span())
    @Nullable TelemetrySpan span;
    Snapshot.@Nullable Route route;
    @Nullable String upstreamUri;
    CircuitBreaker.@Nullable Permit permit;
    @Nullable UpstreamExchange upstream;
    // the current attempt's span, for the pool's answer to this exchange (one waiter at a time)
    @Nullable TelemetrySpan attemptSpan;
    ClusterRuntime.@Nullable Target target;
    // traffic (gtraffic): the cluster chosen for this request (split) and its shadow copy
    @Nullable ClusterRuntime cluster;
    @Nullable ShadowCall shadowCall;
    java.util.Map<String, String> params = java.util.Map.of();
    long attemptStartNanos;
    // the request's deadline on the clock: min(arrival + route timeout, the client's own); a long
    long deadlineNanos;
    boolean clientDeadline; // the client's deadline is the binding one (not later than the route's)
    boolean clientExpired; // the client's deadline passed: not the upstream's failure
    long timer = -1;
    int attempts;
    boolean hasBody;
    boolean answered;
    boolean done;
    long received;
    @Nullable Buffer lastChunk; // the answer's last chunk, written with the end (pipeResponseBody)
    io.bulwark.core.fault.@Nullable FaultAction fault; // chaos, this attempt (UpstreamFaults)
    // chaos: the first fault that acted on an attempt (labels the request's RED), and the
    // request's own cohort from its baggage, read once while a fault is active
    io.bulwark.core.fault.@Nullable FaultTag faulted;
    @Nullable String cohort;

    Exchange(HttpServerRequest req, Snapshot snapshot) {
      this.req = req;
      this.resp = req.response();
      this.snapshot = snapshot;
    }

    /**
     * The request's server span: started when a route matched, or, for a request answered before
     * any route matched, when it ends (named by its method only). One span per request, a child of
     * the caller's context in both cases.
     */
    private TelemetrySpan span() {
      TelemetrySpan s = span;
      if (s == null) {
        s = HopSpans.server(telemetry.tracing(), incoming, req.method().name(), null, "");
        span = s;
      }
      return s;
    }

    void start() {
      inFlight.begin(snapshot);
      // an HTTP/2 stream closes as its answer ends: only a close before the end is the client
      // leaving
      resp.closeHandler(
          v -> {
            if (!resp.ended()) {
              abort("client went away");
            }
          });
      context();
      resp.putHeader(CORRELATION_NAME, correlationId);
      String path = Paths.normalize(req.path() == null ? "" : req.path());
      if (path == null) {
        problem(400, "bad-path", "the request path is not a plain origin-form path");
        return;
      }
      String host = host();
      Snapshot.Table table = snapshot.table(listener.name());
      RouteMatcher.Match m = table.matcher().match(host, path, new View(req));
      if (m == null) {
        problem(404, "no-route", "no route matches " + req.method().name() + " " + path);
        return;
      }
      Snapshot.Route r = table.route(m.index());
      mark(StageTimes.MATCHED);
      this.params = m.params();
      this.route = r;
      this.span =
          HopSpans.server(
              telemetry.tracing(), incoming, req.method().name(), r.config().name(), path);
      labelSpan(span);
      RouteConfig rc = r.config();
      if (Cors.handle(rc.cors(), req, resp)) {
        finish(204);
        return;
      }
      RouteConfig.Redirect redirect = rc.redirect();
      if (redirect != null) {
        String location = redirect.location();
        if (redirect.keepPath()) {
          location = stripSlash(location) + path + (req.query() == null ? "" : "?" + req.query());
        }
        resp.setStatusCode(redirect.status()).putHeader("location", location);
        respondEmpty(redirect.status());
        return;
      }
      if (!deadline(rc) || !bodyWithinLimit()) {
        return;
      }
      // admission (JWT, rate limits, concurrency, WASM filters...): see AdmissionChain
      AdmissionChain chain = r.admission();
      if (chain.isEmpty()) {
        proceed(r, path);
      } else {
        chain.run(admissionHead(rc, path), ctx, result -> admitted(result, r, path));
      }
    }

    /**
     * Sets the request's deadline: the route's timeout from arrival, or the client's {@code
     * bulwark-deadline} if that is earlier (a client may shorten its deadline, never extend it).
     * Returns false if answered: 400 for a malformed value, 504 for a deadline of 0 ms.
     */
    private boolean deadline(RouteConfig rc) {
      long routeNanos = rc.timeout().toNanos();
      deadlineNanos = startNanos + routeNanos;
      String sent = req.getHeader(DEADLINE_NAME);
      if (sent == null) {
        return true;
      }
      long ms = Forwarding.deadlineMillis(sent);
      if (ms < 0) {
        problem(
            400,
            "bad-deadline",
            ContextHeaders.DEADLINE
                + " \""
                + sent
                + "\" is not the remaining time as a whole number of milliseconds (1 to 18 digits)");
        return false;
      }
      if (ms == 0) {
        problem(504, "deadline-exceeded", "the client's deadline of 0 ms had passed on arrival");
        return false;
      }
      if (ms <= routeNanos / 1_000_000) { // the client's deadline binds: its expiry is the client's
        deadlineNanos = startNanos + Math.min(ms * 1_000_000, routeNanos);
        clientDeadline = true;
      }
      return true;
    }

    private void proceed(Snapshot.Route r, String path) {
      RouteConfig rc = r.config();
      this.upstreamUri = rewrite(rc, path) + (req.query() == null ? "" : "?" + req.query());
      if (!traffic(r, path)) {
        return;
      }
      CircuitBreaker breaker = r.breaker();
      if (breaker != null) {
        this.permit = breaker.tryAcquirePermit();
        if (permit == null) {
          problem(503, "circuit-open", "route " + rc.name() + " is shedding: its circuit is open");
          return;
        }
      }
      attempt();
    }

    /**
     * Traffic (gtraffic): answers an aggregate route, picks the split's cluster and starts the
     * shadow copy. Returns false if the exchange is already answered.
     */
    private boolean traffic(Snapshot.Route r, String path) {
      this.cluster = r.cluster();
      RouteTraffic t = r.traffic();
      if (t == null) {
        return true;
      }
      Aggregator aggregate = t.aggregate();
      if (aggregate != null) {
        aggregate.run(
            params,
            req.query(),
            incoming,
            correlationId,
            clientDeadline ? deadlineNanos : Aggregator.NO_DEADLINE,
            resp,
            (status, why) -> end(status, why == null ? null : stackless(why)));
        return false;
      }
      Splitter split = t.split();
      if (split != null) {
        Splitter.Choice c = split.choose(path, req::getHeader);
        this.cluster = snapshot.clusters.get(c.cluster());
      }
      ShadowRuntime shadow = t.shadow();
      if (shadow != null && shadow.sample()) {
        this.shadowCall =
            new ShadowCall(
                shadow,
                vertx,
                clock,
                req.method(),
                upstreamUri == null ? "/" : upstreamUri,
                correlationId);
      }
      return true;
    }

    private AdmissionHead admissionHead(RouteConfig rc, String path) {
      return new AdmissionHead(
          rc.name(),
          req.method().name(),
          path,
          host(),
          req.headers(),
          ClientAddress.of(peer(), req.getHeader("x-forwarded-for"), listener.trustedProxies()),
          ctx,
          // while a chaos fault is active, the stages' log lines run under the request's context
          // (its baggage), so they carry its cohort; one field read otherwise
          FaultPoints.injector() == null ? null : UpstreamFaults.withBaggage(incoming, req));
    }

    private void admitted(AdmissionChain.Result result, Snapshot.Route r, String path) {
      if (done) { // the client went away meanwhile
        long nanos = clock.nanoTime() - startNanos;
        result.completions().forEach(c -> c.done(0, nanos));
        return;
      }
      this.admission = result;
      Verdict denial = result.denial();
      if (!denial.allowed()) {
        denial.responseHeaders().forEach(resp::putHeader);
        if (hasBody && req.version() != HttpVersion.HTTP_2) {
          resp.putHeader("connection", "close"); // the unread body is not drained
        }
        problem(denial.status(), denial.type(), denial.detail());
        return;
      }
      if (clock.nanoTime() - deadlineNanos >= 0) { // admission may have waited (JWKS, filters)
        problem(
            504, "deadline-exceeded", "the deadline passed while the request awaited admission");
        return;
      }
      proceed(r, path);
    }

    private void context() {
      try {
        // looked up by the cached names: no hash of a name per lookup
        incoming =
            CONTEXT_HEADERS.extract(
                name ->
                    switch (name) {
                      case ContextHeaders.TRACEPARENT -> req.getHeader(TRACEPARENT_NAME);
                      case ContextHeaders.TRACESTATE -> req.getHeader(TRACESTATE_NAME);
                      case ContextHeaders.CORRELATION_ID -> req.getHeader(CORRELATION_NAME);
                      default -> null;
                    });
      } catch (RuntimeException e) {
        incoming = Context.root(); // a malformed trace header starts a new trace
      }
      String id = incoming.correlationId();
      if (id == null) {
        String requestId = req.getHeader(REQUEST_ID_NAME);
        id =
            requestId != null && CorrelationIds.isValid(requestId)
                ? requestId
                : CorrelationIds.newId();
        incoming = incoming.withCorrelationId(id);
      }
      correlationId = id;
    }

    private String host() {
      String h = hostText;
      if (h == null) { // the authority is parsed once per exchange, not per use
        HostAndPort authority = req.authority();
        h = authority == null ? "" : authority.host();
        hostText = h;
      }
      return h;
    }

    private @Nullable String hostText;

    private boolean bodyWithinLimit() {
      String cl = req.getHeader(HttpHeaderNames.CONTENT_LENGTH);
      String te = req.getHeader(HttpHeaderNames.TRANSFER_ENCODING);
      long max = listener.maxBodyBytes();
      if (cl != null) {
        long length;
        try {
          length = Long.parseLong(cl.strip());
        } catch (NumberFormatException e) {
          problem(400, "bad-length", "content-length \"" + cl + "\" is not a number");
          return false;
        }
        if (length > max) {
          problem(413, "body-too-large", "the body of " + length + " bytes exceeds " + max);
          return false;
        }
        hasBody = length > 0;
      } else {
        hasBody =
            te != null || (req.version() == HttpVersion.HTTP_2 && !req.isEnded() && mayHaveBody());
      }
      return true;
    }

    private boolean mayHaveBody() {
      HttpMethod m = req.method();
      return !(HttpMethod.GET.equals(m)
          || HttpMethod.HEAD.equals(m)
          || HttpMethod.OPTIONS.equals(m));
    }

    /** Starts one attempt on an endpoint of the route's cluster. */
    void attempt() {
      Snapshot.Route r = route;
      ClusterRuntime cluster = this.cluster;
      if (r == null || cluster == null) {
        problem(502, "no-cluster", "the route has no cluster");
        return;
      }
      ClusterRuntime.Target t = cluster.pick(target);
      if (t == null) {
        problem(
            503,
            "no-endpoint",
            "cluster "
                + cluster.config.name()
                + " has no healthy endpoint permitted by its egress");
        return;
      }
      this.target = t;
      attempts++;
      attemptStartNanos = clock.nanoTime();
      t.state().onStart();
      cluster.budget.recordRequest();
      TelemetrySpan attemptSpan =
          HopSpans.client(
              telemetry.tracing(),
              span().context(),
              req.method().name(),
              t.host(),
              t.port(),
              attempts - 1);
      labelSpan(attemptSpan);
      armTimer(r.config());
      io.bulwark.core.fault.FaultInjector faults = io.bulwark.core.fault.FaultPoints.injector();
      io.bulwark.core.fault.FaultAction f =
          faults == null
              ? null
              : UpstreamFaults.decide(
                  faults,
                  req,
                  incoming,
                  cluster.config.name(),
                  t.state().id(),
                  r.config().name(),
                  attempts - 1);
      fault = f;
      if (f != null && faulted == null) {
        faulted = f.tag();
      }
      if (faults != null && f != null) { // chaos: UpstreamFaults decides how the attempt goes on
        UpstreamFaults.before(
            f,
            faults,
            vertx,
            attemptSpan,
            r.config().timeout(),
            () -> done,
            () -> request(cluster, t, attemptSpan),
            e -> attemptFailed(cluster, t, attemptSpan, e, true),
            status -> injectedStatus(cluster, t, attemptSpan, status));
        return;
      }
      request(cluster, t, attemptSpan);
    }

    /**
     * Takes a connection for the attempt: from this event loop's own HTTP/1.1 pool (no future, no
     * hop), or from the Vert.x client (HTTP/2 clusters, attempts off the event loops).
     */
    private void request(
        ClusterRuntime cluster, ClusterRuntime.Target t, TelemetrySpan attemptSpan) {
      String uri = upstreamUri == null ? "/" : upstreamUri;
      Http1Pools own = cluster.http1;
      Http1Pool pool = own == null ? null : own.current((ContextInternal) ctx);
      if (pool != null) {
        String authority =
            cluster.config.preserveHost()
                ? ClusterRuntime.Target.authority(host(), t.port())
                : t.authority();
        this.attemptSpan = attemptSpan;
        // the exchange is its own waiter: an attempt waits for at most one connection, and a retry
        // starts only after its previous attempt's waiter was told (ready or failed)
        pool.acquire(
            t.server(),
            io.netty.handler.codec.http.HttpMethod.valueOf(req.method().name()),
            uri,
            authority,
            this);
        return;
      }
      RequestOptions o =
          new RequestOptions()
              .setMethod(req.method())
              .setServer(t.server())
              .setHost(cluster.config.preserveHost() ? host() : cluster.verifiedHost(t))
              .setPort(t.port())
              .setURI(uri);
      cluster
          .client
          .request(o)
          .onComplete(
              ar -> {
                if (done) {
                  if (ar.succeeded()) {
                    ar.result().reset();
                  }
                  attemptSpan.end();
                  return;
                }
                if (ar.failed()) {
                  attemptFailed(cluster, t, attemptSpan, ar.cause(), true);
                  return;
                }
                send(cluster, t, new VertxUpstream(ar.result()), attemptSpan);
              });
    }

    /** A pooled connection for the current attempt ({@link Http1Pool.Waiter}). */
    @Override
    public void ready(Http1Exchange x) {
      TelemetrySpan as = attemptSpan;
      ClusterRuntime c = cluster;
      ClusterRuntime.Target t = target;
      if (done || as == null || c == null || t == null) {
        x.unused();
        if (as != null) {
          as.end();
        }
        return;
      }
      StageTimes.Marks sm = marks;
      if (sm != null) {
        sm.mark(StageTimes.CONNECTION, clock.nanoTime());
        sm.newConnection(x.firstOnConnection());
      }
      send(c, t, x, as);
    }

    /** No pooled connection for the current attempt ({@link Http1Pool.Waiter}). */
    @Override
    public void failed(Throwable cause, boolean connect) {
      TelemetrySpan as = attemptSpan;
      ClusterRuntime c = cluster;
      ClusterRuntime.Target t = target;
      if (done || as == null || c == null || t == null) {
        if (as != null) {
          as.end();
        }
        return;
      }
      attemptFailed(c, t, as, cause, true);
    }

    private void send(
        ClusterRuntime cluster,
        ClusterRuntime.Target t,
        UpstreamExchange up,
        TelemetrySpan attemptSpan) {
      this.upstream = up;
      io.vertx.core.MultiMap upHeaders = up.headers(); // once: each call takes the request's lock
      Forwarding.requestHeaders(
          req.headers(),
          upHeaders,
          trustedPeer(),
          peer(),
          host(),
          "http",
          route == null ? RouteConfig.HeaderTransform.NONE : route.config().requestHeaders());
      AdmissionChain.Result admitted = admission;
      if (admitted != null) {
        admitted.removeHeaders().forEach(upHeaders::remove);
        admitted.setHeaders().forEach(upHeaders::set);
      }
      Context sent = attemptSpan.context();
      if (!correlationId.equals(sent.correlationId())) { // the span's context has it already
        sent = sent.withCorrelationId(correlationId);
      }
      CONTEXT_HEADERS.inject(sent, upHeaders::set);
      if (sent.trace() == null) {
        // tracing is off: still give the upstream a trace id to correlate by, formatted at once
        upHeaders.set(TRACEPARENT_NAME, randomTraceparent());
      }
      // what is left of the request's deadline, whatever the client sent (a trusted proxy's too)
      upHeaders.set(
          ContextHeaders.DEADLINE,
          Long.toString(Math.max(0, (deadlineNanos - clock.nanoTime()) / 1_000_000)));
      if (attempts > 1) {
        upHeaders.set(
            io.bulwark.core.fault.FaultSite.ATTEMPT_HEADER, Integer.toString(attempts - 1));
      }
      ShadowCall sc = shadowCall;
      if (sc != null) {
        sc.headers(upHeaders);
        if (!hasBody) {
          sc.requestEnded();
        }
      }
      up.start(
          answer -> answer(cluster, t, answer, attemptSpan),
          cause -> attemptFailed(cluster, t, attemptSpan, cause, false));
      if (!hasBody) {
        up.end();
        mark(StageTimes.SENT);
        return;
      }
      String cl = req.getHeader("content-length");
      if (cl != null) {
        upHeaders.set("content-length", cl.strip());
      } else if (!up.http2()) {
        up.chunked();
      }
      pipeRequestBody(up);
    }

    /** Streams the request body upstream: pause the client while the upstream queue is full. */
    private void pipeRequestBody(UpstreamExchange up) {
      req.handler(
          chunk -> {
            received += chunk.length();
            if (received > listener.maxBodyBytes()) {
              // answer first: the reset fails the upstream response, which would answer 502
              problem(
                  413, "body-too-large", "the body exceeds " + listener.maxBodyBytes() + " bytes");
              up.reset();
              return;
            }
            up.write(chunk);
            ShadowCall sc = shadowCall;
            if (sc != null) {
              sc.requestChunk(chunk);
            }
            if (up.writeQueueFull()) {
              req.pause();
              up.drainHandler(req::resume);
            }
          });
      req.endHandler(
          v -> {
            up.end();
            ShadowCall sc = shadowCall;
            if (sc != null) {
              sc.requestEnded();
            }
          });
      req.exceptionHandler(e -> up.reset());
      req.resume();
    }

    private void answer(
        ClusterRuntime cluster,
        ClusterRuntime.Target t,
        UpstreamAnswer up,
        TelemetrySpan attemptSpan) {
      cancelTimer();
      int status = up.statusCode();
      long now = clock.nanoTime();
      StageTimes.Marks sm = marks;
      if (sm != null) {
        sm.mark(StageTimes.HEAD, now);
      }
      long latency = now - attemptStartNanos;
      boolean success = status < 500;
      if (status == 504 && clientDeadline && deadlineNanos - now < MIN_ATTEMPT_NANOS) {
        clientExpired = true; // the upstream shed it at the client's deadline: no verdict on it
      } else {
        cluster.record(t, success, latency);
      }
      record(cluster.red, success ? Outcome.SUCCESS : Outcome.ERROR, latency, fault);
      HopSpans.clientDone(attemptSpan, status, null);
      if (done) {
        up.reset();
        return;
      }
      RouteConfig rc = route == null ? null : route.config();
      if (rc != null && !success && canRetry(rc) && rc.retry().onStatus().contains(status)) {
        up.reset();
        attempt();
        return;
      }
      ShadowCall sc = shadowCall;
      if (sc != null) {
        sc.primaryAnswer(status);
      }
      if (resp.getStatusCode() != status) { // 200 is the default: no status lookup, no lock
        resp.setStatusCode(status);
      }
      String message = up.statusMessage();
      if (message != null
          && req.version() != HttpVersion.HTTP_2
          && !message.equals(standardReason(status))) {
        resp.setStatusMessage(message); // a custom reason phrase costs a new status object
      }
      Forwarding.responseHeaders(
          up.headerEntries(),
          resp.headers(),
          rc == null ? RouteConfig.HeaderTransform.NONE : rc.responseHeaders());
      Compression.decide(
          listener.edge().compression(),
          up,
          resp,
          req.getHeader(HttpHeaderNames.ACCEPT_ENCODING)); // edge: gzip and brotli eligibility
      resp.putHeader(CORRELATION_NAME, correlationId);
      if (rc != null) {
        Cors.decorate(rc.cors(), req, resp);
      }
      String cl = up.header(HttpHeaderNames.CONTENT_LENGTH);
      boolean bodiless =
          HttpMethod.HEAD.equals(req.method()) || status == 204 || status == 304 || status < 200;
      if (cl != null) {
        resp.putHeader(HttpHeaderNames.CONTENT_LENGTH, cl);
      } else if (!bodiless && req.version() != HttpVersion.HTTP_2) {
        resp.setChunked(true);
      }
      answered = true;
      io.bulwark.core.fault.FaultAction bodyFault = fault; // null without chaos: no lambdas
      if (bodyFault == null
          || !UpstreamFaults.pipeBody(
              bodyFault,
              vertx,
              up,
              resp,
              e -> end(status, e),
              () -> end(status, status >= 500 ? stackless("upstream answered " + status) : null))) {
        pipeResponseBody(up, status);
      }
    }

    /** A status a chaos fault answered instead of the upstream: classified as an answer. */
    private void injectedStatus(
        ClusterRuntime cluster, ClusterRuntime.Target t, TelemetrySpan attemptSpan, int status) {
      cancelTimer();
      long latency = clock.nanoTime() - attemptStartNanos;
      boolean success = status < 500;
      cluster.record(t, success, latency);
      record(cluster.red, success ? Outcome.SUCCESS : Outcome.ERROR, latency, fault);
      HopSpans.clientDone(attemptSpan, status, null);
      RouteConfig rc = route == null ? null : route.config();
      if (done) {
        return;
      }
      if (rc != null && !success && canRetry(rc) && rc.retry().onStatus().contains(status)) {
        attempt();
        return;
      }
      problem(status, "chaos-fault", "status " + status + " injected by chaos");
    }

    private void mark(int stage) {
      StageTimes.Marks sm = marks;
      if (sm != null) {
        sm.mark(stage, clock.nanoTime());
      }
    }

    /** Streams the response body down: pause the upstream while the client's queue is full. */
    private void pipeResponseBody(UpstreamAnswer up, int status) {
      up.handler(
          chunk -> {
            ShadowCall sc = shadowCall;
            if (sc != null) {
              sc.primaryChunk(chunk);
            }
            if (up.lastChunk()) { // the end follows at once: head, body and end in one write
              lastChunk = chunk;
              return;
            }
            resp.write(chunk);
            if (resp.writeQueueFull()) {
              up.pause();
              resp.drainHandler(v -> up.resume());
            }
          });
      up.exceptionHandler(
          e -> {
            if (!done) {
              resp.reset();
              end(status, e);
            }
          });
      up.endHandler(
          () -> {
            if (!done) {
              ShadowCall sc = shadowCall;
              if (sc != null) {
                sc.primaryEnded(); // first: ending an HTTP/2 stream may run the close handler
              }
              Buffer last = lastChunk;
              if (last != null) {
                lastChunk = null;
                resp.end(last);
              } else {
                resp.end();
              }
              StageTimes.Marks sm = marks;
              if (sm != null) {
                sm.mark(StageTimes.ANSWERED, clock.nanoTime());
                sm.record();
              }
              end(status, status >= 500 ? stackless("upstream answered " + status) : null);
            }
          });
    }

    private boolean canRetry(RouteConfig rc) {
      Snapshot.Route r = route;
      return !hasBody
          && !answered
          && attempts < rc.retry().attempts()
          && (rc.retry().nonIdempotent() || IDEMPOTENT.contains(req.method()))
          && r != null
          && cluster != null
          && deadlineNanos - clock.nanoTime() >= MIN_ATTEMPT_NANOS // no retry past the deadline
          && cluster.budget.tryAcquire();
    }

    private void attemptFailed(
        ClusterRuntime cluster,
        ClusterRuntime.Target t,
        TelemetrySpan attemptSpan,
        Throwable cause,
        boolean connectFailure) {
      cancelTimer();
      long latency = clock.nanoTime() - attemptStartNanos;
      if (!clientExpired) { // a client's short deadline says nothing about the endpoint
        cluster.record(t, false, latency);
      }
      record(cluster.red, Outcome.ERROR, latency, fault);
      HopSpans.clientDone(attemptSpan, 0, cause);
      if (done) {
        return;
      }
      RouteConfig rc = route == null ? null : route.config();
      if (rc != null && connectFailure && rc.retry().onConnectFailure() && canRetry(rc)) {
        attempt();
        return;
      }
      problem(
          502, "upstream-failed", "upstream " + t.state().id() + " failed: " + cause.getMessage());
    }

    /**
     * The attempt's timeout, what is left of the request's deadline: on this event loop's timer
     * wheel (no task per attempt), or a scheduled timer when the attempt starts off the event
     * loops.
     */
    private void armTimer(RouteConfig rc) {
      cancelTimer(); // a retry's timeout replaces the previous attempt's
      long left = Math.max(1, Math.min(rc.timeout().toNanos(), deadlineNanos - clock.nanoTime()));
      if (timeouts.arm(this, left)) {
        return;
      }
      long ms = Math.max(1, left / 1_000_000);
      timer =
          vertx.setTimer(
              ms,
              id -> {
                timer = -1;
                expired();
              });
    }

    @Override
    void expired() {
      if (done || answered) {
        return;
      }
      ClusterRuntime c = cluster;
      if (c != null && target != null) {
        record(c.red, Outcome.TIMEOUT, clock.nanoTime() - attemptStartNanos, fault);
      }
      Snapshot.Route r = route;
      clientExpired = clientDeadline;
      // answer first: the reset below fails the attempt, which must find the exchange done
      problem(
          504,
          "upstream-timeout",
          clientDeadline
              ? "no answer within the client's " + ContextHeaders.DEADLINE
              : "no answer within " + (r == null ? "the route timeout" : r.config().timeout()));
      UpstreamExchange up = upstream;
      if (up != null) {
        up.reset();
      }
    }

    private void cancelTimer() {
      LoopTimeouts.cancel(this);
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }

    void abort(String why) {
      if (done) {
        return;
      }
      cancelTimer();
      UpstreamExchange up = upstream;
      if (up != null) {
        up.reset();
      }
      end(0, stackless(why));
    }

    /**
     * Answers with an RFC 9457 problem, unless the answer has started (then the stream is reset).
     */
    void problem(int status, String type, String detail) {
      if (done) {
        return;
      }
      cancelTimer();
      if (answered || resp.headWritten()) {
        resp.reset();
        end(status, stackless(detail));
        return;
      }
      byte[] body =
          ("{\"type\":\"urn:bulwark:gateway:"
                  + type
                  + "\",\"status\":"
                  + status
                  + ",\"detail\":"
                  + jsonString(detail)
                  + "}")
              .getBytes(StandardCharsets.UTF_8);
      resp.setStatusCode(status)
          .putHeader("content-type", "application/problem+json")
          .putHeader("content-length", Integer.toString(body.length));
      if (status == 413 || status == 400) {
        resp.putHeader("connection", "close");
      }
      resp.end(Buffer.buffer(body));
      end(status, status >= 500 ? stackless(detail) : null);
    }

    private void respondEmpty(int status) {
      resp.putHeader("content-length", "0").end();
      finish(status);
    }

    private void finish(int status) {
      end(status, null);
    }

    private void end(int status, @Nullable Throwable failure) {
      if (done) {
        return;
      }
      done = true;
      ShadowCall sc = shadowCall;
      if (sc != null) {
        sc.primaryFailed(
            status, failure == null ? "no answer" : String.valueOf(failure.getMessage()));
      }
      long nanos = clock.nanoTime() - startNanos;
      Snapshot.Route r = route;
      if (r != null) {
        FaultInjector faults = FaultPoints.injector(); // null unless a chaos fault is active
        if (faults == null) {
          r.red().record(outcome(status), nanos);
        } else {
          FaultTag tag = faulted;
          r.red()
              .record(
                  outcome(status),
                  nanos,
                  tag != null ? ChaosCohort.of(tag) : requestCohort(faults));
        }
      }
      CircuitBreaker.Permit p = permit;
      if (p != null) {
        if (clientExpired) {
          p.release(); // the client's own deadline passed: no verdict on the upstream
        } else {
          p.onResult(nanos, status >= 500 || status == 0 ? failure : null);
        }
      }
      AdmissionChain.Result admitted = admission;
      if (admitted != null) {
        for (Verdict.Completion c : admitted.completions()) {
          c.done(status, nanos);
        }
      }
      HopSpans.serverDone(span(), status);
      inFlight.end(snapshot);
    }

    /**
     * Records an upstream attempt on {@code red}; while a chaos fault is active also in its cohort
     * series: the fault's experiment when {@code acted} acted on the attempt, else the request's
     * cohort. One field read when none is.
     */
    private void record(
        RedRecorder red,
        Outcome outcome,
        long nanos,
        io.bulwark.core.fault.@Nullable FaultAction acted) {
      FaultInjector faults = FaultPoints.injector();
      if (faults == null) {
        red.record(outcome, nanos);
      } else {
        red.record(
            outcome, nanos, acted != null ? ChaosCohort.of(acted.tag()) : requestCohort(faults));
      }
    }

    /** The request's chaos cohort (from its baggage), read once; only while a fault is active. */
    private String requestCohort(FaultInjector faults) {
      String c = cohort;
      if (c == null) {
        c = UpstreamFaults.cohort(faults, req);
        cohort = c;
      }
      return c;
    }

    /**
     * Labels a hop span with the request's chaos cohort while a fault is active (the gateway does
     * not carry the request's baggage in its own context, so the span's default label would be the
     * control's).
     */
    private void labelSpan(TelemetrySpan hop) {
      FaultInjector faults = FaultPoints.injector();
      if (faults != null) {
        hop.attribute(ChaosCohort.SPAN_ATTRIBUTE, requestCohort(faults));
      }
    }

    private boolean trustedPeer() {
      // no trusted proxies (the default): no address to parse per request
      return !listener.trustedProxies().isEmpty()
          && Forwarding.trusted(peerAddress(), listener.trustedProxies());
    }

    private String peer() {
      String p = peerText;
      if (p == null) { // the peer's text form is built once per exchange, not per use
        io.vertx.core.net.SocketAddress a = req.remoteAddress();
        // host(): the connection's address text, made once per connection (an accepted socket's
        // address has no name); hostAddress() formats a new string on every call
        String h = a == null ? null : a.host();
        if (h == null || !(NetUtil.isValidIpV4Address(h) || NetUtil.isValidIpV6Address(h))) {
          h = a == null ? null : a.hostAddress();
        }
        p = h == null ? "unknown" : h;
        peerText = p;
      }
      return p;
    }

    private @Nullable String peerText;

    private @Nullable InetAddress peerAddress() {
      String p = peer();
      if (!io.bulwark.gateway.IpRange.isIpLiteral(p)) {
        return null;
      }
      try {
        return InetAddress.getByName(p);
      } catch (UnknownHostException e) {
        return null;
      }
    }
  }

  private static Outcome outcome(int status) {
    if (status == 504) {
      return Outcome.TIMEOUT;
    }
    if (status == 503 || status == 429) {
      return Outcome.REJECTED;
    }
    return status >= 500 || status == 0 ? Outcome.ERROR : Outcome.SUCCESS;
  }

  /** The reason phrase the server writes by itself for common statuses ("" for others). */
  static String standardReason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 201 -> "Created";
      case 202 -> "Accepted";
      case 204 -> "No Content";
      case 206 -> "Partial Content";
      case 301 -> "Moved Permanently";
      case 302 -> "Found";
      case 304 -> "Not Modified";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "";
    };
  }

  /**
   * A {@code traceparent} of a new, unsampled trace with random ids (version 00, flags 00), as
   * {@code TraceContext.newTrace(false).toTraceparent()} writes it, built in one array: the trace
   * id's high half is never zero and the span id never zero.
   */
  static AsciiString randomTraceparent() {
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    byte[] b = new byte[55];
    b[0] = '0';
    b[1] = '0';
    b[2] = '-';
    putHex(b, 3, random.nextLong() | 1L);
    putHex(b, 19, random.nextLong());
    b[35] = '-';
    putHex(b, 36, random.nextLong() | 1L);
    b[52] = '-';
    b[53] = '0';
    b[54] = '0';
    return new AsciiString(b, false); // the header value as it is written: no copy into a String
  }

  private static void putHex(byte[] b, int at, long v) {
    for (int i = 15; i >= 0; i--) {
      b[at + i] = HEX_DIGITS[(int) (v & 0xf)];
      v >>>= 4;
    }
  }

  private static String rewrite(RouteConfig rc, String path) {
    String to = rc.rewritePrefix();
    if (to == null) {
      return path;
    }
    String[] prefix = RouteMatcher.prefixSegments(rc.match().path());
    String[] segs = RouteMatcher.segments(path);
    StringBuilder b = new StringBuilder(stripSlash(to));
    for (int i = prefix.length; i < segs.length; i++) {
      b.append('/').append(segs[i]);
    }
    return b.isEmpty() ? "/" : b.toString();
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  static String jsonString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  private static Exception stackless(String message) {
    return new Exception(message, null, false, false) {
      private static final long serialVersionUID = 1L;
    };
  }

  /** The request as the matcher reads it. */
  private record View(HttpServerRequest req) implements RequestView {
    @Override
    public String method() {
      return req.method().name();
    }

    @Override
    public @Nullable String header(String lowerName) {
      return req.getHeader(lowerName);
    }

    @Override
    public @Nullable String query(String name) {
      return QueryStrings.first(req.query(), name);
    }
  }
}
