package io.bulwark.examples.shop.inventory;

import io.bulwark.data.router.ShardRouter;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.resilience.Pipeline;
import io.bulwark.resilience.ResilienceRegistry;
import org.jspecify.annotations.Nullable;

/**
 * How orders and shipping call inventory: each call through the {@link ShardRouter} (to the owner
 * of the sku, then its replica), and with resilience on, the router's call inside the shop's {@code
 * inventory} pipeline of {@code shop/resilience.yaml} (retry within a budget, circuit breaker,
 * timeout, adaptive limit), so that a retry routes afresh. Built by {@link InventoryShards#client}.
 * Thread-safe.
 */
public final class InventoryClient implements AutoCloseable {
  private final ShardRouter router;
  private final @Nullable Pipeline pipeline;
  private final @Nullable ResilienceRegistry registry;

  InventoryClient(
      ShardRouter router, @Nullable Pipeline pipeline, @Nullable ResilienceRegistry registry) {
    this.router = router;
    this.pipeline = pipeline;
    this.registry = registry;
  }

  /** Sends {@code request} to the owner of {@code sku} (see {@link ShardRouter#send}). */
  public ClientResponse send(String sku, ClientRequest request) throws Exception {
    Pipeline p = pipeline;
    return p == null ? router.send(sku, request) : p.call(() -> router.send(sku, request));
  }

  /** The router (routes, ejections, the membership snapshot). */
  public ShardRouter router() {
    return router;
  }

  @Override
  public void close() {
    router.close();
    ResilienceRegistry r = registry;
    if (r != null) {
      r.close();
    }
  }
}
