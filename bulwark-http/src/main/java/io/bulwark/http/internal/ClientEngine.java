package io.bulwark.http.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.telemetry.HopSpans;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.client.CallDecorator;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.HttpCallException;
import io.bulwark.http.client.ServiceClient;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.bulwark.http.health.ActiveHealthChecker;
import io.bulwark.http.health.OutlierDetector;
import io.bulwark.http.lb.EndpointState;
import io.bulwark.http.lb.LoadBalancer;
import io.bulwark.http.lb.LoadBalancers;
import io.bulwark.http.lb.ZonePreference;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.ResilienceListener;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.KeyStoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** One named client's machinery; see {@link ServiceClient} for the guarantees. */
public final class ClientEngine implements ServiceClient {
  private final String name;
  private final ClientConfig config;
  private final Clock clock;
  private final HttpClientAgent http;
  private final io.vertx.core.Context eventLoop;
  private final CallDecorator decorator;
  private final RedRecorder red;
  private final Tracing tracing;
  private final LoadBalancer balancer;
  private final ZonePreference zones;
  private final OutlierDetector outliers;
  private final @Nullable ActiveHealthChecker health;
  private final ContextHeaders contextHeaders;
  private final ServiceDiscovery.Subscription subscription;
  private final EndpointBreakers breakers;
  private volatile List<EndpointState> states = List.of();
  private volatile Set<String> ids = Set.of();

  public ClientEngine(
      String name,
      ClientConfig config,
      ServiceDiscovery discovery,
      Scheduler scheduler,
      Vertx vertx,
      CallDecorator decorator,
      RedRecorder red,
      Tracing tracing,
      List<ResilienceListener> listeners) {
    this.name = name;
    this.red = red;
    this.tracing = tracing;
    this.config = config;
    this.clock = scheduler.clock();
    this.decorator = decorator;
    this.http = vertx.createHttpClient(clientOptions(config), poolOptions(config));
    this.eventLoop = vertx.getOrCreateContext();
    this.balancer = LoadBalancers.of(config.balancing(), config.slowStart(), clock);
    String zone = config.localZone();
    this.zones =
        zone == null
            ? ZonePreference.none()
            : ZonePreference.localZone(zone, config.zoneMinHealthyShare());
    this.outliers = new OutlierDetector(config.outlier(), clock);
    this.contextHeaders = ContextHeaders.builder().clock(clock).build();
    this.breakers = new EndpointBreakers(name, config.endpointCircuitBreaker(), clock, listeners);
    this.subscription = discovery.subscribe(config.service(), this::onEndpoints);
    var hc = config.healthCheck();
    this.health =
        hc == null
            ? null
            : new ActiveHealthChecker(
                hc,
                scheduler,
                () -> states.stream().map(EndpointState::endpoint).toList(),
                e -> probe(e, hc.path(), hc.timeout().toMillis()));
  }

