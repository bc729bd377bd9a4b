package io.bulwark.examples.shop;

import io.bulwark.core.time.Clock;
import io.bulwark.examples.shop.inventory.InventoryShards;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Judges a run from the services' own SQLite stores, opened read-only: orders (orders and outbox),
 * the payments ledger, inventory (reservations and stock, one store per shard) and shipping
 * (shipments), and from the checkout saga runs that orders reports. First waits, within a budget,
 * for accepted work to settle; then reads everything once and checks the five invariants. Each
 * failed invariant's detail names the first offending ids.
 */
final class InvariantChecker {
  static final int NAMED = 5;

  /**
   * The orders database: {@code file} (SQLite), or the PostgreSQL database at {@code jdbcUrl} as
   * {@code user} when the URL is not null.
   */
  record OrdersDb(Path file, @Nullable String jdbcUrl, String user) {}

  /** The databases of one run. */
  record Stores(
      OrdersDb orders,
      Path ledger,
      List<Path> inventory,
      Path shipping,
      Path provider,
      Path notifications) {
    Stores {
      inventory = List.copyOf(inventory);
    }
  }

  /** A checkout saga run that is not final, as orders reports it. */
  record OpenRun(String runId, String status, @Nullable String cause) {
    /** PARKED with a cause: it waits for an operator, not for time. */
    boolean parkedWithCause() {
      return status.equals("PARKED") && cause != null && !cause.isBlank();
    }

    @Override
    public String toString() {
      return runId + " " + status + (cause == null ? "" : " (" + cause + ")");
    }
  }

  /**
   * The checkout saga runs as orders reports them: runs per status and the runs not final; {@code
   * answered} is false when orders could not be asked (then nothing is known and the run cannot be
   * judged settled).
   */
  record SagaRuns(boolean answered, Map<String, Long> byStatus, List<OpenRun> open) {
    SagaRuns {
      byStatus = Map.copyOf(byStatus);
      open = List.copyOf(open);
    }

    static SagaRuns unknown() {
      return new SagaRuns(false, Map.of(), List.of());
    }

    long count(String status) {
      return byStatus.getOrDefault(status, 0L);
    }

    /** The open runs other than PARKED ones with a cause. */
    List<String> moving() {
      return open.stream().filter(r -> !r.parkedWithCause()).map(OpenRun::toString).toList();
    }
  }

  /** The orders service as the checker asks it: its running checkouts and its saga runs. */
  interface Checkouts {
    /**
     * Waits at most {@code timeout} until orders runs no checkout (woken when the last one ends).
     *
     * @return true when none is running
     */
    boolean awaitNone(Duration timeout) throws InterruptedException;

    /** The checkout saga runs in orders' store now. */
    SagaRuns sagaRuns() throws InterruptedException;
  }

  /** Between two readings of the stores. */
  static final Duration READ_INTERVAL = Duration.ofMillis(100);

  private final Stores stores;
  private final Clock clock;
  private final Checkouts checkouts;

  InvariantChecker(Stores stores, Clock clock, Checkouts checkouts) {
    this.stores = stores;
    this.clock = clock;
    this.checkouts = checkouts;
  }

  /**
   * Within the budget: waits until orders runs no checkout (a checkout between reading its cart and
   * writing its order, or waiting for a charge, is visible in no store or in only some of them),
   * then reads the stores until two consecutive readings are equal and settled; then judges the
   * last reading. Two equal readings guard against work still moving between the stores (relay,
   * shipping, compensations).
   */
  InvariantReport check(Duration quiesceBudget) {
    long deadline = clock.nanoTime() + quiesceBudget.toNanos();
    try {
      boolean idle = checkouts.awaitNone(left(deadline));
      Snapshot s = Snapshot.read(stores, checkouts.sagaRuns());
      boolean stable = false;
      while (!(idle && stable && settled(s)) && left(deadline).isPositive()) {
        pause();
        idle = checkouts.awaitNone(left(deadline));
        Snapshot next = Snapshot.read(stores, checkouts.sagaRuns());
        stable = next.equals(s);
        s = next;
      }
      return judge(s, idle && stable && settled(s));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the shop's stores: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the shop to settle", e);
    }
  }

