package io.bulwark.http.health;

import io.bulwark.core.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Passive outlier ejection: watches the outcome of real requests per endpoint and takes an endpoint
 * out of rotation after {@code consecutiveFailures} failures in a row, or when its failure rate
 * within an interval reaches the threshold (with enough requests). The k-th ejection of an endpoint
 * lasts {@code k × baseEjection} (capped at {@code maxEjection}); an ejected endpoint comes back by
 * itself when its time is up. Never ejects more than {@code maxEjectedShare} of the endpoints
 * (rounded down, but at least one may go if the share is above zero).
 *
 * <p>Time comes from the injected {@link Clock}. Thread-safe; per-endpoint state is updated under a
 * tiny per-endpoint lock.
 */
public final class OutlierDetector {
  private final OutlierConfig config;
  private final Clock clock;
  private final Map<String, Stats> stats = new ConcurrentHashMap<>();

  private static final class Stats {
    int consecutive;
    int windowRequests;
    int windowFailures;
    long windowStart;
    int ejections;
    volatile long ejectedUntil = Long.MIN_VALUE;
    volatile boolean ejected;
  }

  public OutlierDetector(OutlierConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /**
   * Records one request outcome for endpoint {@code id} among {@code all} the service's endpoint
   * ids; may eject it.
   *
   * @return true if this outcome ejected the endpoint
   */
  public boolean record(String id, boolean success, Collection<String> all) {
    long now = clock.nanoTime();
    Stats s = stats.get(id); // no capturing lambda per call once the endpoint is known
    if (s == null) {
      s = stats.computeIfAbsent(id, k -> newStats(now));
    }
    boolean shouldEject;
    synchronized (s) {
      if (now - s.windowStart >= config.interval().toNanos()) {
        s.windowStart = now;
        s.windowRequests = 0;
        s.windowFailures = 0;
      }
      s.windowRequests++;
      if (success) {
        s.consecutive = 0;
        return false;
      }
      s.windowFailures++;
      s.consecutive++;
      if (isEjected(s, now)) {
        return false;
      }
      shouldEject =
          s.consecutive >= config.consecutiveFailures()
              || (s.windowRequests >= config.minimumRequests()
                  && (double) s.windowFailures / s.windowRequests >= config.failureRateThreshold());
    }
    return shouldEject && tryEject(s, now, all);
  }

  private Stats newStats(long now) {
    Stats s = new Stats();
    s.windowStart = now;
    return s;
  }

  private synchronized boolean tryEject(Stats s, long now, Collection<String> all) {
    int ejectedNow = 0;
    for (String id : all) {
      Stats o = stats.get(id);
      if (o != null && o != s && isEjected(o, now)) {
        ejectedNow++;
      }
    }
    int allowed = (int) Math.floor(config.maxEjectedShare() * all.size());
    if (config.maxEjectedShare() > 0) {
      allowed = Math.max(1, allowed);
    }
    if (ejectedNow + 1 > allowed) {
      return false;
    }
    synchronized (s) {
      s.ejections++;
      long base = config.baseEjection().toNanos();
      long duration =
          Math.min(config.maxEjection().toNanos(), saturatedMultiply(base, s.ejections));
      s.ejectedUntil = now + duration;
      s.ejected = true;
      s.consecutive = 0;
      s.windowRequests = 0;
      s.windowFailures = 0;
    }
    return true;
  }

  private static long saturatedMultiply(long a, int b) {
    long r = a * b;
    return (b != 0 && r / b != a) ? Long.MAX_VALUE : r;
  }

  private static boolean isEjected(Stats s, long now) {
    if (!s.ejected) {
      return false;
    }
    if (now - s.ejectedUntil >= 0) {
      s.ejected = false;
      return false;
    }
    return true;
  }

  /** True if {@code id} is ejected now. */
  public boolean isEjected(String id) {
    Stats s = stats.get(id);
    return s != null && isEjected(s, clock.nanoTime());
  }

  /** How many times {@code id} has been ejected so far. */
  public int ejections(String id) {
    Stats s = stats.get(id);
    if (s == null) {
      return 0;
    }
    synchronized (s) {
      return s.ejections;
    }
  }

  /** Forgets endpoints that are no longer in {@code ids}. */
  public void retain(Set<String> ids) {
    stats.keySet().retainAll(ids);
  }
}
