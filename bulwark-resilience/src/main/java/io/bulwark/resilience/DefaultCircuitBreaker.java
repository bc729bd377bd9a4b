package io.bulwark.resilience;

import io.bulwark.core.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
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
final class DefaultCircuitBreaker implements CircuitBreaker, Stage {
  private final String name;
  private final CircuitBreakerConfig config;
  private final Clock clock;
  private final ListenerSet listeners = new ListenerSet();
  private final PolicyRejectedException rejection;
  private final int minimumCalls;
  private final long slowNanos;
  private final AtomicReference<CircuitState> state;

  DefaultCircuitBreaker(String name, CircuitBreakerConfig config, Clock clock) {
    this.name = Checks.name(name);
    this.config = config;
    this.clock = clock;
    this.rejection = new PolicyRejectedException(name, Rejection.CIRCUIT_OPEN);
    this.minimumCalls =
        config.windowType() == CircuitBreakerConfig.WindowType.COUNT_BASED
            ? Math.min(config.minimumCalls(), config.windowSize())
            : config.minimumCalls();
    this.slowNanos = config.slowCallDuration().toNanos();
    this.state = new AtomicReference<>(new Closed(OutcomeWindow.of(config, clock.nanoTime())));
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
    if (s instanceof Open open && open.waitIsOver(clock.nanoTime())) {
      return State.HALF_OPEN;
    }
    return s.kind;
  }

  @Override
  public Metrics metrics() {
    return state.get().metrics(clock.nanoTime());
  }

  @Override
  public boolean tryAcquirePermission() {
    return acquire() != null;
  }

  @Override
  public void onResult(long durationNanos, @Nullable Throwable failure) {
    state.get().record(this, durationNanos, failure);
  }

  @Override
  public void forceOpen() {
    force(new Fixed(State.FORCED_OPEN), "forced open by an operator");
  }

  @Override
  public void disable() {
    force(new Fixed(State.DISABLED), "disabled by an operator");
  }

