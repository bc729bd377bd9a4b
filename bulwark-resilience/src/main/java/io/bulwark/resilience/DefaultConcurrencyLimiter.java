package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.context.Context;
import io.bulwark.core.context.Criticality;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.RejectedException;
import io.bulwark.core.time.Clock;
import io.bulwark.resilience.limit.LimitAlgorithm;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The adaptive concurrency limiter; see {@link ConcurrencyLimiter}. */
@SuppressWarnings({
  "TypeParameterUnusedInFormals",
  "FutureReturnValueIgnored"
}) // side-effect callbacks; results typed by the caller
final class DefaultConcurrencyLimiter implements ConcurrencyLimiter, Stage {
  private final String name;
  private final ConcurrencyLimiterConfig config;
  private final Clock clock;
  private final LimitAlgorithm.Estimator estimator;
  private final ReentrantLock sampling = new ReentrantLock();
  private final PaddedLong inflight = new PaddedLong(0);
  private final ListenerSet listeners = new ListenerSet();
  private final PolicyRejectedException rejection;
  private volatile int limit;

  DefaultConcurrencyLimiter(String name, ConcurrencyLimiterConfig config, Clock clock) {
    this.name = Checks.notBlank("name", name);
    this.config = config;
    this.clock = clock;
    this.estimator = config.algorithm().start();
    this.limit = estimator.limit();
    this.rejection = new PolicyRejectedException(name, Rejection.CONCURRENCY_LIMIT);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public PolicyKind kind() {
    return PolicyKind.CONCURRENCY_LIMIT;
  }

  @Override
  public void addListener(ResilienceListener listener) {
    listeners.add(listener);
  }

  @Override
  public ConcurrencyLimiterConfig config() {
    return config;
  }

  @Override
  public int limit() {
    return limit;
  }

  @Override
  public int inflight() {
    return (int) inflight.get();
  }

  @Override
  public int admissible(Criticality criticality) {
    return Math.max(1, (int) Math.floor(limit * config.share(criticality)));
  }

  @Override
  public @Nullable Permit tryAcquire(Criticality criticality) {
    int admitted = acquire(Objects.requireNonNull(criticality, "criticality"));
    return admitted == 0 ? null : new HeldPermit(clock.nanoTime(), admitted);
  }

  /** Admits a call: returns the in-flight count including it, or 0 if rejected. */
  private int acquire(Criticality criticality) {
    int allowed = admissible(criticality);
    for (; ; ) {
      int current = (int) inflight.get();
      if (current >= allowed) {
        listeners.rejected(name, Rejection.CONCURRENCY_LIMIT);
        return 0;
      }
      if (inflight.compareAndSet(current, current + 1)) {
        return current + 1;
      }
    }
  }

  /**
   * Ends a pipeline call. It is a drop if it was rejected or timed out further on, or if it ended
   * after its deadline had passed, whatever it returned: a timeout above this limiter stops the
   * call at the deadline it set, and what the stopped work then throws (an interrupt, a
   * cancellation) or returns is not the caller's outcome.
   */
  private void release(
      long startNanos,
      int inflightAtStart,
      @Nullable Deadline deadline,
      @Nullable Throwable failure) {
    boolean dropped =
        failure instanceof RejectedException
            || failure instanceof TimeoutExceededException
            || (deadline != null && deadline.isExpired());
    release(startNanos, inflightAtStart, dropped);
  }

  /**
   * The sample moves the limit before the permit is given back, so a caller admitted on the freed
   * permit is measured against the limit this call's outcome left (a drop lowers it first).
   */
  private void release(long startNanos, int inflightAtStart, boolean dropped) {
    long rtt = clock.nanoTime() - startNanos;
    int before;
    int after;
    sampling.lock();
    try {
      before = estimator.limit();
      after = estimator.onSample(rtt, inflightAtStart, dropped);
      limit = after;
    } finally {
      sampling.unlock();
      inflight.addAndGet(-1);
    }
    if (after != before) {
      listeners.limitChanged(name, before, after);
    }
  }

  @Override
  public <T extends @Nullable Object> T execute(SyncChain chain, int next, Object task)
      throws Exception {
    Context context = Context.current();
    int admitted = acquire(context.criticality());
    if (admitted == 0) {
      throw rejection;
    }
    Deadline deadline = context.deadline();
    long start = clock.nanoTime();
    T result;
    try {
      result = chain.stage(next).execute(chain, next + 1, task);
    } catch (Throwable t) {
      release(start, admitted, deadline, t);
      throw t;
    }
    release(start, admitted, deadline, null);
    return result;
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> executeAsync(
      AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task) {
    Context context = Context.current();
    int admitted = acquire(context.criticality());
    if (admitted == 0) {
      return CompletableFuture.failedFuture(rejection);
    }
    Deadline deadline = context.deadline();
    long start = clock.nanoTime();
    CompletableFuture<T> work = chain.proceed(next, task);
    work.whenComplete(
        (value, failure) -> release(start, admitted, deadline, Outcomes.unwrap(failure)));
    return AsyncChain.apart(work); // a caller that cancels leaves the permit with the work
  }

  /** A call admitted by {@link #tryAcquire(Criticality)}. */
  private final class HeldPermit extends AtomicBoolean implements Permit {
    private static final long serialVersionUID = 1L;
    private final long startNanos;
    private final int inflightAtStart;

    HeldPermit(long startNanos, int inflightAtStart) {
      this.startNanos = startNanos;
      this.inflightAtStart = inflightAtStart;
    }

    @Override
    public void release(boolean dropped) {
      if (compareAndSet(false, true)) {
        DefaultConcurrencyLimiter.this.release(startNanos, inflightAtStart, dropped);
      }
    }
  }

  @Override
  public String toString() {
    return "ConcurrencyLimiter[" + name + ", " + inflight.get() + "/" + limit + "]";
  }
}
