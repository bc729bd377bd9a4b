package io.bulwark.examples.shop.inventory;

import io.bulwark.examples.shop.common.Closeables;
import io.bulwark.examples.shop.common.Products;
import io.bulwark.examples.shop.common.Products.Product;
import io.bulwark.examples.shop.common.ServerSetup;
import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.examples.shop.inventory.InventoryStore.Line;
import io.bulwark.examples.shop.inventory.InventoryStore.Reservation;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The inventory service ({@value InventoryShards#SHARDS} instances), sharded by SKU (see {@link
 * InventoryShards}): each shard's stock and reservations live in their own SQLite store {@code
 * inventory-N.db} in the service's shared storage, and every instance opens every shard's store, so
 * that a replica can serve a shard whose instance is down (see {@link InventoryStore} for the
 * guarantees of one store; writers of one store are serialized by SQLite across instances).
 *
 * <p>{@code POST /shards/{shard}/reservations} {@code
 * {"reservationId","items":[{"sku","quantity"}]}} (every sku homed on {@code shard}) → 201 new, 200
 * replay, 409 {@code out_of_stock}; {@code POST /shards/{shard}/reservations/{id}/release} and
 * {@code .../ship} → 200, 409 {@code invalid_state} naming both states; {@code GET /stock/{sku}}
 * (any instance, from the sku's home shard). An unknown shard is 404, a sku of another shard 400,
 * naming the sku and both shards.
 */
public final class InventoryService {
  static final int MAX_ID = 64;

  /** Body of {@code POST /shards/{shard}/reservations}. */
  public record ReserveRequest(@Nullable String reservationId, @Nullable List<Line> items) {}

  private final Map<String, InventoryStore> stores;

  private InventoryService(Map<String, InventoryStore> stores) {
    this.stores = stores;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) throws Exception {
    List<SqlitePool> pools = new ArrayList<>();
    try {
      Map<String, List<Product>> seeds =
          InventoryShards.byShard(Products.load().all(), Product::sku);
      Map<String, InventoryStore> stores = new LinkedHashMap<>();
      for (String shard : InventoryShards.NAMES) {
        SqlitePool db = SqlitePool.open(storeFile(ctx.serviceStorage(), shard), 2);
        pools.add(db);
        InventoryStore store = new InventoryStore(db);
        store.init(seeds.getOrDefault(shard, List.of()));
        stores.put(shard, store);
      }
      InventoryService s = new InventoryService(Map.copyOf(stores));
      ServerSetup.limiter(ctx)
          .post("/shards/{shard}/reservations", s::reserve)
          .post(
              "/shards/{shard}/reservations/{id}/release",
              req -> answer(s.store(req).release(id(req))))
          .post("/shards/{shard}/reservations/{id}/ship", req -> answer(s.store(req).ship(id(req))))
          .get("/stock/{sku}", s::stock);
      return ServiceInstance.of(pools.toArray(AutoCloseable[]::new));
    } catch (Exception | Error e) {
      Closeables.closeAfter(e, pools.toArray(AutoCloseable[]::new));
      throw e;
    }
  }

  /** The store file of {@code shard} in inventory's shared storage {@code dir}. */
  public static Path storeFile(Path dir, String shard) {
    return dir.resolve(shard + ".db");
  }

  private InventoryStore store(Request req) {
    String shard = req.pathParam("shard");
    InventoryStore store = stores.get(shard);
    if (store == null) {
      throw HttpProblem.notFound(
          "no inventory shard " + shard + "; shards: " + InventoryShards.NAMES);
    }
    return store;
  }

  private Response reserve(Request req) throws Exception {
    ReserveRequest body = req.bodyAs(ReserveRequest.class);
    String id = checkId(body.reservationId(), "reservationId");
    List<Line> items = body.items();
    if (items == null || items.isEmpty()) {
      throw HttpProblem.badRequest("reservation " + id + ": items must not be empty");
    }
    String shard = req.pathParam("shard");
    InventoryStore store = store(req);
    Set<String> seen = new HashSet<>();
    for (Line line : items) {
      if (line.sku() == null || !seen.add(line.sku())) {
        throw HttpProblem.badRequest(
            "reservation " + id + ": each item needs a distinct sku, got " + line.sku());
      }
      if (line.quantity() < 1) {
        throw HttpProblem.badRequest(
            "reservation "
                + id
                + ": quantity of "
                + line.sku()
                + " must be >= 1, was "
                + line.quantity());
      }
    }
    for (Line line : items) {
      String home = InventoryShards.shardOf(line.sku());
      if (!home.equals(shard)) {
        throw HttpProblem.badRequest(
            "reservation "
                + id
                + ": sku "
                + line.sku()
                + " belongs to shard "
                + home
                + ", not "
                + shard);
      }
    }
    return answer(store.reserve(id, items));
  }

  private Response stock(Request req) throws Exception {
    String sku = req.pathParam("sku");
    InventoryStore store = stores.get(InventoryShards.shardOf(sku));
    return Response.json(new Stock(sku, store == null ? 0 : store.stock(sku)));
  }

  /** Answer of {@code GET /stock/{sku}}. */
  public record Stock(String sku, int available) {}

  private static Response answer(Reservation r) {
    if (r.state().equals(InventoryStore.RELEASED) && r.created() && r.items().isEmpty()) {
      return Response.json(200, r);
    }
    return Response.json(r.created() ? 201 : 200, r);
  }

  private static String id(Request req) {
    return checkId(req.pathParam("id"), "reservation id");
  }

  static String checkId(@Nullable String id, String what) {
    if (id == null || id.isBlank() || id.length() > MAX_ID) {
      throw HttpProblem.badRequest(what + " must be 1.." + MAX_ID + " characters, was " + id);
    }
    return id;
  }
}