  @Override
  public void reset() {
    force(new Closed(OutcomeWindow.of(config, clock.nanoTime())), "reset by an operator");
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
    if (s instanceof Open open && open.waitIsOver(clock.nanoTime())) {
      HalfOpen probing = new HalfOpen(config.halfOpenPermits(), clock.nanoTime());
      String reason = "waited " + config.waitInOpen() + " in OPEN";
      if (transition(s, probing, reason) || state.get() != s) {
        return acquire();
      }
    }
    listeners.rejected(name, Rejection.CIRCUIT_OPEN);
    return null;
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
      result = chain.proceed(next, task);
    } catch (Throwable t) {
      admitted.record(this, elapsedSince(start), t);
      throw t;
    }
    admitted.record(this, elapsedSince(start), null);
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
        .whenComplete(
            (value, failure) ->
                admitted.record(this, elapsedSince(start), Outcomes.unwrap(failure)));
  }

  private long elapsedSince(long start) {
    return config.tracksSlowCalls() ? clock.nanoTime() - start : 0;
  }

  boolean isFailure(@Nullable Throwable failure) {
    return failure != null && config.failurePredicate().test(Outcomes.unwrap(failure));
  }

  boolean isSlow(long durationNanos) {
    return config.tracksSlowCalls() && durationNanos >= slowNanos;
  }

  /** The reason to open, or null if the counts stay below both thresholds. */
  @Nullable String tripReason(Metrics m, String over, int minimum) {
    if (m.calls() < minimum) {
      return null;
    }
    if (m.failures() > 0 && m.failureRate() >= config.failureRateThreshold()) {
      return String.format(
          Locale.ROOT,
          "failure rate %.1f%% over %s ≥ %.1f%%",
          m.failureRate(),
          over,
          config.failureRateThreshold());
    }
    if (config.tracksSlowCalls()
        && m.slowCalls() > 0
        && m.slowCallRate() >= config.slowCallRateThreshold()) {
      return String.format(
          Locale.ROOT,
          "slow-call rate %.1f%% (calls ≥ %s) over %s ≥ %.1f%%",
          m.slowCallRate(),
          config.slowCallDuration(),
          over,
          config.slowCallRateThreshold());
    }
    return null;
  }

  /** One state of the machine; identity matters (transitions CAS on it). */
  abstract static class CircuitState {
    final State kind;

    CircuitState(State kind) {
      this.kind = kind;
    }

    abstract boolean tryAcquire(DefaultCircuitBreaker cb);

    abstract void record(DefaultCircuitBreaker cb, long durationNanos, @Nullable Throwable failure);

    abstract Metrics metrics(long nowNanos);
  }

  final class Closed extends CircuitState {
    private final OutcomeWindow window;

    Closed(OutcomeWindow window) {
      super(State.CLOSED);
      this.window = window;
    }

    @Override
    boolean tryAcquire(DefaultCircuitBreaker cb) {
      return true;
    }

    @Override
    void record(DefaultCircuitBreaker cb, long durationNanos, @Nullable Throwable failure) {
      boolean failed = cb.isFailure(failure);
      boolean slow = cb.isSlow(durationNanos);
      long now =
          config.windowType() == CircuitBreakerConfig.WindowType.TIME_BASED ? clock.nanoTime() : 0;
      window.record(now, failed, slow);
      if ((failed || slow) && cb.state.get() == this) {
        Metrics m = window.metrics(now);
        String reason = tripReason(m, window.describe(m.calls()), minimumCalls);
        if (reason != null) {
          cb.transition(this, new Open(clock.nanoTime()), reason);
        }
      }
    }

    @Override
    Metrics metrics(long nowNanos) {
      return window.metrics(nowNanos);
    }
  }

  final class Open extends CircuitState {
    private final long openedAtNanos;

    Open(long openedAtNanos) {
      super(State.OPEN);
      this.openedAtNanos = openedAtNanos;
    }

    boolean waitIsOver(long nowNanos) {
      return nowNanos - openedAtNanos >= config.waitInOpen().toNanos();
    }

    @Override
    boolean tryAcquire(DefaultCircuitBreaker cb) {
      return false;
    }

    @Override
    void record(DefaultCircuitBreaker cb, long durationNanos, @Nullable Throwable failure) {}

    @Override
    Metrics metrics(long nowNanos) {
      return new Metrics(0, 0, 0);
    }
  }

  final class HalfOpen extends CircuitState {
    private final int permits;
    private final long startedAtNanos;
    private final AtomicInteger left;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger slow = new AtomicInteger();

    HalfOpen(int permits, long startedAtNanos) {
      super(State.HALF_OPEN);
      this.permits = permits;
      this.startedAtNanos = startedAtNanos;
      this.left = new AtomicInteger(permits);
    }

    @Override
    boolean tryAcquire(DefaultCircuitBreaker cb) {
      Duration maxWait = config.maxWaitInHalfOpen();
      if (!maxWait.isZero() && clock.nanoTime() - startedAtNanos >= maxWait.toNanos()) {
        String reason =
            "only "
                + done.get()
                + " of "
                + permits
                + " probe calls finished within maxWaitInHalfOpen "
                + maxWait;
        cb.transition(this, new Open(clock.nanoTime()), reason);
        return false;
      }
      return left.getAndDecrement() > 0;
    }

    @Override
    void record(DefaultCircuitBreaker cb, long durationNanos, @Nullable Throwable failure) {
      if (cb.isFailure(failure)) {
        failures.incrementAndGet();
      }
      if (cb.isSlow(durationNanos)) {
        slow.incrementAndGet();
      }
      if (done.incrementAndGet() == permits) {
        Metrics m = metrics(0);
        String over = permits + " probe calls";
        String reason = tripReason(m, over, 1);
        if (reason != null) {
          cb.transition(this, new Open(clock.nanoTime()), reason);
        } else {
          String ok =
              String.format(
                  Locale.ROOT,
                  "%s: failure rate %.1f%% < %.1f%%",
                  over,
                  m.failureRate(),
                  config.failureRateThreshold());
          cb.transition(this, new Closed(OutcomeWindow.of(config, clock.nanoTime())), ok);
        }
      }
    }

    @Override
    Metrics metrics(long nowNanos) {
      return new Metrics(done.get(), failures.get(), slow.get());
    }
  }

  /** FORCED_OPEN (admits nothing) or DISABLED (admits all, records nothing). */
  static final class Fixed extends CircuitState {
    Fixed(State kind) {
      super(kind);
    }

    @Override
    boolean tryAcquire(DefaultCircuitBreaker cb) {
      return kind == State.DISABLED;
    }

    @Override
    void record(DefaultCircuitBreaker cb, long durationNanos, @Nullable Throwable failure) {}

    @Override
    Metrics metrics(long nowNanos) {
      return new Metrics(0, 0, 0);
    }
  }

  @Override
  public String toString() {
    return "CircuitBreaker[" + name + ", " + state() + "]";
  }
}
