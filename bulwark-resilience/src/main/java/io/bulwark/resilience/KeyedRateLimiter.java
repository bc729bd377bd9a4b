package io.bulwark.resilience;

import io.bulwark.core.context.Context;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One GCRA rate limit per key (client id, tenant, route) with bounded memory. Each key costs one
 * entry holding one {@link AtomicLong} in a Caffeine cache bounded to {@code maxKeys}.
 *
 * <p>Memory bound: at most {@code maxKeys} keys, plus at most one per thread that is adding a new
 * key at that instant, under any concurrency: a caller that adds a key while the map is over the
 * bound runs the cache's eviction before it returns. Admitting a new key costs O(1) amortised
 * (Caffeine's W-TinyLFU eviction, no scan or sort of the keys), and the path of a known key is a
 * lookup and one compare-and-set, with no allocation.
 *
 * <p>Which keys go, once {@code maxKeys} are held and a new key comes: first idle keys among the
 * few the cache would evict first (lossless, since an idle limiter behaves exactly as a fresh one),
 * then the keys used least often (Caffeine's W-TinyLFU: a flood of one-off keys mostly evicts
 * itself instead of the keys in regular use); an evicted key starts again with a full burst. Below
 * {@code maxKeys} nothing is dropped, so a known key's path carries no expiry bookkeeping. A
 * removed key's cell is marked retired as it goes, so a caller that looked the key up just before
 * cannot take a permit from it (it looks the key up again).
 *
 * <p>In a {@link Pipeline} the key of each call comes from its {@link Context} through the key
 * function given at creation (e.g. a baggage entry naming the tenant); calls whose key function
 * gives null share one limit of their own. It sits before the shared {@link RateLimiter} (see
 * {@link PolicyKind}), so a key over its own limit never spends a shared permit. It never waits: a
 * call without a permit is rejected with {@link Rejection#RATE_LIMITED}.
 *
 * <p>Thread-safe. Per-key guarantee as {@link RateLimiter} while the key is not evicted.
 */
public sealed interface KeyedRateLimiter<K> extends Policy permits DefaultKeyedRateLimiter {

  RateLimiterConfig config();

  /** Takes a permit for {@code key} if one is free now. */
  boolean tryAcquire(K key);

  /** Permits {@code key} could take right now. */
  int availablePermits(K key);

  /** Keys currently held, idle ones included. */
  int size();
}
