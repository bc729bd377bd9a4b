package io.bulwark.gateway.internal;

import com.nimbusds.jose.jwk.JWKSet;
import io.bulwark.core.time.Clock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys a JWT stage verifies with: a static set, or a JWKS URL fetched on first use, again after
 * the cache TTL, and on a token whose {@code kid} is unknown (key rotation) — but never more often
 * than once per {@code minInterval}, so tokens with random kids cannot make the gateway hammer the
 * key server. Concurrent refreshes share one fetch. A failed fetch keeps the keys already held.
 * {@link #refresh} blocks (network): call it on a virtual thread.
 */
final class JwksSource {
  private static final Logger LOG = LoggerFactory.getLogger(JwksSource.class);
  private static final long NEVER = Long.MIN_VALUE;

  private record State(JWKSet keys, long fetchedNanos, long attemptNanos) {}

  private final @Nullable URI url;
  private final long minIntervalNanos;
  private final long ttlNanos;
  private final Clock clock;
  private final @Nullable HttpClient http;
  private final AtomicReference<State> state;
  private final AtomicReference<@Nullable CompletableFuture<State>> inFlight =
      new AtomicReference<>();
  private final java.util.concurrent.atomic.AtomicLong fetches =
      new java.util.concurrent.atomic.AtomicLong();

  private JwksSource(
      @Nullable URI url, JWKSet initial, Duration minInterval, Duration ttl, Clock clock) {
    this.url = url;
    this.minIntervalNanos = minInterval.toNanos();
    this.ttlNanos = ttl.toNanos();
    this.clock = clock;
    this.http =
        url == null
            ? null
            : HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    this.state = new AtomicReference<>(new State(initial, NEVER, NEVER));
  }

  static JwksSource fixed(JWKSet keys, Clock clock) {
    return new JwksSource(null, keys, Duration.ofDays(1), Duration.ofDays(1), clock);
  }

  static JwksSource remote(URI url, Duration minInterval, Duration ttl, Clock clock) {
    return new JwksSource(url, new JWKSet(), minInterval, ttl, clock);
  }

  @Nullable URI url() {
    return url;
  }

  /** How many fetches were made (tests and the admin view). */
  long fetches() {
    return fetches.get();
  }

  /** The keys held now, or null if a remote set was never fetched or is older than its TTL. */
  @Nullable JWKSet cached() {
    State s = state.get();
    if (url == null) {
      return s.keys();
    }
    if (s.fetchedNanos() == NEVER || clock.nanoTime() - s.fetchedNanos() >= ttlNanos) {
      return null;
    }
    return s.keys();
  }

  /**
   * Fetches the set again if the last attempt is at least {@code minInterval} old (or none was
   * made), and returns the keys held afterwards. Blocks.
   */
  JWKSet refresh() throws IOException {
    URI u = url;
    State s = state.get();
    if (u == null) {
      return s.keys();
    }
    long now = clock.nanoTime();
    if (s.attemptNanos() != NEVER && now - s.attemptNanos() < minIntervalNanos) {
      return s.keys();
    }
    CompletableFuture<State> mine = new CompletableFuture<>();
    CompletableFuture<State> running = inFlight.compareAndExchange(null, mine);
    if (running != null) {
      return join(running).keys();
    }
    try {
      State fresh = fetch(u, s, now);
      state.set(fresh);
      mine.complete(fresh);
      return fresh.keys();
    } catch (IOException | RuntimeException e) {
      State kept = new State(s.keys(), s.fetchedNanos(), now);
      state.set(kept);
      mine.complete(kept);
      if (s.fetchedNanos() == NEVER) {
        throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
      }
      LOG.warn("JWKS fetch from {} failed, keeping the keys held: {}", u, e.toString());
      return kept.keys();
    } finally {
      inFlight.set(null);
    }
  }

  private State fetch(URI u, State before, long now) throws IOException {
    fetches.incrementAndGet();
    HttpClient client = http;
    if (client == null) {
      return before;
    }
    HttpResponse<String> resp;
    try {
      resp =
          client.send(
              HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + u, e);
    }
    if (resp.statusCode() != 200) {
      throw new IOException("JWKS " + u + " answered " + resp.statusCode());
    }
    if (resp.body().length() > 1 << 20) {
      throw new IOException("JWKS " + u + " is larger than 1 MiB");
    }
    try {
      JWKSet keys = JWKSet.parse(resp.body()).toPublicJWKSet();
      LOG.info("JWKS fetched from {}: {} keys", u, keys.getKeys().size());
      return new State(keys, clock.nanoTime(), now);
    } catch (ParseException e) {
      throw new IOException("JWKS " + u + " is not a JWK set: " + e.getMessage(), e);
    }
  }

  private static State join(CompletableFuture<State> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IOException(String.valueOf(e.getCause()), e);
    }
  }
}