  private static HttpClientOptions clientOptions(ClientConfig config) {
    HttpClientOptions o =
        new HttpClientOptions()
            .setConnectTimeout(
                (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
            .setKeepAlive(true);
    if (config.protocol() == ClientConfig.Protocol.HTTP_2) {
      o.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false).setUseAlpn(true);
    }
    if (config.tls()) {
      o.setSsl(true).setVerifyHost(config.verifyHost());
      Path trust = config.trustStore();
      if (trust != null) {
        o.setTrustOptions(
            new KeyStoreOptions()
                .setType("PKCS12")
                .setPath(trust.toString())
                .setPassword(config.trustStorePassword()));
      }
    }
    return o;
  }

  private static PoolOptions poolOptions(ClientConfig config) {
    return new PoolOptions()
        .setHttp1MaxSize(config.poolSize())
        .setHttp2MaxSize(Math.max(1, config.poolSize() / 8));
  }

  private void onEndpoints(List<Endpoint> endpoints) {
    Map<String, EndpointState> old = new HashMap<>();
    for (EndpointState s : states) {
      old.put(s.id(), s);
    }
    List<EndpointState> next = new ArrayList<>(endpoints.size());
    long decay = config.ewmaDecay().toNanos();
    for (Endpoint e : endpoints) {
      EndpointState s = old.get(e.id());
      next.add(s != null && s.endpoint().equals(e) ? s : new EndpointState(e, clock, decay));
    }
    states = List.copyOf(next);
    ids = Set.copyOf(next.stream().map(EndpointState::id).toList());
    outliers.retain(ids);
    breakers.retain(next);
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * The endpoints that may take traffic now (health, ejection, endpoint breakers, zone preference
   * applied).
   */
  public List<EndpointState> usable() {
    List<EndpointState> all = states;
    List<EndpointState> ok = new ArrayList<>(all.size());
    ActiveHealthChecker h = health;
    for (EndpointState s : all) {
      if (!excluded(s) && (h == null || h.isHealthy(s.id()))) {
        ok.add(s);
      }
    }
    if (ok.isEmpty()) {
      // panic mode: when every endpoint looks bad, trying one beats failing every call
      for (EndpointState s : all) {
        if (!excluded(s)) {
          ok.add(s);
        }
      }
    }
    return ok.isEmpty() ? ok : zones.select(ok, all);
  }

  /** Ejected by outlier detection, or refused by its own circuit breaker. */
  private boolean excluded(EndpointState s) {
    return outliers.isEjected(s.id()) || breakers.refuses(s.id());
  }

  /**
   * The circuit breakers of this client's endpoints by endpoint id (empty without {@link
   * ClientConfig#endpointCircuitBreaker()}); an endpoint that left discovery has none.
   */
  public Map<String, CircuitBreaker> endpointBreakers() {
    return breakers.all();
  }

  @Override
  public ClientResponse send(ClientRequest request) throws Exception {
    long start = clock.nanoTime();
    try {
      Attempts attempts = new Attempts();
      ClientResponse response = decorator.call(request, () -> attempt(request, attempts));
      red.record(Outcome.SUCCESS, clock.nanoTime() - start);
      return response;
    } catch (Exception e) {
      red.record(Outcome.of(e), clock.nanoTime() - start);
      throw e;
    }
  }

  /**
   * One call's attempts (the first and its retries or hedges): how many went out and to which
   * endpoints, so that a retry goes to an endpoint the call has not tried yet while one is usable.
   * Attempts of a hedged call run at once, hence the lock (held for a few field reads only).
   */
  private static final class Attempts {
    private int count;
    private @Nullable String first;
    private @Nullable List<String> more;

    synchronized int next() {
      return count++;
    }

    synchronized void tried(String endpointId) {
      if (first == null) {
        first = endpointId;
      } else {
        if (more == null) {
          more = new ArrayList<>(2);
        }
        more.add(endpointId);
      }
    }

    /** {@code candidates} without the endpoints already tried, or all of them if none is left. */
    synchronized List<EndpointState> untried(List<EndpointState> candidates) {
      if (first == null) {
        return candidates;
      }
      List<EndpointState> fresh = new ArrayList<>(candidates.size());
      for (EndpointState c : candidates) {
        String id = c.id();
        if (!id.equals(first) && (more == null || !more.contains(id))) {
          fresh.add(c);
        }
      }
      return fresh.isEmpty() ? candidates : fresh;
    }
  }

  private ClientResponse attempt(ClientRequest request, Attempts attempts) throws Exception {
    int resendCount = attempts.next();
    Context ctx = Context.current();
    long timeoutNanos = config.timeout().toNanos();
    Deadline deadline = ctx.deadline();
    boolean deadlineBound = false;
    if (deadline != null) {
      long left = deadline.remainingNanos();
      if (left <= 0) {
        throw new DeadlineExceededException(
            "deadline passed before calling " + config.service() + " " + request.path());
      }
      if (left <= timeoutNanos) {
        timeoutNanos = left;
        deadlineBound = true;
      }
    }
    List<EndpointState> candidates = attempts.untried(usable());
    EndpointState endpoint = balancer.pick(candidates, request.hashKey());
    CircuitBreaker.Permit permit = null;
    List<String> refused = null;
    while (endpoint != null) {
      CircuitBreaker breaker = breakers.of(endpoint.id());
      permit = breaker == null ? null : breaker.tryAcquirePermit();
      if (breaker == null || permit != null) {
        break;
      }
      // half-open with its probes out: leave it out like an ejected endpoint and choose again
      refused = refused == null ? new ArrayList<>() : refused;
      refused.add(breaker.name());
      candidates = without(candidates, endpoint);
      endpoint = balancer.pick(candidates, request.hashKey());
    }
    if (endpoint == null) {
      throw noEndpoint(refused);
    }
    attempts.tried(endpoint.id());
    Endpoint target = endpoint.endpoint();
    TelemetrySpan span;
    try {
      span =
          HopSpans.client(
              tracing, ctx, request.method(), target.host(), target.port(), resendCount);
    } catch (RuntimeException e) {
      if (permit != null) {
        permit.release(); // nothing was sent; a half-open probe permit must not leak
      }
      throw e;
    }
    try {
      ClientResponse response =
          call(endpoint, permit, request, span.context(), timeoutNanos, deadlineBound);
      HopSpans.clientDone(span, response.status(), null);
      return response;
    } catch (HttpCallException e) {
      HopSpans.clientDone(span, e.status(), e);
      throw e;
    } catch (Exception | Error e) {
      HopSpans.clientDone(span, 0, e);
      throw e;
    }
  }

  private static List<EndpointState> without(List<EndpointState> list, EndpointState gone) {
    List<EndpointState> rest = new ArrayList<>(list);
    rest.remove(gone);
    return rest;
  }

  /**
   * No endpoint to call: none known or usable, or (naming them) every endpoint's breaker refuses.
   * Retriable: the next attempt may find one.
   */
  private HttpCallException noEndpoint(@Nullable List<String> refused) {
    List<String> open = new ArrayList<>(refused == null ? List.of() : refused);
    for (EndpointState s : states) {
      CircuitBreaker b = breakers.of(s.id());
      if (b != null && breakers.refuses(s.id()) && !open.contains(b.name())) {
        open.add(b.name());
      }
    }
    String message =
        open.isEmpty()
            ? "no endpoint of service " + config.service()
            : "no endpoint of service "
                + config.service()
                + " is available: circuit breakers refuse calls: "
                + open;
    return new HttpCallException(config.service(), 0, null, message, null);
  }

  /**
   * One attempt on {@code endpoint}, sending {@code attempt} (the attempt span's context); its
   * outcome goes to the endpoint's breaker through {@code permit} (if it has one).
   */
  private ClientResponse call(
      EndpointState endpoint,
      CircuitBreaker.@Nullable Permit permit,
      ClientRequest request,
      Context attempt,
      long timeoutNanos,
      boolean deadlineBound)
      throws Exception {
    Context sent = attempt.withDeadline(Deadline.afterNanos(timeoutNanos, clock));
    long start = clock.nanoTime();
    endpoint.onStart();
    AtomicReference<@Nullable HttpClientRequest> inflight = new AtomicReference<>();
    boolean success = false;
    boolean countOutlier = true;
    HttpCallException failure = null;
    try {
      ClientResponse response =
          await(exchange(endpoint.endpoint(), request, sent, inflight), timeoutNanos);
      success = response.status() < 500;
      if (!success) {
        throw failure =
            new HttpCallException(
                config.service(),
                response.status(),
                endpoint.id(),
                config.service() + " endpoint " + endpoint.id() + " answered " + response.status(),
                null);
      }
      return response;
    } catch (TimeoutException e) {
      reset(inflight);
      if (deadlineBound) {
        countOutlier = false;
        throw DeadlineExceededException.duringCall(
            "deadline passed while calling " + config.service() + " at " + endpoint.id());
      }
      throw failure =
          HttpCallException.timeout(
              config.service(),
              endpoint.id(),
              "timed out after " + config.timeout() + " calling " + endpoint.id());
    } catch (InterruptedException e) {
      reset(inflight);
      countOutlier = false;
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw failure =
          new HttpCallException(
              config.service(),
              0,
              endpoint.id(),
              "calling " + config.service() + " at " + endpoint.id() + " failed: " + cause,
              cause);
    } finally {
      long took = clock.nanoTime() - start;
      endpoint.onComplete(took);
      if (countOutlier) {
        outliers.record(endpoint.id(), success, ids);
      }
      if (permit != null) {
        judge(permit, took, success, countOutlier, failure);
      }
    }
  }

  /**
   * Records an attempt in its endpoint's breaker: an answer below 500 is a success; 5xx, a failed
   * connection or the attempt's timeout a failure; a caller's deadline that passed or an interrupt
   * says nothing about the endpoint and is not recorded.
   */
  private static void judge(
      CircuitBreaker.Permit permit,
      long took,
      boolean success,
      boolean counts,
      @Nullable Throwable failure) {
    if (!counts) {
      permit.release();
    } else if (success) {
      permit.onResult(took, null);
    } else {
      permit.onResult(
          took, failure != null ? failure : new IllegalStateException("attempt failed"));
    }
  }

  private Future<ClientResponse> exchange(
      Endpoint endpoint,
      ClientRequest request,
      Context sent,
      AtomicReference<@Nullable HttpClientRequest> inflight) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(request.method()))
            .setHost(endpoint.host())
            .setPort(endpoint.port())
            .setURI(request.path())
            .setSsl(config.tls());
    Promise<ClientResponse> result = Promise.promise();
    // every exchange of this client runs on one event-loop context: issuing a request from an
    // arbitrary thread lets the response body race past its reader (a rare lost response)
    eventLoop.runOnContext(
        v ->
            http.request(options)
                .compose(
                    req -> {
                      inflight.set(req);
                      request.headers().forEach(req::putHeader);
                      contextHeaders.inject(sent, req::putHeader);
                      return req.send(Buffer.buffer(request.body()));
                    })
                .compose(resp -> resp.body().map(body -> toResponse(resp, body, endpoint)))
                .onComplete(result));
    return result.future();
  }

