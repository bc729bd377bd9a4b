package io.bulwark.resilience;

import io.bulwark.core.context.Context;
import io.bulwark.core.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One GCRA rate limit per key (client id, tenant, route) with bounded memory. Each key costs one
 * map entry holding one {@link AtomicLong}.
 *
 * <p>Memory bound: when the map grows past {@code maxKeys}, the thread that added the key sweeps
 * it. Keys whose limiter is idle (theoretical arrival time in the past) are removed first; that is
 * lossless, since an idle limiter and a fresh one behave identically; a removed limiter is marked
 * retired first, so a caller that looked the key up just before cannot take a permit from it (it
 * looks the key up again). If still too many keys are active, those closest to idle are evicted; an
 * evicted key starts again with a full burst. The map holds at most {@code maxKeys} plus the keys
 * added concurrently during a sweep.
 *
 * <p>In a {@link Pipeline} the key of each call comes from its {@link Context} through the key
 * function given at creation (e.g. a baggage entry naming the tenant); calls whose key function
 * gives null share one limit of their own. It sits before the shared {@link RateLimiter} (see
 * {@link PolicyKind}), so a key over its own limit never spends a shared permit. It never waits: a
 * call without a permit is rejected with {@link Rejection#RATE_LIMITED}.
 *
 * <p>Thread-safe. Per-key guarantee as {@link RateLimiter} while the key is not evicted.
 */
@SuppressWarnings("TypeParameterUnusedInFormals") // results typed by the caller
public final class KeyedRateLimiter<K> implements Policy, Stage {
  private final String name;
  private final RateLimiterConfig config;
  private final Clock clock;
  private final int maxKeys;
  private final long intervalNanos;
  private final long toleranceNanos;
  private final Map<K, KeyCell> limits = new ConcurrentHashMap<>();
  private final ReentrantLock sweeping = new ReentrantLock();
  private final @Nullable Function<Context, @Nullable K> keyOf;
  private final KeyCell unkeyed;
  private final ListenerSet listeners = new ListenerSet();
  private final PolicyRejectedException rejection;

  KeyedRateLimiter(
      String name,
      RateLimiterConfig config,
      Clock clock,
      int maxKeys,
      @Nullable Function<Context, @Nullable K> keyOf) {
    this.name = Checks.name(name);
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxKeys = Checks.positive("maxKeys", maxKeys);
    if (!config.maxWait().isZero()) {
      throw new IllegalArgumentException(
          "keyed rate limiter '"
              + name
              + "' never waits: maxWait must be 0, was "
              + config.maxWait());
    }
    this.keyOf = keyOf;
    this.intervalNanos = config.intervalNanos();
    this.toleranceNanos = (config.burst() - 1) * intervalNanos;
    this.unkeyed = new KeyCell(clock.nanoTime());
    this.rejection = new PolicyRejectedException(name, Rejection.RATE_LIMITED);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public PolicyKind kind() {
    return PolicyKind.KEYED_RATE_LIMITER;
  }

  @Override
  public void addListener(ResilienceListener listener) {
    listeners.add(listener);
  }

  /** Whether the limiter can find a call's key itself, as it must in a pipeline. */
  boolean hasKeyFunction() {
    return keyOf != null;
  }

  public RateLimiterConfig config() {
    return config;
  }

  /** Takes a permit for {@code key} if one is free now. */
  public boolean tryAcquire(K key) {
    long now = clock.nanoTime();
    boolean added = false;
    for (; ; ) {
      KeyCell tat = limits.get(key);
      if (tat == null) {
        tat = limits.computeIfAbsent(key, k -> new KeyCell(now));
        added = true;
      }
      long wait = Gcra.reserve(tat, now, intervalNanos, toleranceNanos, 0);
      if (wait == Gcra.RETIRED_CELL) {
        limits.remove(key, tat); // the sweep took this key out meanwhile: start it afresh
        continue;
      }
      if (added && limits.size() > maxKeys) {
        sweep(now);
      }
      return wait == 0;
    }
  }

  /** Takes a permit for the key of the current {@link Context}'s call, if one is free now. */
  private boolean tryAcquireForCurrentCall() {
    Function<Context, @Nullable K> f = keyOf;
    if (f == null) {
      throw new IllegalStateException(
          "keyed rate limiter '" + name + "' has no key function to find a call's key");
    }
    K key = f.apply(Context.current());
    if (key != null) {
      return tryAcquire(key);
    }
    return Gcra.reserve(unkeyed, clock.nanoTime(), intervalNanos, toleranceNanos, 0) == 0;
  }

  @Override
  public <T extends @Nullable Object> T execute(SyncChain chain, int next, Object task)
      throws Exception {
    if (!tryAcquireForCurrentCall()) {
      listeners.rejected(name, Rejection.RATE_LIMITED);
      throw rejection;
    }
    return chain.proceed(next, task);
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> executeAsync(
      AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task) {
    if (!tryAcquireForCurrentCall()) {
      listeners.rejected(name, Rejection.RATE_LIMITED);
      return CompletableFuture.failedFuture(rejection);
    }
    return chain.proceed(next, task);
  }

  /** Permits {@code key} could take right now. */
  public int availablePermits(K key) {
    long now = clock.nanoTime();
    KeyCell tat = limits.get(key);
    return Gcra.available(tat == null ? now : tat.get(), now, intervalNanos, toleranceNanos);
  }

  /** Keys currently held. */
  public int size() {
    return limits.size();
  }

  @Override
  public String toString() {
    return "KeyedRateLimiter["
        + name
        + ", "
        + config.permits()
        + "/"
        + config.period()
        + " per key]";
  }

  private void sweep(long now) {
    if (!sweeping.tryLock()) {
      return;
    }
    try {
      limits.forEach(
          (k, tat) -> {
            long value = tat.get();
            if (value - now <= 0) {
              retire(k, tat, value);
            }
          });
      int excess = limits.size() - maxKeys;
      if (excess > 0) {
        List<Held<K>> held = new ArrayList<>(limits.size());
        limits.forEach((k, tat) -> held.add(new Held<>(k, tat, tat.get())));
        held.sort((a, b) -> Long.compare(a.tatNanos(), b.tatNanos()));
        for (int i = 0; i < excess && i < held.size(); i++) {
          retire(held.get(i).key(), held.get(i).tat(), held.get(i).tatNanos());
        }
      }
    } finally {
      sweeping.unlock();
    }
  }

  /**
   * Takes {@code key} out if its limiter still holds {@code seen}: the cell is marked retired
   * first, so a caller that looked the key up before cannot take a permit from it afterwards (it
   * finds the mark and looks the key up again), then removed.
   */
  private void retire(K key, KeyCell tat, long seen) {
    if (tat.compareAndSet(seen, Gcra.RETIRED)) {
      limits.remove(key, tat);
    }
  }

  /** A key with its limiter's arrival time read once, so sorting sees stable values. */
  private record Held<K>(K key, KeyCell tat, long tatNanos) {}

  /** One key's arrival time: an {@link AtomicLong} GCRA can use. */
  private static final class KeyCell extends AtomicLong implements Gcra.Cell {
    private static final long serialVersionUID = 1L;

    KeyCell(long initial) {
      super(initial);
    }
  }
}
