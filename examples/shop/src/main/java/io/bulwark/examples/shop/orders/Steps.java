package io.bulwark.examples.shop.orders;

import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.orders.OrderStore.Item;
import io.bulwark.examples.shop.orders.OrderStore.Order;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.HttpClients;
import io.bulwark.http.client.ServiceClient;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls a checkout makes to inventory and payments, and its compensations: release of a
 * reservation and refund of a charge, both idempotent on the other side, so repeating one is safe.
 * {@link #settleAll} is the compensation loop's pass: it retries every pending compensation and
 * cancels checkouts left unfinished (an instance that died mid-checkout), until none is left.
 */
final class Steps {
  private static final Logger LOG = LoggerFactory.getLogger(Steps.class);

  /** How a reservation went. */
  enum Outcome {
    RESERVED,
    /** Inventory refused it (out of stock): nothing reserved. */
    REFUSED,
    /** No clear answer: something may be reserved; it must be released. */
    FAILED
  }

  record Reservation(Outcome outcome, String detail) {}

  record Line(String sku, int quantity) {}

  private final OrderStore store;
  private final ServiceClient inventory;
  private final ServiceClient payments;

  Steps(OrderStore store, HttpClients clients) {
    this.store = store;
    this.inventory = clients.client("inventory");
    this.payments = clients.client("payments");
  }

  Reservation reserve(String orderId, List<Item> items) {
    List<Line> lines = items.stream().map(i -> new Line(i.sku(), i.quantity())).toList();
    try {
      ClientResponse r =
          inventory.send(
              Json.post("/reservations", Map.of("reservationId", orderId, "items", lines)));
      return switch (r.status()) {
        case 200, 201 -> reservedOrNot(Json.body(r, Stored.class, "POST /reservations"));
        case 409 -> new Reservation(Outcome.REFUSED, r.bodyAsString());
        default -> new Reservation(Outcome.FAILED, "inventory answered " + r.status());
      };
    } catch (Exception e) {
      return new Reservation(Outcome.FAILED, message(e));
    }
  }

  /** What inventory answers about a reservation. */
  record Stored(String state) {}

  /** A reservation stored earlier under the same id may have been released since (a tombstone). */
  private static Reservation reservedOrNot(Stored stored) {
    return stored.state().equals("RESERVED")
        ? new Reservation(Outcome.RESERVED, "")
        : new Reservation(Outcome.FAILED, "reservation is " + stored.state());
  }

  /** Charges the order; null when charged, else why not. */
  @Nullable String charge(String orderId, long total) {
    try {
      ClientResponse r =
          payments.send(Json.post("/charges", Map.of("chargeId", orderId, "amount", total)));
      return r.status() == 200 || r.status() == 201 ? null : "payments answered " + r.status();
    } catch (Exception e) {
      return message(e);
    }
  }

  /** Runs the compensations still to do for a CANCELLED order and records what is left. */
  void settle(String orderId, boolean release, boolean refund) throws SQLException {
    boolean releaseLeft =
        release && !call(inventory, "/reservations/" + orderId + "/release", Map.of());
    boolean refundLeft = refund && !call(payments, "/refunds", Map.of("chargeId", orderId));
    store.compensated(orderId, releaseLeft, refundLeft);
  }

  /**
   * One pass of the compensation loop: every order with compensations pending, and every order not
   * final, not being checked out here and untouched since {@code staleBefore} (epoch ms).
   *
   * @return how many orders still need work after this pass
   */
  int settleAll(Set<String> inFlight, long staleBefore) throws SQLException {
    int left = 0;
    for (Order o : store.needingWork(staleBefore, 100)) {
      if (inFlight.contains(o.orderId())) {
        continue;
      }
      boolean release = o.needsRelease();
      boolean refund = o.needsRefund();
      if (!o.isFinal()) {
        if (!store.cancel(o.orderId(), "checkout abandoned mid-way", true, true)) {
          continue;
        }
        release = true;
        refund = true;
      }
      settle(o.orderId(), release, refund);
      Order after = store.byId(o.orderId()).orElse(o);
      if (after.needsRelease() || after.needsRefund()) {
        left++;
      }
    }
    return left;
  }

  private static boolean call(ServiceClient client, String path, Map<String, String> body) {
    try {
      int status = client.send(Json.post(path, body)).status();
      if (status == 200 || status == 201) {
        return true;
      }
      LOG.warn("compensation POST {} answered {}", path, status);
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  private static String message(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
