package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.error.ErrorClassifier;
import io.bulwark.core.time.Clock;
import io.bulwark.resilience.CircuitStates.CircuitState;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The circuit breaker state machine. The current state is one immutable-identity object in an
 * {@link AtomicReference}; transitions are compare-and-set from the state a caller observed, so two
 * racing callers cannot both transition. A call records its outcome into the state object it was
 * admitted by: an outcome arriving after a transition lands in the discarded window, never in the
 * new one.
 */
@SuppressWarnings({
  "TypeParameterUnusedInFormals",
  "FutureReturnValueIgnored"
}) // side-effect callbacks; results typed by the caller
final class DefaultCircuitBreaker implements CircuitBreaker, Stage {
  private final String name;
  private final CircuitBreakerConfig config;
  private final Clock clock;
  private final ListenerSet listeners = new ListenerSet();
  private final PolicyRejectedException rejection;
  private final int minimumCalls;
  private final long slowNanos;
  private final boolean checksResults;
  private final long originNanos;
  private final AtomicReference<CircuitState> state;

  DefaultCircuitBreaker(String name, CircuitBreakerConfig config, Clock clock) {
    this.name = Checks.notBlank("name", name);
    this.config = config;
    this.clock = clock;
    this.rejection = new PolicyRejectedException(name, Rejection.CIRCUIT_OPEN);
    this.minimumCalls =
        config.windowType() == CircuitBreakerConfig.WindowType.COUNT_BASED
            ? Math.min(config.minimumCalls(), config.windowSize())
            : config.minimumCalls();
    this.slowNanos = config.slowCallDuration().toNanos();
    this.checksResults = config.resultPredicate() != CircuitBreakerConfig.NO_RESULT;
    this.originNanos = clock.nanoTime();
    this.state = new AtomicReference<>(new CircuitStates.Closed(this, freshWindow()));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public PolicyKind kind() {
    return PolicyKind.CIRCUIT_BREAKER;
  }

  @Override
  public void addListener(ResilienceListener listener) {
    listeners.add(listener);
  }

  @Override
  public CircuitBreakerConfig config() {
    return config;
  }

  @Override
  public State state() {
    CircuitState s = state.get();
    if (s instanceof CircuitStates.Open open && open.waitIsOver(clock.nanoTime())) {
      return State.HALF_OPEN;
    }
    return s.kind;
  }

  @Override
  public Metrics metrics() {
    return state.get().metrics(clock.nanoTime());
  }

  @Override
  public @Nullable Permit tryAcquirePermit() {
    return acquire();
  }

  @Override
  public boolean tryAcquirePermission() {
    return acquire() != null;
  }

  @Override
  public void onResult(long durationNanos, @Nullable Throwable failure) {
    CircuitState s = state.get();
    if (s instanceof CircuitStates.HalfOpen probing && !probing.hasProbeOut()) {
      return; // the late result of a call admitted before: no probe is waiting for a result
    }
    complete(s, durationNanos, null, failure);
  }

  /**
   * Records the outcome of a call admitted by {@code admitted}: not at all if it never reached the
   * dependency or is ignored (a probe permit goes back), else as a failure or a success.
   */
  void complete(
      CircuitState admitted,
      long durationNanos,
      @Nullable Object result,
      @Nullable Throwable failure) {
    if (failure == null) {
      admitted.record(this, durationNanos, checksResults && config.resultPredicate().test(result));
      return;
    }
    Throwable t = ErrorClassifier.unwrap(failure);
    if (Outcomes.neverRan(t) || config.ignorePredicate().test(t)) {
      admitted.release();
    } else {
      admitted.record(this, durationNanos, config.failurePredicate().test(t));
    }
  }

  @Override
  public void forceOpen() {
    force(new CircuitStates.Fixed(this, State.FORCED_OPEN), "forced open by an operator");
  }

  @Override
  public void disable() {
    force(new CircuitStates.Fixed(this, State.DISABLED), "disabled by an operator");
  }

  @Override
  public void reset() {
    force(new CircuitStates.Closed(this, freshWindow()), "reset by an operator");
  }

  private void force(CircuitState next, String reason) {
    CircuitState previous = state.getAndSet(next);
    listeners.stateTransition(
        name, new Transition(previous.kind, next.kind, reason, clock.nanoTime()));
  }

  /** The state that admitted a call, or null if the call is rejected. */
  @Nullable CircuitState acquire() {
    CircuitState s = state.get();
    if (s.tryAcquire(this)) {
      return s;
    }
    if (s instanceof CircuitStates.Open open && open.waitIsOver(clock.nanoTime())) {
      CircuitStates.HalfOpen probing =
          new CircuitStates.HalfOpen(this, config.halfOpenPermits(), clock.nanoTime());
      String reason = "waited " + config.waitInOpen() + " in OPEN";
      if (transition(s, probing, reason) || state.get() != s) {
        return acquire();
      }
    }
    listeners.rejected(name, Rejection.CIRCUIT_OPEN);
    return null;
  }

  /**
   * An empty window. A time window's one-second buckets start at the breaker's creation, not at the
   * window's, so every window of a breaker shares one grid of seconds.
   */
  OutcomeWindow freshWindow() {
    return OutcomeWindow.of(config, originNanos);
  }

  long nanoTime() {
    return clock.nanoTime();
  }

  int minimumCalls() {
    return minimumCalls;
  }

  CircuitState current() {
    return state.get();
  }

  /** A fresh OPEN state starting now. */
  CircuitStates.Open opened() {
    return new CircuitStates.Open(this, clock.nanoTime(), config.waitInOpen().toNanos());
  }

  boolean transition(CircuitState from, CircuitState to, String reason) {
    if (!state.compareAndSet(from, to)) {
      return false;
    }
    listeners.stateTransition(name, new Transition(from.kind, to.kind, reason, clock.nanoTime()));
    return true;
  }

  @Override
  public <T extends @Nullable Object> T execute(SyncChain chain, int next, Object task)
      throws Exception {
    CircuitState admitted = acquire();
    if (admitted == null) {
      throw rejection;
    }
    long start = config.tracksSlowCalls() ? clock.nanoTime() : 0;
    T result;
    try {
      result = chain.stage(next).execute(chain, next + 1, task);
    } catch (Throwable t) {
      complete(admitted, elapsedSince(start), null, t);
      throw t;
    }
    complete(admitted, elapsedSince(start), result, null);
    return result;
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> executeAsync(
      AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task) {
    CircuitState admitted = acquire();
    if (admitted == null) {
      return CompletableFuture.failedFuture(rejection);
    }
    long start = config.tracksSlowCalls() ? clock.nanoTime() : 0;
    return chain
        .proceed(next, task)
        .whenComplete((value, failure) -> complete(admitted, elapsedSince(start), value, failure));
  }

  private long elapsedSince(long start) {
    return config.tracksSlowCalls() ? clock.nanoTime() - start : 0;
  }

  boolean isSlow(long durationNanos) {
    return config.tracksSlowCalls() && durationNanos >= slowNanos;
  }

  /**
   * True if the counts cross a threshold with at least {@code minimum} calls; reads only numbers,
   * so a success judged against a window that holds failures allocates nothing.
   */
  boolean trips(int calls, int failures, int slowCalls, int minimum) {
    return calls >= minimum
        && (failureRateTrips(calls, failures) || slowCallRateTrips(calls, slowCalls));
  }

  private boolean failureRateTrips(int calls, int failures) {
    return failures > 0 && failures * 100.0 / calls >= config.failureRateThreshold();
  }

  private boolean slowCallRateTrips(int calls, int slowCalls) {
    return config.tracksSlowCalls()
        && slowCalls > 0
        && slowCalls * 100.0 / calls >= config.slowCallRateThreshold();
  }

  /**
   * Why {@code m}, whose counts {@link #trips}, opens the breaker; {@code over} names the window.
   */
  String tripReason(Metrics m, String over) {
    if (failureRateTrips(m.calls(), m.failures())) {
      return String.format(
          Locale.ROOT,
          "failure rate %.1f%% over %s ≥ %.1f%%",
          m.failureRate(),
          over,
          config.failureRateThreshold());
    }
    return String.format(
        Locale.ROOT,
        "slow-call rate %.1f%% (calls ≥ %s) over %s ≥ %.1f%%",
        m.slowCallRate(),
        config.slowCallDuration(),
        over,
        config.slowCallRateThreshold());
  }

  @Override
  public String toString() {
    return "CircuitBreaker[" + name + ", " + state() + "]";
  }
}
