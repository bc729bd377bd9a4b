package io.bulwark.data.cache;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The immutable settings of a {@link ReadThroughCache}. Built by {@link #builder(String)}; every
 * setter validates and names the bad value. Defaults: {@code ttl} 5 min, no jitter, no
 * stale-while-revalidate, no negative caching, at most 10,000 entries, keys up to 1,024 units (see
 * {@link ReadThroughCache.Builder#keySize}), no early refresh, no last-good retention, invalidation
 * lag bound 30 s.
 *
 * @param name the cache name (metrics, errors, the invalidation topic's default)
 * @param ttl how long a loaded value is fresh
 * @param ttlJitter each entry's lifetime is {@code ttl × (1 ± ttlJitter)}, uniformly, so keys
 *     loaded together do not expire together; in {@code [0, 1)}
 * @param staleWhileRevalidate after {@code ttl}, for this long, a read returns the old value at
 *     once while exactly one background refresh runs; zero disables
 * @param negativeTtl how long a "no value" (loader returned null) or a failure of a {@code
 *     negativeFor} type is remembered; zero disables negative caching
 * @param negativeFor the exception types cached as negative results (only with a positive {@code
 *     negativeTtl}); any other failure is never cached
 * @param maximumSize the most entries (used when {@code maximumWeight} is 0)
 * @param maximumWeight the most total weight (needs a weigher); 0 means bound by size
 * @param maxKeySize the largest accepted key, in the units of the key sizer
 * @param earlyRefreshBeta XFetch's β: a read refreshes early with probability rising as expiry
 *     nears ({@code now − loadTime × β × ln(rand) ≥ expiry}); 0 disables, 1 is the paper's default
 * @param lastGoodRetention how long the last successfully loaded value of a key is kept for {@link
 *     ReadThroughCache#lookup} and {@link ReadThroughCache#fallback} after its entry is gone; zero
 *     disables
 * @param maxInvalidationLag an instance that receives an invalidation later than this after it was
 *     published flushes its whole cache (it may have served stale data meanwhile)
 */
public record CacheConfig(
    String name,
    Duration ttl,
    double ttlJitter,
    Duration staleWhileRevalidate,
    Duration negativeTtl,
    List<Class<? extends Exception>> negativeFor,
    long maximumSize,
    long maximumWeight,
    int maxKeySize,
    double earlyRefreshBeta,
    Duration lastGoodRetention,
    Duration maxInvalidationLag) {

  public CacheConfig {
    Checks.notBlank("name", name);
    Checks.positive("ttl", ttl);
    if (!(ttlJitter >= 0 && ttlJitter < 1)) {
      throw new IllegalArgumentException(
          "ttlJitter must be in [0, 1), was " + ttlJitter + " (cache " + name + ")");
    }
    Checks.notNegative("staleWhileRevalidate", staleWhileRevalidate);
    Checks.notNegative("negativeTtl", negativeTtl);
    negativeFor = List.copyOf(negativeFor);
    Checks.notNegative("maximumSize", maximumSize);
    Checks.notNegative("maximumWeight", maximumWeight);
    Checks.positive("maxKeySize", maxKeySize);
    if (!(earlyRefreshBeta >= 0) || Double.isInfinite(earlyRefreshBeta)) {
      throw new IllegalArgumentException(
          "earlyRefreshBeta must be a finite number >= 0, was "
              + earlyRefreshBeta
              + " (cache "
              + name
              + ")");
    }
    Checks.notNegative("lastGoodRetention", lastGoodRetention);
    Checks.positive("maxInvalidationLag", maxInvalidationLag);
  }

  /** A builder with the defaults for a cache named {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The defaults for a cache named {@code name}. */
  public static CacheConfig of(String name) {
    return builder(name).build();
  }

  /** A builder holding this config's values: {@code toBuilder().build()} equals this. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.ttl = ttl;
    b.ttlJitter = ttlJitter;
    b.staleWhileRevalidate = staleWhileRevalidate;
    b.negativeTtl = negativeTtl;
    b.negativeFor.addAll(negativeFor);
    b.maximumSize = maximumSize;
    b.maximumWeight = maximumWeight;
    b.maxKeySize = maxKeySize;
    b.earlyRefreshBeta = earlyRefreshBeta;
    b.lastGoodRetention = lastGoodRetention;
    b.maxInvalidationLag = maxInvalidationLag;
    return b;
  }

  /**
   * Binds a cache section: {@code ttl}, {@code ttl-jitter}, {@code stale-while-revalidate}, {@code
   * negative-ttl}, {@code maximum-size}, {@code maximum-weight}, {@code max-key-size}, {@code
   * early-refresh-beta}, {@code last-good-retention}, {@code max-invalidation-lag} (all optional;
   * {@code negativeFor} types are code-only).
   */
  public static CacheConfig bind(String name, ConfigReader r) {
    Builder b = builder(name);
    r.duration("ttl", b::ttl)
        .decimal("ttl-jitter", b::ttlJitter)
        .duration("stale-while-revalidate", b::staleWhileRevalidate)
        .duration("negative-ttl", b::negativeTtl)
        .longValue("maximum-size", b::maximumSize)
        .longValue("maximum-weight", b::maximumWeight)
        .integer("max-key-size", b::maxKeySize)
        .decimal("early-refresh-beta", b::earlyRefreshBeta)
        .duration("last-good-retention", b::lastGoodRetention)
        .duration("max-invalidation-lag", b::maxInvalidationLag);
    return b.build();
  }

  /** Builds a {@link CacheConfig}; setters validate. */
  public static final class Builder {
    private final String name;
    private Duration ttl = Duration.ofMinutes(5);
    private double ttlJitter;
    private Duration staleWhileRevalidate = Duration.ZERO;
    private Duration negativeTtl = Duration.ZERO;
    private final List<Class<? extends Exception>> negativeFor = new ArrayList<>();
    private long maximumSize = 10_000;
    private long maximumWeight;
    private int maxKeySize = 1024;
    private double earlyRefreshBeta;
    private Duration lastGoodRetention = Duration.ZERO;
    private Duration maxInvalidationLag = Duration.ofSeconds(30);

    private Builder(String name) {
      this.name = Checks.notBlank("name", name);
    }

    public Builder ttl(Duration ttl) {
      this.ttl = Checks.positive("ttl", ttl);
      return this;
    }

    /** Spreads each entry's lifetime over {@code ttl × (1 ± jitter)}; {@code jitter} in [0, 1). */
    public Builder ttlJitter(double jitter) {
      if (!(jitter >= 0 && jitter < 1)) {
        throw new IllegalArgumentException(
            "ttlJitter must be in [0, 1), was " + jitter + " (cache " + name + ")");
      }
      this.ttlJitter = jitter;
      return this;
    }

    public Builder staleWhileRevalidate(Duration window) {
      this.staleWhileRevalidate = Checks.notNegative("staleWhileRevalidate", window);
      return this;
    }

    public Builder negativeTtl(Duration negativeTtl) {
      this.negativeTtl = Checks.notNegative("negativeTtl", negativeTtl);
      return this;
    }

    /** Failures of these types (and subtypes) are cached for {@code negativeTtl}. */
    @SafeVarargs
    public final Builder negativeFor(Class<? extends Exception>... types) {
      for (Class<? extends Exception> t : types) {
        negativeFor.add(Objects.requireNonNull(t, "negativeFor type"));
      }
      return this;
    }

    public Builder maximumSize(long entries) {
      this.maximumSize = Checks.notNegative("maximumSize", entries);
      return this;
    }

    /**
     * Bounds the total weight instead of the entry count (needs a weigher on the cache builder).
     */
    public Builder maximumWeight(long weight) {
      this.maximumWeight = Checks.notNegative("maximumWeight", weight);
      return this;
    }

    public Builder maxKeySize(int size) {
      this.maxKeySize = Checks.positive("maxKeySize", size);
      return this;
    }

    public Builder earlyRefreshBeta(double beta) {
      if (!(beta >= 0) || Double.isInfinite(beta)) {
        throw new IllegalArgumentException(
            "earlyRefreshBeta must be a finite number >= 0, was " + beta + " (cache " + name + ")");
      }
      this.earlyRefreshBeta = beta;
      return this;
    }

    public Builder lastGoodRetention(Duration retention) {
      this.lastGoodRetention = Checks.notNegative("lastGoodRetention", retention);
      return this;
    }

    public Builder maxInvalidationLag(Duration lag) {
      this.maxInvalidationLag = Checks.positive("maxInvalidationLag", lag);
      return this;
    }

    public CacheConfig build() {
      return new CacheConfig(
          name,
          ttl,
          ttlJitter,
          staleWhileRevalidate,
          negativeTtl,
          negativeFor,
          maximumSize,
          maximumWeight,
          maxKeySize,
          earlyRefreshBeta,
          lastGoodRetention,
          maxInvalidationLag);
    }
  }
}
