package io.bulwark.resilience;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.bulwark.core.config.Checks;
import io.bulwark.core.context.Context;
import io.bulwark.core.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The {@link KeyedRateLimiter}: a Caffeine cache of GCRA cells, one per key. */
@SuppressWarnings("TypeParameterUnusedInFormals") // results typed by the caller
final class DefaultKeyedRateLimiter<K> implements KeyedRateLimiter<K>, Stage {
  private final String name;
  private final RateLimiterConfig config;
  private final Clock clock;
  private final int maxKeys;
  private final long intervalNanos;
  private final long toleranceNanos;
  private final Cache<K, KeyCell> limits;
  private final @Nullable Function<Context, @Nullable K> keyOf;
  private final KeyCell unkeyed;
  private final ListenerSet listeners = new ListenerSet();
  private final PolicyRejectedException rejection;

  DefaultKeyedRateLimiter(
      String name,
      RateLimiterConfig config,
      Clock clock,
      int maxKeys,
      @Nullable Function<Context, @Nullable K> keyOf) {
    this.name = Checks.notBlank("name", name);
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
    this.limits =
        Caffeine.newBuilder()
            .maximumSize(maxKeys)
            .executor(Runnable::run) // eviction on the callers' threads, never in a pool
            .<K, KeyCell>evictionListener(DefaultKeyedRateLimiter::retire)
            .build();
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

  @Override
  public RateLimiterConfig config() {
    return config;
  }

  @Override
  public boolean tryAcquire(K key) {
    long now = clock.nanoTime();
    for (; ; ) {
      KeyCell tat = limits.getIfPresent(key);
      boolean added = false;
      if (tat == null) {
        if (limits.estimatedSize() >= maxKeys) {
          limits.cleanUp(); // apply pending additions, so that the coldest keys are known
          dropIdleColdest(now); // make room losslessly first, if a cold key is idle
        }
        KeyCell fresh = new KeyCell(now);
        KeyCell raced = limits.asMap().putIfAbsent(key, fresh);
        added = raced == null;
        tat = added ? fresh : raced;
      }
      long wait = Gcra.reserve(tat, now, intervalNanos, toleranceNanos, 0);
      if (wait == Gcra.RETIRED_CELL) {
        continue; // the cache dropped this key meanwhile: start it afresh
      }
      if (added && limits.estimatedSize() > maxKeys) {
        limits.cleanUp(); // evict now, so that the map never grows past the bound
      }
      return wait == 0;
    }
  }

  /**
   * Drops the idle keys among the {@value #IDLE_SWEEP} the cache would evict first. A key is idle
   * when its limiter has no debt (an idle limiter behaves exactly as a fresh one); its cell is
   * retired by compare-and-set first, so a caller that takes a permit from it meanwhile keeps it.
   */
  private void dropIdleColdest(long now) {
    limits
        .policy()
        .eviction()
        .ifPresent(
            eviction ->
                eviction
                    .coldest(IDLE_SWEEP)
                    .forEach(
                        (key, cell) -> {
                          long tat = cell.get();
                          if (tat != Gcra.RETIRED
                              && tat - now <= 0
                              && cell.compareAndSet(tat, Gcra.RETIRED)) {
                            limits.asMap().remove(key, cell);
                          }
                        }));
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
    return chain.stage(next).execute(chain, next + 1, task);
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

  @Override
  public int availablePermits(K key) {
    long now = clock.nanoTime();
    KeyCell tat = limits.getIfPresent(key);
    return Gcra.available(tat == null ? now : tat.get(), now, intervalNanos, toleranceNanos);
  }

  @Override
  public int size() {
    return (int) limits.estimatedSize();
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

  /**
   * Marks the cell of a key the cache evicts past {@code maxKeys} retired, so a caller that looked
   * the key up before cannot take a permit from it afterwards (it finds the mark and looks the key
   * up again).
   */
  private static <K> void retire(@Nullable K key, @Nullable KeyCell tat, RemovalCause cause) {
    if (tat != null) {
      tat.set(Gcra.RETIRED);
    }
  }

  /** How many of the coldest keys a new key past {@code maxKeys} looks at for idle ones. */
  private static final int IDLE_SWEEP = 8;

  /** One key's arrival time: an {@link AtomicLong} GCRA can use. */
  private static final class KeyCell extends AtomicLong implements Gcra.Cell {
    private static final long serialVersionUID = 1L;

    KeyCell(long initial) {
      super(initial);
    }
  }
}
