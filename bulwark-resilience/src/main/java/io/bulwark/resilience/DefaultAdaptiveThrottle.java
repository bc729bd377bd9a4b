package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.error.ErrorClassifier;
import io.bulwark.core.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The SRE accept-ratio throttle; see {@link AdaptiveThrottle}. */
@SuppressWarnings({
  "TypeParameterUnusedInFormals",
  "FutureReturnValueIgnored"
}) // side-effect callbacks; results typed by the caller
final class DefaultAdaptiveThrottle implements AdaptiveThrottle, Stage {
  private static final long SECOND = 1_000_000_000L;

  private final String name;
  private final AdaptiveThrottleConfig config;
  private final Clock clock;
  private final DoubleSupplier random;
  private final ListenerSet listeners = new ListenerSet();
  private final PolicyRejectedException rejection;
  private final int seconds;
  private final long originNanos;
  private final long[] requests;
  private final long[] accepts;
  private final ReentrantLock lock = new ReentrantLock();
  private long epoch;
  private long totalRequests;
  private long totalAccepts;

  DefaultAdaptiveThrottle(
      String name, AdaptiveThrottleConfig config, Clock clock, DoubleSupplier random) {
    this.name = Checks.notBlank("name", name);
    this.config = config;
    this.clock = clock;
    this.random = random;
    this.rejection = new PolicyRejectedException(name, Rejection.THROTTLED);
    this.seconds = (int) config.window().toSeconds();
    this.originNanos = clock.nanoTime();
    this.requests = new long[seconds];
    this.accepts = new long[seconds];
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public PolicyKind kind() {
    return PolicyKind.ADAPTIVE_THROTTLE;
  }

  @Override
  public void addListener(ResilienceListener listener) {
    listeners.add(listener);
  }

  @Override
  public AdaptiveThrottleConfig config() {
    return config;
  }

  @Override
  public double rejectionProbability() {
    lock.lock();
    try {
      rotate(clock.nanoTime());
      return probability();
    } finally {
      lock.unlock();
    }
  }

  private double probability() {
    return Math.max(0, (totalRequests - config.k() * totalAccepts) / (totalRequests + 1));
  }

  /**
   * Decides whether to send the request; a request dropped here is counted at once, a request sent
   * is counted when it ends (see {@link #record}), so calls still in flight never count as refused.
   */
  private boolean admit() {
    double draw = random.getAsDouble();
    lock.lock();
    try {
      int i = rotate(clock.nanoTime());
      if (draw >= probability()) {
        return true;
      }
      requests[i]++;
      totalRequests++;
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Counts a sent request when it ends, and the accept unless the backend refused it. */
  private void record(@Nullable Throwable failure) {
    boolean accepted = failure == null || !config.overload().test(ErrorClassifier.unwrap(failure));
    lock.lock();
    try {
      int i = rotate(clock.nanoTime());
      requests[i]++;
      totalRequests++;
      if (accepted) {
        accepts[i]++;
        totalAccepts++;
      }
    } finally {
      lock.unlock();
    }
  }

  private int rotate(long nowNanos) {
    long now = Math.max(0, (nowNanos - originNanos) / SECOND);
    if (now > epoch) {
      for (long e = Math.max(epoch + 1, now - seconds + 1); e <= now; e++) {
        int i = (int) (e % seconds);
        totalRequests -= requests[i];
        totalAccepts -= accepts[i];
        requests[i] = 0;
        accepts[i] = 0;
      }
      epoch = now;
    }
    return (int) (epoch % seconds);
  }

  @Override
  public <T extends @Nullable Object> T execute(SyncChain chain, int next, Object task)
      throws Exception {
    if (!admit()) {
      listeners.rejected(name, Rejection.THROTTLED);
      throw rejection;
    }
    T result;
    try {
      result = chain.stage(next).execute(chain, next + 1, task);
    } catch (Throwable t) {
      record(t);
      throw t;
    }
    record(null);
    return result;
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> executeAsync(
      AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task) {
    if (!admit()) {
      listeners.rejected(name, Rejection.THROTTLED);
      return CompletableFuture.failedFuture(rejection);
    }
    CompletableFuture<T> result = chain.proceed(next, task);
    result.whenComplete((value, failure) -> record(failure));
    return result;
  }

  @Override
  public String toString() {
    return "AdaptiveThrottle[" + name + ", k=" + config.k() + "]";
  }
}
