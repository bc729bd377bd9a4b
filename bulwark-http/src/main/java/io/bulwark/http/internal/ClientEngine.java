package io.bulwark.http.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.fault.FaultAction;
import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultSite;
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
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/** One named client's machinery; see {@link ServiceClient} for the guarantees. */
public final class ClientEngine implements ServiceClient {
  private final String name;
  private final ClientConfig config;
  private final long attemptTimeoutNanos;
  private final Clock clock;
  private final ClientTransport transport;
  private final CallDecorator decorator;
  private final RedRecorder red;
  private final Tracing tracing;
  private final LoadBalancer balancer;
  private final ZonePreference zones;
  private final OutlierDetector outliers;
  private final @Nullable ActiveHealthChecker health;
  private final ServiceDiscovery.Subscription subscription;
  private final EndpointBreakers breakers;
  private volatile EndpointSet endpoints = EndpointSet.EMPTY;

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
    this.attemptTimeoutNanos = Scheduler.saturatedNanos(config.timeout());
    this.clock = scheduler.clock();
    this.decorator = decorator;
    this.balancer = LoadBalancers.of(config.balancing(), config.slowStart(), clock);
    String zone = config.localZone();
    this.zones =
        zone == null
            ? ZonePreference.none()
            : ZonePreference.localZone(zone, config.zoneMinHealthyShare());
    this.outliers = new OutlierDetector(config.outlier(), clock);
    this.transport =
        new ClientTransport(
            name, vertx, config, ContextHeaders.builder().clock(clock).build(), scheduler);
    this.breakers =
        new EndpointBreakers(name, config.endpointCircuitBreaker(), scheduler, listeners);
    this.subscription = discovery.subscribe(config.service(), this::onEndpoints);
    var hc = config.healthCheck();
    this.health =
        hc == null
            ? null
            : new ActiveHealthChecker(
                hc,
                scheduler,
                () -> endpoints.all().stream().map(EndpointState::endpoint).toList(),
                e -> transport.probe(e, hc.path(), hc.timeout().toMillis()));
  }

  private void onEndpoints(List<Endpoint> update) {
    Map<String, EndpointState> old = new HashMap<>();
    for (EndpointState s : endpoints.all()) {
      old.put(s.id(), s);
    }
    List<EndpointState> next = new ArrayList<>(update.size());
    long decay = config.ewmaDecay().toNanos();
    for (Endpoint e : update) {
      EndpointState s = old.get(e.id());
      next.add(s != null && s.endpoint().equals(e) ? s : new EndpointState(e, clock, decay));
    }
    EndpointSet set = new EndpointSet(next);
    endpoints = set;
    outliers.retain(set.ids());
    breakers.retain(set.all());
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * The endpoints that may take traffic now (health, ejection, endpoint breakers, zone preference
   * applied); an immutable list. Allocates nothing while the set of usable endpoints stays the same
   * (see {@link EndpointSet}).
   */
  public List<EndpointState> usable() {
    EndpointSet set = endpoints;
    if (set.wide()) {
      return usableWide(set.all());
    }
    List<EndpointState> all = set.all();
    ActiveHealthChecker h = health;
    long ok = 0;
    long notExcluded = 0;
    for (int i = 0; i < all.size(); i++) {
      EndpointState s = all.get(i);
      if (!excluded(s)) {
        notExcluded |= 1L << i;
        if (h == null || h.isHealthy(s.id())) {
          ok |= 1L << i;
        }
      }
    }
    // panic mode: when every endpoint looks bad, trying one beats failing every call
    List<EndpointState> usable = set.subset(ok != 0 ? ok : notExcluded);
    return usable.isEmpty() ? usable : zones.select(usable, all);
  }

  /** {@link #usable()} for a service of more than 64 endpoints: a list per call. */
  private List<EndpointState> usableWide(List<EndpointState> all) {
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
    return ok.isEmpty() ? List.of() : zones.select(List.copyOf(ok), all);
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

  /**
   * Runs the call through the decorator; every failure leaves as an unchecked Bulwark exception
   * (see {@link ServiceClient#send}) or as the {@link InterruptedException} of an interrupted
   * caller.
   */
  @Override
  public ClientResponse send(ClientRequest request) throws InterruptedException {
    long start = clock.nanoTime();
    CallAttempts attempts = new CallAttempts();
    try {
      ClientResponse response = decorator.call(request, () -> attempt(request, attempts));
      record(Outcome.SUCCESS, clock.nanoTime() - start, attempts);
      return response;
    } catch (Exception e) {
      record(Outcome.of(e), clock.nanoTime() - start, attempts);
      throw unchecked(e);
    }
  }

  /** The call's RED record, in its chaos cohort while a fault is active. */
  private void record(Outcome outcome, long nanos, CallAttempts attempts) {
    io.bulwark.core.fault.FaultTag faulted = attempts.faulted;
    String cohort =
        faulted != null
            ? io.bulwark.core.fault.ChaosCohort.of(faulted)
            : io.bulwark.core.fault.ChaosCohort.current();
    if (cohort == null) {
      red.record(outcome, nanos);
    } else {
      red.record(outcome, nanos, cohort);
    }
  }

  /**
   * What {@link #send} throws for {@code e}: an interrupt and unchecked exceptions as they are; a
   * checked exception from a decorator (a pipeline's fallback, a hand-written decorator) as the
   * cause of an {@link HttpCallException} naming the service.
   */
  private RuntimeException unchecked(Exception e) throws InterruptedException {
    if (e instanceof InterruptedException interrupted) {
      throw interrupted;
    }
    if (e instanceof RuntimeException unchecked) {
      return unchecked;
    }
    return new HttpCallException(
        config.service(), 0, null, "calling " + config.service() + " failed: " + e, e);
  }

  /**
   * One attempt, in named steps: the deadline check, endpoint selection (with the retry decision of
   * where to go and the endpoint's breaker), the attempt's span, then the exchange and the
   * classification of its answer.
   */
  private ClientResponse attempt(ClientRequest request, CallAttempts attempts)
      throws InterruptedException {
    int resendCount = attempts.next();
    Context ctx = Context.current();
    long deadlineLeftNanos = deadlineLeft(ctx, request);
    ClientAttempt attempt = choose(request, attempts);
    attempt.resend = resendCount;
    attempts.tried(attempt.endpointId());
    TelemetrySpan span = openSpan(attempt, ctx, request, resendCount);
    try {
      FaultInjector faults = FaultPoints.injector();
      FaultAction fault = faults == null ? null : faults.decide(faultSite(attempt, request));
      if (fault != null) {
        attempts.faulted = fault.tag();
      }
      ClientResponse response =
          fault == null || faults == null
              ? perform(attempt, request, span.context(), deadlineLeftNanos)
              : faulted(faults, fault, attempt, request, span, deadlineLeftNanos);
      HopSpans.clientDone(span, response.status(), null);
      return response;
    } catch (HttpCallException e) {
      HopSpans.clientDone(span, e.status(), e);
      throw e;
    } catch (InterruptedException | RuntimeException | Error e) {
      HopSpans.clientDone(span, 0, e);
      throw e;
    }
  }

  private FaultSite faultSite(ClientAttempt attempt, ClientRequest request) {
    return new FaultSite(
        FaultPointKind.HTTP_CLIENT,
        config.service(),
        attempt.endpointId(),
        request.path(),
        attempt.resend);
  }

  /**
   * The attempt with a chaos fault: a delay is waited out (it eats the deadline) before the real
   * exchange; an injected status is classified as if the endpoint had answered it; an injected
   * exception fails the attempt as a transport failure would; a blackhole hangs until the attempt's
   * timeout (or the caller's deadline) and fails as a real silence would. Each is recorded against
   * the endpoint like the real failure it imitates.
   */
  private ClientResponse faulted(
      FaultInjector faults,
      FaultAction fault,
      ClientAttempt attempt,
      ClientRequest request,
      TelemetrySpan span,
      long deadlineLeftNanos)
      throws InterruptedException {
    fault.tag().tag(span);
    long start = clock.nanoTime();
    switch (fault) {
      case FaultAction.Delay d -> {
        try {
          faults.pause(Math.min(d.nanos(), deadlineLeftNanos));
        } catch (InterruptedException e) {
          attempt.release();
          throw e;
        }
        long left =
            deadlineLeftNanos == Long.MAX_VALUE
                ? deadlineLeftNanos
                : deadlineLeft(Context.current(), request);
        return perform(attempt, request, span.context(), left);
      }
      case FaultAction.Status st -> {
        attempt.endpoint.onStart();
        try {
          return classify(
              attempt,
              new ClientResponse(
                  st.status(), Map.of(), new byte[0], attempt.endpointId(), "CHAOS", Json.MAPPER));
        } finally {
          record(attempt, clock.nanoTime() - start);
        }
      }
      case FaultAction.Raise r -> {
        attempt.endpoint.onStart();
        record(attempt, 0);
        throw r.error();
      }
      case FaultAction.Blackhole b -> {
        long timeoutNanos = Math.min(attemptTimeoutNanos, deadlineLeftNanos);
        attempt.endpoint.onStart();
        try {
          if (b.maxHangNanos() < timeoutNanos) {
            faults.pause(b.maxHangNanos());
            throw attempt.failed(
                new HttpCallException(
                    config.service(),
                    0,
                    attempt.endpointId(),
                    "blackhole of chaos fault " + b.tag().faultId() + " ended",
                    null));
          }
          faults.pause(timeoutNanos);
          throw timedOut(attempt, deadlineLeftNanos <= attemptTimeoutNanos);
        } catch (InterruptedException e) {
          attempt.notCounted();
          throw e;
        } finally {
          record(attempt, clock.nanoTime() - start);
        }
      }
      default -> {
        return perform(attempt, request, span.context(), deadlineLeftNanos);
      }
    }
  }

  /**
   * Deadline check: the nanoseconds left before the caller's deadline ({@link Long#MAX_VALUE}
   * without one); a deadline that has passed throws without sending anything.
   */
  private long deadlineLeft(Context ctx, ClientRequest request) {
    Deadline deadline = ctx.deadline();
    if (deadline == null) {
      return Long.MAX_VALUE;
    }
    long left = deadline.remainingNanos();
    if (left <= 0) {
      throw new DeadlineExceededException(
          "deadline passed before calling " + config.service() + " " + request.path());
    }
    return left;
  }

  /**
   * Endpoint selection with the per-endpoint breaker. The retry decision of where to go: a retry
   * (or hedge) chooses among the usable endpoints this call has not tried, while one is left. An
   * endpoint whose breaker is half-open with its probes out is left out like an ejected one and the
   * balancer chooses again; when none is left the attempt fails without sending ({@link
   * #noEndpoint}).
   */
  private ClientAttempt choose(ClientRequest request, CallAttempts attempts) {
    List<EndpointState> candidates = attempts.untried(usable());
    List<String> refused = null;
    EndpointState endpoint = balancer.pick(candidates, request.hashKey());
    while (endpoint != null) {
      CircuitBreaker breaker = breakers.of(endpoint.id());
      if (breaker == null) {
        return new ClientAttempt(endpoint, null);
      }
      CircuitBreaker.Permit permit = breaker.tryAcquirePermit();
      if (permit != null) {
        return new ClientAttempt(endpoint, permit);
      }
      refused = refused == null ? new ArrayList<>() : refused;
      refused.add(breaker.name());
      candidates = without(candidates, endpoint);
      endpoint = balancer.pick(candidates, request.hashKey());
    }
    throw noEndpoint(refused);
  }

  /** The attempt's {@code CLIENT} span; if it cannot be opened nothing is sent. */
  private TelemetrySpan openSpan(
      ClientAttempt attempt, Context ctx, ClientRequest request, int resendCount) {
    Endpoint target = attempt.endpoint.endpoint();
    try {
      return HopSpans.client(
          tracing, ctx, request.method(), target.host(), target.port(), resendCount);
    } catch (RuntimeException e) {
      attempt.release(); // a half-open probe permit must not leak
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
    for (EndpointState s : endpoints.all()) {
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
   * The exchange with the chosen endpoint, sending {@code spanContext} (the attempt span's context)
   * with the deadline shrunk to the attempt's timeout, {@code min(timeout, deadline left)}. Its
   * outcome goes to the balancer, outlier detection and the endpoint's breaker ({@link #record}).
   */
  private ClientResponse perform(
      ClientAttempt attempt, ClientRequest request, Context spanContext, long deadlineLeftNanos)
      throws InterruptedException {
    long timeoutNanos = Math.min(attemptTimeoutNanos, deadlineLeftNanos);
    Context sent = spanContext.withDeadline(Deadline.afterNanos(timeoutNanos, clock));
    long start = clock.nanoTime();
    attempt.endpoint.onStart();
    try {
      return classify(attempt, transport.exchange(attempt, request, sent, timeoutNanos));
    } catch (TimeoutException e) {
      transport.reset(attempt);
      throw timedOut(attempt, deadlineLeftNanos <= attemptTimeoutNanos);
    } catch (InterruptedException e) {
      transport.reset(attempt);
      attempt.notCounted();
      throw e;
    } catch (ExecutionException e) {
      throw attempt.failed(transportFailure(attempt, e));
    } finally {
      record(attempt, clock.nanoTime() - start);
    }
  }

  /** Answer classification: below 500 is the answer; 5xx a failure of the endpoint. */
  private ClientResponse classify(ClientAttempt attempt, ClientResponse response) {
    if (response.status() < 500) {
      attempt.succeeded();
      return response;
    }
    String id = attempt.endpointId();
    throw attempt.failed(
        new HttpCallException(
            config.service(),
            response.status(),
            id,
            config.service() + " endpoint " + id + " answered " + response.status(),
            null));
  }

  /**
   * No answer in time: the caller's deadline (when it bound the attempt's timeout) is not held
   * against the endpoint; the client's own timeout is.
   */
  private RuntimeException timedOut(ClientAttempt attempt, boolean deadlineBound) {
    String id = attempt.endpointId();
    if (deadlineBound) {
      attempt.notCounted();
      return DeadlineExceededException.duringCall(
          "deadline passed while calling " + config.service() + " at " + id);
    }
    return attempt.failed(
        HttpCallException.timeout(
            config.service(), id, "timed out after " + config.timeout() + " calling " + id));
  }

  private HttpCallException transportFailure(ClientAttempt attempt, ExecutionException e) {
    Throwable cause = e.getCause() == null ? e : e.getCause();
    String id = attempt.endpointId();
    return new HttpCallException(
        config.service(),
        0,
        id,
        "calling " + config.service() + " at " + id + " failed: " + cause,
        cause);
  }

  /** Feeds the attempt's outcome to the balancer, outlier detection and the endpoint's breaker. */
  private void record(ClientAttempt attempt, long tookNanos) {
    attempt.endpoint.onComplete(tookNanos);
    if (attempt.counts()) {
      outliers.record(attempt.endpointId(), attempt.success(), endpoints.ids());
    }
    attempt.judge(tookNanos);
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

  @Override
  public @Nullable String reloadTls() {
    return transport.reloadTls();
  }

  public void close() {
    subscription.close();
    ActiveHealthChecker h = health;
    if (h != null) {
      h.close();
    }
    transport.close();
  }
}
