package io.bulwark.data.router;

import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Scheduler;
import io.bulwark.data.partition.Node;
import io.bulwark.data.partition.Partitioner;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.bulwark.http.health.OutlierConfig;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Routes a request to the owner of its key among the instances of one service: the instances found
 * in {@link ServiceDiscovery} are the nodes of a {@link Partitioner} (one immutable snapshot per
 * membership change), and a call for key {@code k} goes to {@code owners(hash(k), replicas)} in
 * order — the primary first, the next owner when the one before is ejected or its call failed
 * retriably.
 *
 * <pre>{@code
 * try (ShardRouter inventory =
 *     ShardRouter.builder("inventory", discovery, scheduler)
 *         .partitioner(Partitioner::rendezvous)
 *         .replicas(2)
 *         .nodeIdFromMetadata("instance")
 *         .build()) {
 *   ClientResponse r = inventory.send("sku-42", ClientRequest.get("/stock/sku-42"));
 * }
 * }</pre>
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>Routing is a pure function of the key, the membership snapshot and the ejection state: with
 *       every owner usable, every call for a key goes to {@code owners(hash(key), 1)}.
 *   <li>A call tries at most {@link #replicas()} distinct owners, each once, in partitioner order;
 *       ejected owners are skipped while a usable one is left, and tried last (in order) when every
 *       owner is ejected (trying one beats failing the call).
 *   <li>It moves to the next owner only after a retriable failure ({@code isRetriable()} of
 *       Bulwark's error taxonomy: a 5xx, a refused connection, a timeout). An answer below 500 is
 *       returned as it is, a deadline or a non-retriable failure ends the call. A request that
 *       falls back may therefore reach two owners: the endpoint it calls must be idempotent.
 *   <li>An owner is ejected by passive outlier detection over the router's own calls ({@link
 *       OutlierConfig}); it comes back by itself when its ejection ends, or at once as a new member
 *       when discovery reports it again under another address.
 * </ul>
 *
 * <p>Thread-safe; calls run on the caller's (virtual) thread. Each fallback is recorded as a {@code
 * shard-router} decision of the given telemetry.
 */
public interface ShardRouter extends AutoCloseable {

  /**
   * A builder of a router over the instances of {@code service}.
   *
   * @throws IllegalArgumentException if the service name is blank
   */
  static Builder builder(String service, ServiceDiscovery discovery, Scheduler scheduler) {
    return new Builder(service, discovery, scheduler);
  }

  /** The routed service. */
  String service();

  /** How many distinct owners a call may try (the {@code k} of {@code owners(hash, k)}). */
  int replicas();

  /**
   * Sends {@code request} to the owner of {@code key}, falling back to the next owners; see the
   * class guarantees.
   *
   * @throws IllegalArgumentException if the key is empty or longer than {@link #MAX_KEY_LENGTH}
   *     characters (naming it and the request)
   * @throws io.bulwark.http.client.HttpCallException when no instance of the service is known, or
   *     every owner tried failed retriably (one owner: its failure; more: one naming each failure)
   * @throws InterruptedException the caller was interrupted while it waited
   */
  ClientResponse send(String key, ClientRequest request) throws InterruptedException;

  /**
   * The owners of {@code key} in the order a call would try them now: usable owners first, in
   * partitioner order, then ejected ones. Empty when no instance is known.
   */
  List<Node> route(String key);

  /** The current membership snapshot (a partitioner over no node is never built: null then). */
  @Nullable Partitioner partitioner();

  /** True if the node is ejected now (after retriable failures of the router's calls to it). */
  boolean isEjected(String nodeId);

  /** Stops following discovery and closes the per-instance clients. */
  @Override
  void close();

  /** The longest key accepted, in characters. */
  int MAX_KEY_LENGTH = 1024;

  /** Builds a {@link ShardRouter}. */
  final class Builder {
    final String service;
    final ServiceDiscovery discovery;
    final Scheduler scheduler;
    @Nullable Function<List<Node>, Partitioner> partitioner;
    int replicas = 2;
    Function<Endpoint, String> nodeId = Endpoint::id;
    Function<Endpoint, Double> weight = e -> 1.0;
    @Nullable ClientConfig client;
    OutlierConfig outlier = OutlierConfig.defaults();
    Telemetry telemetry = Telemetry.noop();
    @Nullable Vertx vertx;

    private Builder(String service, ServiceDiscovery discovery, Scheduler scheduler) {
      Objects.requireNonNull(service, "service");
      if (service.isBlank()) {
        throw new IllegalArgumentException("shard router: service name must not be blank");
      }
      this.service = service;
      this.discovery = Objects.requireNonNull(discovery, "discovery");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * How a membership becomes a partitioner, called once per change with the members in a stable
     * order (sorted by node id); required.
     */
    public Builder partitioner(Function<List<Node>, Partitioner> partitioner) {
      this.partitioner = Objects.requireNonNull(partitioner, "partitioner");
      return this;
    }

    /**
     * How many distinct owners a call may try, the primary included (default 2).
     *
     * @throws IllegalArgumentException naming the value if it is below 1
     */
    public Builder replicas(int k) {
      if (k < 1) {
        throw new IllegalArgumentException(
            "shard router for " + service + ": replicas must be >= 1, was " + k);
      }
      this.replicas = k;
      return this;
    }

    /**
     * The node id of an instance: the value of endpoint metadata {@code key} (e.g. the runtime's
     * {@code instance}: {@code inventory-2}, stable across restarts on new ports), or the endpoint
     * id when the endpoint has no such label. Default: the endpoint id ({@code host:port}).
     */
    public Builder nodeIdFromMetadata(String key) {
      Objects.requireNonNull(key, "key");
      this.nodeId = e -> e.metadata().getOrDefault(key, e.id());
      return this;
    }

    /**
     * The weight of an instance's node (default 1.0 for all), e.g. from endpoint metadata; a weight
     * that is not a finite number above 0 drops that instance from the membership, logged as a
     * decision naming the endpoint and the value.
     */
    public Builder weight(Function<Endpoint, Double> weight) {
      this.weight = Objects.requireNonNull(weight, "weight");
      return this;
    }

    /**
     * The settings of the per-instance clients (timeout, connect timeout, pool, TLS); their retry,
     * circuit breaker, balancing and outlier settings are not used: the router makes one attempt
     * per owner. Default: {@code ClientConfig.builder(service).build()}.
     */
    public Builder client(ClientConfig config) {
      this.client = Objects.requireNonNull(config, "config");
      return this;
    }

    /** When an owner is ejected and for how long (default {@link OutlierConfig#defaults()}). */
    public Builder outlier(OutlierConfig config) {
      this.outlier = Objects.requireNonNull(config, "config");
      return this;
    }

    /** Where calls and fallbacks are recorded (default: nowhere). */
    public Builder telemetry(Telemetry telemetry) {
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      return this;
    }

    /** The Vert.x instance of the clients (default: the router's own, closed with it). */
    public Builder vertx(Vertx vertx) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
      return this;
    }

    /**
     * Builds the router and subscribes it to discovery.
     *
     * @throws IllegalStateException if no partitioner factory was given
     */
    public ShardRouter build() {
      if (partitioner == null) {
        throw new IllegalStateException(
            "shard router for " + service + ": no partitioner given (Builder.partitioner)");
      }
      return new RouterEngine(this);
    }
  }
}
