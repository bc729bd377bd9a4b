package io.bulwark.examples.shop.inventory;

import io.bulwark.examples.shop.common.Products;
import io.bulwark.examples.shop.common.ServerSetup;
import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.examples.shop.inventory.InventoryStore.Line;
import io.bulwark.examples.shop.inventory.InventoryStore.Reservation;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The inventory service (2 instances, one shared SQLite database {@code inventory.db} in the
 * service's shared storage): stock per sku and reservations (see {@link InventoryStore} for the
 * guarantees).
 *
 * <p>{@code POST /reservations} {@code {"reservationId","items":[{"sku","quantity"}]}} → 201 new,
 * 200 replay, 409 {@code out_of_stock}; {@code POST /reservations/{id}/release} and {@code
 * .../ship} → 200, 409 {@code invalid_state} naming both states; {@code GET /stock/{sku}}.
 */
public final class InventoryService {
  static final int MAX_ID = 64;

  /** Body of {@code POST /reservations}. */
  public record ReserveRequest(@Nullable String reservationId, @Nullable List<Line> items) {}

  private final InventoryStore store;

  private InventoryService(InventoryStore store) {
    this.store = store;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) throws Exception {
    SqlitePool db = SqlitePool.open(ctx.serviceStorage().resolve("inventory.db"), 4);
    try {
      InventoryStore store = new InventoryStore(db);
      store.init(Products.load().all());
      InventoryService s = new InventoryService(store);
      ServerSetup.limiter(ctx)
          .post("/reservations", s::reserve)
          .post("/reservations/{id}/release", req -> answer(store.release(id(req))))
          .post("/reservations/{id}/ship", req -> answer(store.ship(id(req))))
          .get("/stock/{sku}", s::stock);
      return ServiceInstance.of(db);
    } catch (Exception | Error e) {
      db.close();
      throw e;
    }
  }

  private Response reserve(Request req) throws Exception {
    ReserveRequest body = req.bodyAs(ReserveRequest.class);
    String id = checkId(body.reservationId(), "reservationId");
    List<Line> items = body.items();
    if (items == null || items.isEmpty()) {
      throw HttpProblem.badRequest("reservation " + id + ": items must not be empty");
    }
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
    return answer(store.reserve(id, items));
  }

  private Response stock(Request req) throws Exception {
    String sku = req.pathParam("sku");
    return Response.json(new Stock(sku, store.stock(sku)));
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