  private static ClientResponse toResponse(
      HttpClientResponse resp, Buffer body, Endpoint endpoint) {
    Map<String, String> headers = new HashMap<>();
    resp.headers()
        .forEach(
            h -> headers.putIfAbsent(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
    return new ClientResponse(
        resp.statusCode(),
        headers,
        body.getBytes(),
        endpoint.id(),
        resp.version().name(),
        Json.MAPPER);
  }

  private static <T> T await(Future<T> future, long timeoutNanos)
      throws InterruptedException, ExecutionException, TimeoutException {
    return future.toCompletionStage().toCompletableFuture().get(timeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void reset(AtomicReference<@Nullable HttpClientRequest> inflight) {
    HttpClientRequest r = inflight.get();
    if (r != null) {
      eventLoop.runOnContext(v -> r.reset());
    }
  }

  private CompletableFuture<Boolean> probe(Endpoint e, String path, long timeoutMillis) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(e.host())
            .setPort(e.port())
            .setURI(path)
            .setSsl(config.tls());
    Promise<Boolean> result = Promise.promise();
    eventLoop.runOnContext(
        v ->
            http.request(options)
                .compose(HttpClientRequest::send)
                .compose(resp -> resp.body().map(b -> resp.statusCode() == 200))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .onComplete(result));
    return result.future().toCompletionStage().toCompletableFuture();
  }

  /** The active health verdict for {@code endpointId} (true without health checks). */
  public boolean isHealthy(String endpointId) {
    ActiveHealthChecker h = health;
    return h == null || h.isHealthy(endpointId);
  }

  /** Waits for the latest round of health probes to finish (tests and tooling). */
  public boolean awaitProbes(java.time.Duration timeout) throws InterruptedException {
    ActiveHealthChecker h = health;
    return h == null || h.awaitRound(timeout);
  }

  /** How many times {@code endpointId} has been ejected (for tests and metrics). */
  public int ejections(String endpointId) {
    return outliers.ejections(endpointId);
  }

  public void close() {
    subscription.close();
    ActiveHealthChecker h = health;
    if (h != null) {
      h.close();
    }
    http.close();
  }
}
