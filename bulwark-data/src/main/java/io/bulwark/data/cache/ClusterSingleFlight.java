package io.bulwark.data.cache;

import io.bulwark.core.config.Checks;
import io.bulwark.data.partition.Node;
import io.bulwark.data.partition.Partitioner;
import io.bulwark.events.Serde;
import io.bulwark.http.Handler;
import io.bulwark.http.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Cluster single-flight: the owner of a key under a {@link Partitioner} loads it once for the whole
 * cluster. Every instance mounts {@link #route} on its bulwark-http server and builds its cache
 * with {@link #loader}: a miss on a non-owner asks the owner over HTTP, and the owner answers from
 * its own cache (so concurrent requests from all instances coalesce onto one load there).
 *
 * <p>Outcomes: the owner's value is returned (and cached by the asking instance for its own TTL);
 * the owner answering 404 means the source has no value (null); the owner answering 502 means its
 * load failed, and that failure is thrown (the source is not hit again from here). When the owner
 * cannot be reached (connection refused, timeout, any other status) the asking instance loads
 * locally: availability wins over the one-load guarantee while the owner is down. With membership
 * views that disagree, a request can be forwarded once more; a cycle ends at the request timeout,
 * then loads locally. String keys only (the partitioner hashes strings).
 *
 * <p>Route: {@code GET /bulwark/cache/{cache}/load?key=<url-encoded key>}.
 */
public final class ClusterSingleFlight {
  /** The route template mounted by {@link #route}. */
  public static final String ROUTE = "/bulwark/cache/{cache}/load";

  private ClusterSingleFlight() {}

  /**
   * The handler of {@link #ROUTE} for {@code cache}: mount it with {@code
   * server.get(ClusterSingleFlight.ROUTE, ClusterSingleFlight.route(cache, valueSerde))}.
   */
  public static <V> Handler route(ReadThroughCache<String, V> cache, Serde<V> valueSerde) {
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(valueSerde, "valueSerde");
    return request -> {
      if (!cache.name().equals(request.pathParam("cache"))) {
        return Response.text(404, "no cache named " + request.pathParam("cache"));
      }
      String key = request.query("key");
      if (key == null || key.isEmpty()) {
        return Response.text(400, "query parameter key is required");
      }
      V value;
      try {
        value = cache.get(key);
      } catch (IllegalArgumentException badKey) {
        return Response.text(400, String.valueOf(badKey.getMessage()));
      } catch (CacheLoadException failed) {
        return Response.text(502, String.valueOf(failed.getMessage()));
      }
      if (value == null) {
        return Response.status(404);
      }
      return Response.bytes(200, "application/octet-stream", valueSerde.serialize(value));
    };
  }

  /**
   * A loader that loads {@code key} with {@code local} when {@code self} owns it under the current
   * partitioner, and otherwise asks the owner at {@code addressOf(owner)} (its base URI, e.g.
   * {@code http://10.0.0.7:8080}), falling back to {@code local} if the owner is unreachable.
   *
   * @param partitioner the current membership (read on each load, so a rebalance takes effect)
   */
  public static <V> CacheLoader<String, V> loader(
      String cacheName,
      Supplier<Partitioner> partitioner,
      Node self,
      Function<Node, URI> addressOf,
      Serde<V> valueSerde,
      Duration timeout,
      CacheLoader<String, V> local) {
    Checks.notBlank("cacheName", cacheName);
    Objects.requireNonNull(partitioner, "partitioner");
    Objects.requireNonNull(self, "self");
    Objects.requireNonNull(addressOf, "addressOf");
    Objects.requireNonNull(valueSerde, "valueSerde");
    Checks.positive("timeout", timeout);
    Objects.requireNonNull(local, "local");
    HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
    return key -> {
      Node owner = partitioner.get().owner(key);
      if (owner.id().equals(self.id())) {
        return local.load(key);
      }
      URI uri =
          addressOf
              .apply(owner)
              .resolve("/bulwark/cache/" + encode(cacheName) + "/load?key=" + encode(key));
      HttpResponse<byte[]> response;
      try {
        response =
            http.send(
                HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException unreachable) {
        return local.load(key); // owner down or too slow: load here (documented)
      }
      return switch (response.statusCode()) {
        case 200 -> valueSerde.deserialize(response.body());
        case 404 -> null;
        case 502 ->
            throw new OwnerLoadException(
                "owner "
                    + owner.id()
                    + " failed to load key of cache "
                    + cacheName
                    + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        default -> local.load(key);
      };
    };
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The owner's own load failed; thrown to the callers of the asking instance's load. */
  public static final class OwnerLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    public OwnerLoadException(String message) {
      super(message);
    }
  }
}
