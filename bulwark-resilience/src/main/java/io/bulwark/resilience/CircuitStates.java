package io.bulwark.resilience;

import io.bulwark.resilience.CircuitBreaker.Metrics;
import io.bulwark.resilience.CircuitBreaker.State;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The states of {@link DefaultCircuitBreaker}. Each is an object whose identity matters: the
 * breaker moves between them by compare-and-set, and a call records its outcome into the state that
 * admitted it.
 */
@SuppressWarnings({
  "TypeParameterUnusedInFormals",
  "FutureReturnValueIgnored"
}) // side-effect callbacks; results typed by the caller
final class CircuitStates {
  private CircuitStates() {}

  /** One state of the machine; identity matters (transitions CAS on it). */
  abstract static class CircuitState implements CircuitBreaker.Permit {
    final State kind;
    final DefaultCircuitBreaker breaker;

    CircuitState(DefaultCircuitBreaker breaker, State kind) {
      this.breaker = breaker;
      this.kind = kind;
    }

    abstract boolean tryAcquire(DefaultCircuitBreaker cb);

    /** Records a call that reached the dependency; {@code failed} as the config judged it. */
    abstract void record(DefaultCircuitBreaker cb, long durationNanos, boolean failed);

    /** Gives back the permit of a call that was not recorded (it never ran, or is ignored). */
    @Override
    public void release() {}

    @Override
    public void onResult(long durationNanos, @Nullable Throwable failure) {
      breaker.complete(this, durationNanos, null, failure);
    }

    @Override
    public void onSuccess(long durationNanos, @Nullable Object result) {
      breaker.complete(this, durationNanos, result, null);
    }

    abstract Metrics metrics(long nowNanos);
  }

  static final class Closed extends CircuitState implements OutcomeWindow.Thresholds {
    private final OutcomeWindow window;

    Closed(DefaultCircuitBreaker breaker, OutcomeWindow window) {
      super(breaker, State.CLOSED);
      this.window = window;
    }

    @Override
    public boolean crossedBy(int calls, int failures, int slowCalls) {
      return breaker.trips(calls, failures, slowCalls, breaker.minimumCalls());
    }

    @Override
    boolean tryAcquire(DefaultCircuitBreaker cb) {
      return true;
    }

    @Override
    void record(DefaultCircuitBreaker cb, long durationNanos, boolean failed) {
      boolean slow = cb.isSlow(durationNanos);
      long now =
          cb.config().windowType() == CircuitBreakerConfig.WindowType.TIME_BASED
              ? cb.nanoTime()
              : 0;
      if (window.record(now, failed, slow) && cb.current() == this && window.crosses(now, this)) {
        Metrics m = window.metrics(now);
        cb.transition(this, cb.opened(), cb.tripReason(m, window.describe(m.calls())));
      }
    }

    @Override
    Metrics metrics(long nowNanos) {
      return window.metrics(nowNanos);
    }
  }

  static final class Open extends CircuitState {
    private final long openedAtNanos;
    private final long waitNanos;

    Open(DefaultCircuitBreaker breaker, long openedAtNanos, long waitNanos) {
      super(breaker, State.OPEN);
      this.openedAtNanos = openedAtNanos;
      this.waitNanos = waitNanos;
    }

    boolean waitIsOver(long nowNanos) {
      return nowNanos - openedAtNanos >= waitNanos;
    }

    @Override
    boolean tryAcquire(DefaultCircuitBreaker cb) {
      return false;
    }

    @Override
    void record(DefaultCircuitBreaker cb, long durationNanos, boolean failed) {}

    @Override
    Metrics metrics(long nowNanos) {
      return new Metrics(0, 0, 0);
    }
  }

  static final class HalfOpen extends CircuitState {
    private final int permits;
    private final long startedAtNanos;
    private final AtomicInteger left;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger slow = new AtomicInteger();

    HalfOpen(DefaultCircuitBreaker breaker, int permits, long startedAtNanos) {
      super(breaker, State.HALF_OPEN);
      this.permits = permits;
      this.startedAtNanos = startedAtNanos;
      this.left = new AtomicInteger(permits);
    }

    @Override
    boolean tryAcquire(DefaultCircuitBreaker cb) {
      Duration maxWait = cb.config().maxWaitInHalfOpen();
      if (!maxWait.isZero() && cb.nanoTime() - startedAtNanos >= maxWait.toNanos()) {
        String reason =
            "only "
                + done.get()
                + " of "
                + permits
                + " probe calls finished within maxWaitInHalfOpen "
                + maxWait;
        cb.transition(this, cb.opened(), reason);
        return false;
      }
      int n;
      do {
        n = left.get();
        if (n <= 0) {
          return false;
        }
      } while (!left.compareAndSet(n, n - 1));
      return true;
    }

    @Override
    public void release() {
      left.incrementAndGet();
    }

    /** True while a probe permit is handed out and its result has not arrived. */
    boolean hasProbeOut() {
      return permits - left.get() > done.get();
    }

    @Override
    void record(DefaultCircuitBreaker cb, long durationNanos, boolean failed) {
      if (failed) {
        failures.incrementAndGet();
      }
      if (cb.isSlow(durationNanos)) {
        slow.incrementAndGet();
      }
      if (done.incrementAndGet() == permits) {
        Metrics m = metrics(0);
        String over = permits + " probe calls";
        if (cb.trips(m.calls(), m.failures(), m.slowCalls(), 1)) {
          cb.transition(this, cb.opened(), cb.tripReason(m, over));
        } else {
          String ok =
              String.format(
                  Locale.ROOT,
                  "%s: failure rate %.1f%% < %.1f%%",
                  over,
                  m.failureRate(),
                  cb.config().failureRateThreshold());
          cb.transition(this, new Closed(cb, cb.freshWindow()), ok);
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
    Fixed(DefaultCircuitBreaker breaker, State kind) {
      super(breaker, kind);
    }

    @Override
    boolean tryAcquire(DefaultCircuitBreaker cb) {
      return kind == State.DISABLED;
    }

    @Override
    void record(DefaultCircuitBreaker cb, long durationNanos, boolean failed) {}

    @Override
    Metrics metrics(long nowNanos) {
      return new Metrics(0, 0, 0);
    }
  }
}
