package io.bulwark.resilience;

import io.bulwark.core.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One GCRA rate limit per key (client id, tenant, route) with bounded memory. Each key costs one
 * map entry holding one {@link AtomicLong}.
 *
 * <p>Memory bound: when the map grows past {@code maxKeys}, the thread that added the key sweeps
 * it. Keys whose limiter is idle (theoretical arrival time in the past) are removed first; that is
 * lossless, since an idle limiter and a fresh one behave identically. If still too many keys are
 * active, those closest to idle are evicted; an evicted key starts again with a full burst. The map
 * holds at most {@code maxKeys} plus the keys added concurrently during a sweep.
 *
 * <p>Thread-safe. Per-key guarantee as {@link RateLimiter} while the key is not evicted.
 */
public final class KeyedRateLimiter<K> {
  private final String name;
  private final RateLimiterConfig config;
  private final Clock clock;
  private final int maxKeys;
  private final long intervalNanos;
  private final long toleranceNanos;
  private final Map<K, KeyCell> limits = new ConcurrentHashMap<>();
  private final ReentrantLock sweeping = new ReentrantLock();

  KeyedRateLimiter(String name, RateLimiterConfig config, Clock clock, int maxKeys) {
    this.name = Checks.name(name);
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxKeys = Checks.positive("maxKeys", maxKeys);
    this.intervalNanos = config.intervalNanos();
    this.toleranceNanos = (config.burst() - 1) * intervalNanos;
  }

  public String name() {
    return name;
  }

  public RateLimiterConfig config() {
    return config;
  }

  /** Takes a permit for {@code key} if one is free now. */
  public boolean tryAcquire(K key) {
    long now = clock.nanoTime();
    KeyCell tat = limits.get(key);
    boolean added = false;
    if (tat == null) {
      tat = limits.computeIfAbsent(key, k -> new KeyCell(now));
      added = true;
    }
    boolean granted = Gcra.reserve(tat, now, intervalNanos, toleranceNanos, 0) == 0;
    if (added && limits.size() > maxKeys) {
      sweep(now);
    }
    return granted;
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

  private void sweep(long now) {
    if (!sweeping.tryLock()) {
      return;
    }
    try {
      limits.values().removeIf(tat -> tat.get() - now <= 0);
      int excess = limits.size() - maxKeys;
      if (excess > 0) {
        List<Held<K>> held = new ArrayList<>(limits.size());
        limits.forEach((k, tat) -> held.add(new Held<>(k, tat, tat.get())));
        held.sort((a, b) -> Long.compare(a.tatNanos(), b.tatNanos()));
        for (int i = 0; i < excess && i < held.size(); i++) {
          limits.remove(held.get(i).key(), held.get(i).tat());
        }
      }
    } finally {
      sweeping.unlock();
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