  private Duration left(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - clock.nanoTime()));
  }

  /**
   * The stores give no signal when they change (the relay, shipping and the compensation loop write
   * them from other instances, some in other files), so settling is observed by reading them again
   * after an interval: polling is the only way here, bounded by the budget.
   */
  private static void pause() throws InterruptedException {
    Thread.sleep(READ_INTERVAL);
  }

  private static boolean settled(Snapshot s) {
    if (s.unsentOutbox() > 0 || !s.sagaRuns().answered() || !s.sagaRuns().moving().isEmpty()) {
      return false;
    }
    for (Map.Entry<String, String> o : s.orderStatus().entrySet()) {
      boolean fin = o.getValue().equals("CONFIRMED") || o.getValue().equals("CANCELLED");
      if (!fin || (o.getValue().equals("CONFIRMED") && !s.shipments().containsKey(o.getKey()))) {
        return false;
      }
      if (o.getValue().equals("CONFIRMED") && !s.notifications().containsKey(o.getKey())) {
        return false;
      }
    }
    return true;
  }

  private InvariantReport judge(Snapshot s, boolean settled) {
    List<Invariant> list = new ArrayList<>();
    list.add(finalStates(s, settled));
    list.add(sagaRunsEnded(s));
    list.add(chargedOnce(s));
    list.add(units(s));
    list.add(paidShippedOrRefunded(s));
    list.add(ProviderInvariants.providerAgrees(s));
    list.add(ProviderInvariants.notifiedOnce(s));
    return new InvariantReport(List.copyOf(list), figures(s));
  }

  private static Invariant finalStates(Snapshot s, boolean settled) {
    List<String> bad = new ArrayList<>();
    s.orderStatus()
        .forEach(
            (id, status) -> {
              if (!status.equals("CONFIRMED") && !status.equals("CANCELLED")) {
                bad.add(id + " " + status);
              }
            });
    String detail =
        bad.isEmpty()
            ? s.orderStatus().size() + " orders, each CONFIRMED or CANCELLED"
            : bad.size() + " of " + s.orderStatus().size() + " orders not final: " + first(bad);
    if (!settled && bad.isEmpty()) {
      detail += " (the run had not settled within the budget)";
    }
    return new Invariant(
        "every accepted checkout ends in exactly one final state", bad.isEmpty(), detail);
  }

  /**
   * Every checkout saga run COMPLETED or COMPENSATED, or PARKED with a cause for an operator: no
   * run still running, waiting or compensating once the shop has settled.
   */
  private static Invariant sagaRunsEnded(Snapshot s) {
    SagaRuns runs = s.sagaRuns();
    String name = "every checkout saga run ends COMPLETED or COMPENSATED (or PARKED with a cause)";
    if (!runs.answered()) {
      return new Invariant(name, false, "orders did not report its saga runs");
    }
    List<String> moving = runs.moving();
    long total = runs.byStatus().values().stream().mapToLong(Long::longValue).sum();
    String counts =
        total
            + " runs: "
            + runs.count("COMPLETED")
            + " completed, "
            + runs.count("COMPENSATED")
            + " compensated, "
            + runs.count("PARKED")
            + " parked";
    return new Invariant(
        name,
        moving.isEmpty(),
        moving.isEmpty()
            ? counts
                + (runs.open().isEmpty()
                    ? ""
                    : "; parked: " + first(runs.open().stream().map(OpenRun::toString).toList()))
            : moving.size() + " of " + total + " runs not ended: " + first(moving));
  }

  private static Invariant chargedOnce(Snapshot s) {
    List<String> twice = new ArrayList<>();
    s.chargeRows()
        .forEach(
            (id, n) -> {
              if (n > 1) {
                twice.add(id + " charged " + n + " times");
              }
            });
    s.refundRows()
        .forEach(
            (id, n) -> {
              if (n > 1) {
                twice.add(id + " refunded " + n + " times");
              }
            });
    s.orderStatus()
        .forEach(
            (id, status) -> {
              if (status.equals("CANCELLED")
                  && s.chargeRows().getOrDefault(id, 0L) > s.refundRows().getOrDefault(id, 0L)) {
                twice.add(id + " CANCELLED but charged and not refunded");
              }
            });
    return new Invariant(
        "no payment charged twice (and no cancelled order keeps a charge)",
        twice.isEmpty(),
        twice.isEmpty()
            ? s.chargeRows().size() + " charge ids, each charged at most once"
            : twice.size() + " violations: " + first(twice));
  }

  /**
   * Stock: what the orders say was reserved (the items of each order inventory holds a reservation
   * for) must equal what inventory holds, order by order; nothing may stay reserved; the stock
   * taken from the shelves must equal the units shipped plus the units still reserved; a CONFIRMED
   * order's reservation is SHIPPED and a CANCELLED order's is never SHIPPED.
   */
  private static Invariant units(Snapshot s) {
    long reservedByOrders = 0;
    long reservedByInventory = 0;
    long shipped = units(s, "SHIPPED");
    long released = units(s, "RELEASED");
    long still = 0;
    List<String> bad = new ArrayList<>();
    for (Map.Entry<String, Long> r : s.reservationUnits().entrySet()) {
      String id = r.getKey();
      reservedByInventory += r.getValue();
      String state = s.reservationState().get(id);
      if (!"SHIPPED".equals(state) && !"RELEASED".equals(state)) {
        still += r.getValue();
        bad.add(
            id
                + " still "
                + state
                + " (order "
                + s.orderStatus().getOrDefault(id, "unknown")
                + ")");
      }
      Map<String, Long> ordered = s.orderItems().get(id);
      if (ordered == null) {
        reservedByOrders += r.getValue();
        continue;
      }
      Map<String, Long> held = s.reservationItems().getOrDefault(id, Map.of());
      Map<String, Long> expected = onShardsHolding(ordered, held);
      if (!CONFIRMED.equals(s.orderStatus().get(id))) {
        // a cancelled order may have reserved on some of its shards only
        ordered = expected;
      }
      reservedByOrders += ordered.values().stream().mapToLong(Long::longValue).sum();
      if (!ordered.equals(held)) {
        bad.add(id + " ordered " + ordered + " but reserved " + held);
      }
    }
    s.orderStatus()
        .forEach(
            (id, status) -> {
              String state = s.reservationState().getOrDefault(id, "none");
              if (status.equals("CONFIRMED") && !state.equals("SHIPPED")) {
                bad.add(id + " CONFIRMED but its reservation is " + state);
              } else if (status.equals("CANCELLED") && state.equals("SHIPPED")) {
                bad.add(id + " CANCELLED but its reservation is SHIPPED");
              }
            });
    boolean balanced = reservedByOrders == reservedByInventory;
    boolean conserved = s.stockTaken() == shipped + still;
    boolean holds = balanced && conserved && bad.isEmpty();
    String figures =
        "reserved "
            + reservedByOrders
            + " by the orders, "
            + reservedByInventory
            + " in inventory = shipped "
            + shipped
            + " + released "
            + released
            + " + still reserved "
            + still
            + "; stock taken from the shelves "
            + s.stockTaken();
    String detail =
        holds
            ? figures
            : figures
                + (balanced ? "" : "; orders and inventory disagree")
                + (conserved ? "" : "; stock taken ≠ shipped + still reserved")
                + (bad.isEmpty() ? "" : "; " + bad.size() + " violations: " + first(bad));
    return new Invariant("stock reserved = stock shipped + stock released", holds, detail);
  }

  private static final String CONFIRMED = "CONFIRMED";

  /**
   * The part of an order's items homed on the inventory shards where its reservation holds items:
   * each shard reserves its part of an order atomically, but the shards of one order are separate
   * stores, so an order that was refused by one shard (and cancelled) may hold (and release) its
   * part on the others only.
   */
  private static Map<String, Long> onShardsHolding(
      Map<String, Long> ordered, Map<String, Long> held) {
    Set<String> shards = new HashSet<>();
    held.keySet().forEach(sku -> shards.add(InventoryShards.shardOf(sku)));
    Map<String, Long> part = new java.util.TreeMap<>();
    ordered.forEach(
        (sku, n) -> {
          if (shards.contains(InventoryShards.shardOf(sku))) {
            part.put(sku, n);
          }
        });
    return part;
  }

  private static Invariant paidShippedOrRefunded(Snapshot s) {
    List<String> bad = new ArrayList<>();
    Set<String> paid = new HashSet<>();
    s.chargeRows()
        .forEach(
            (id, n) -> {
              if (n > s.refundRows().getOrDefault(id, 0L)) {
                paid.add(id);
              }
            });
    for (String id : paid.stream().sorted().toList()) {
      if (!"SHIPPED".equals(s.shipments().get(id))) {
        bad.add(
            id
                + " paid, order "
                + s.orderStatus().getOrDefault(id, "unknown")
                + ", shipment "
                + s.shipments().getOrDefault(id, "none"));
      }
    }
    s.orderStatus()
        .forEach(
            (id, status) -> {
              if (status.equals("CONFIRMED") && !paid.contains(id)) {
                bad.add(id + " CONFIRMED but not paid");
              }
              if (status.equals("CANCELLED") && s.shipments().containsKey(id)) {
                bad.add(id + " CANCELLED but has a shipment " + s.shipments().get(id));
              }
              Long charged = s.chargeAmount().get(id);
              long total = s.orderTotal().getOrDefault(id, 0L);
              if (charged != null && charged != total * s.chargeRows().getOrDefault(id, 1L)) {
                bad.add(id + " charged " + charged + " for a total of " + total);
              }
            });
    return new Invariant(
        "every paid order shipped or refunded",
        bad.isEmpty(),
        bad.isEmpty()
            ? paid.size() + " paid orders, all shipped"
            : bad.size() + " violations: " + first(bad));
  }

  private static Map<String, Long> figures(Snapshot s) {
    Map<String, Long> f = new LinkedHashMap<>();
    f.put("orders accepted", (long) s.orderStatus().size());
    f.put("orders confirmed", count(s.orderStatus(), "CONFIRMED"));
    f.put("orders cancelled", count(s.orderStatus(), "CANCELLED"));
    f.put("charges", s.chargeRows().values().stream().mapToLong(Long::longValue).sum());
    f.put("refunds", s.refundRows().values().stream().mapToLong(Long::longValue).sum());
    f.put("shipments", count(s.shipments(), "SHIPPED"));
    f.put(
        "units reserved", s.reservationUnits().values().stream().mapToLong(Long::longValue).sum());
    f.put("units shipped", units(s, "SHIPPED"));
    f.put("units released", units(s, "RELEASED"));
    f.put("saga runs completed", s.sagaRuns().count("COMPLETED"));
    f.put("saga runs compensated", s.sagaRuns().count("COMPENSATED"));
    f.put("saga runs parked", s.sagaRuns().count("PARKED"));
    ProviderInvariants.figures(s, f);
    return f;
  }

  private static long units(Snapshot s, String state) {
    return s.reservationUnits().entrySet().stream()
        .filter(e -> state.equals(s.reservationState().get(e.getKey())))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  private static long count(Map<String, String> m, String value) {
    return m.values().stream().filter(value::equals).count();
  }

  private static String first(List<String> items) {
    List<String> sorted = items.stream().sorted().toList();
    String shown = String.join(", ", sorted.subList(0, Math.min(NAMED, sorted.size())));
    return sorted.size() > NAMED ? shown + ", …" : shown;
  }
}
