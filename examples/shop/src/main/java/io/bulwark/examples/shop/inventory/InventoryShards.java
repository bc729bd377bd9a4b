package io.bulwark.examples.shop.inventory;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.data.partition.Node;
import io.bulwark.data.partition.Partitioner;
import io.bulwark.data.router.ShardRouter;
import io.bulwark.examples.shop.common.Resources;
import io.bulwark.examples.shop.common.Settings;
import io.bulwark.examples.shop.common.ShopClients;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.HttpClients;
import io.bulwark.resilience.ResilienceRegistry;
import io.bulwark.runtime.InstanceContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * How inventory is sharded by SKU: {@value #SHARDS} shards named after the inventory instances
 * ({@code inventory-1..3}). A SKU's <em>home shard</em> is its owner under the partitioner over
 * those three names; each shard's stock and reservations live in their own SQLite store, {@code
 * inventory-N.db} in inventory's shared storage (see {@link InventoryService}).
 *
 * <p>Callers (orders' checkout saga, shipping) reach inventory through a {@link ShardRouter} whose
 * nodes are the live inventory instances under the same partitioner: with every instance up, a
 * SKU's requests go to the instance of its home shard; when that instance is killed or ejected they
 * go to the next owner of the SKU (rendezvous hashing: the same instance that inherits the shard
 * when the killed one leaves discovery), which opens the same shard store. Requests name their
 * shard in the path, so whichever instance serves them writes the home shard's store, and
 * reservations stay idempotent by reservation id.
 */
public final class InventoryShards {
  /** The number of shards, one per inventory instance. */
  public static final int SHARDS = 3;

  /** The shard names: the inventory instances' ids. */
  public static final List<String> NAMES = names();

  private static final Partitioner HOME = partitioner(NAMES.stream().map(Node::of).toList());

  private InventoryShards() {}

  private static List<String> names() {
    List<String> names = new ArrayList<>(SHARDS);
    for (int i = 1; i <= SHARDS; i++) {
      names.add("inventory-" + i);
    }
    return List.copyOf(names);
  }

  /** The partitioner of the shop's inventory: rendezvous (HRW) hashing over {@code nodes}. */
  public static Partitioner partitioner(List<Node> nodes) {
    return Partitioner.rendezvous(nodes);
  }

  /** The home shard of {@code sku}. */
  public static String shardOf(String sku) {
    return HOME.owner(sku).id();
  }

  /** True if {@code name} is one of the shards. */
  public static boolean isShard(String name) {
    return NAMES.contains(name);
  }

  /** {@code items} grouped by the home shard of their SKU, shards in name order. */
  public static <T> Map<String, List<T>> byShard(List<T> items, Function<T, String> sku) {
    Map<String, List<T>> groups = new TreeMap<>();
    for (T item : items) {
      groups.computeIfAbsent(shardOf(sku.apply(item)), s -> new ArrayList<>()).add(item);
    }
    return groups;
  }

  /**
   * The client of inventory for the instance of {@code ctx}: a shard router with, when resilience
   * is on, 2 owners per SKU (replica fallback), the outlier ejection of the {@code inventory}
   * client in {@code shop/clients.yaml} and the {@code inventory} pipeline around each call; with
   * resilience off, the owner only (a killed shard fails its calls), no ejection, no pipeline. Its
   * per-call timeouts are those of that client section.
   */
  public static InventoryClient client(InstanceContext ctx) {
    boolean on = Settings.resilience(ctx);
    String file = on ? ShopClients.CLIENTS : ShopClients.CLIENTS_PLAIN;
    ConfigLoader loader = ConfigLoader.withSystemEnv();
    Map<String, ClientConfig> all = loader.parse(Resources.text(file), file, HttpClients::bindAll);
    ClientConfig config = all.get("inventory");
    if (config == null) {
      throw new IllegalStateException(file + " has no client inventory; has " + all.keySet());
    }
    ShardRouter router =
        ShardRouter.builder("inventory", ctx.discovery(), ctx.scheduler())
            .partitioner(InventoryShards::partitioner)
            .replicas(on ? 2 : 1)
            .nodeIdFromMetadata("instance")
            .client(config)
            .outlier(config.outlier())
            .telemetry(ctx.telemetry())
            .build();
    if (!on) {
      return new InventoryClient(router, null, null);
    }
    try {
      ResilienceRegistry registry = ShopClients.registry(ctx, loader);
      return new InventoryClient(router, registry.pipeline("inventory"), registry);
    } catch (RuntimeException | Error e) {
      router.close();
      throw e;
    }
  }
}
