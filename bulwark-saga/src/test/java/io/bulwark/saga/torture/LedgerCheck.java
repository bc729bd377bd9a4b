package io.bulwark.saga.torture;

import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunView;
import io.bulwark.saga.StepView;
import io.bulwark.saga.torture.OrderSaga.Order;
import io.bulwark.saga.torture.OrderSaga.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Checks the ledger and the runs after a torture test, exactly: every run ended with the status its
 * order's {@link Outcome} demands (a compensated run's cause names the failing step), every effect
 * the outcome implies is in {@code torture_effects} exactly once and no other effect is, stock and
 * money equal their initial values moved by exactly the completed orders, one shipment and one
 * courier booking per completed order (a refused-by-courier order's shipment cancelled), and the
 * engine's attempt counts show the retries the saga forced.
 */
final class LedgerCheck {
  private final DataSource db;
  private final Function<String, Optional<RunView>> runs;
  private final int count;
  private final List<String> violations = new ArrayList<>();
  private final Map<RunStatus, Integer> statuses = new TreeMap<>();

  /**
   * @param runs the store's view of a run (the engine's {@code run})
   * @param count the number of orders started ({@code order-0} to {@code order-<count - 1>})
   */
  LedgerCheck(DataSource db, Function<String, Optional<RunView>> runs, int count) {
    this.db = db;
    this.runs = runs;
    this.count = count;
  }

  /** What the check found; {@code violations} is empty when every invariant holds. */
  record Result(
      Map<RunStatus, Integer> statuses, long duplicatesAbsorbed, List<String> violations) {
    String statusLine() {
      return statuses.toString();
    }
  }

  Result run() throws SQLException {
    checkRuns();
    checkEffects();
    checkBalances();
    checkRows("torture_shipments", "created", Outcome.COMPLETES);
    checkRows("torture_shipments", "cancelled", Outcome.COURIER_REFUSED);
    checkCourier();
    long duplicates = queryLong("SELECT COALESCE(SUM(hits - 1), 0) FROM torture_idem");
    return new Result(Map.copyOf(statuses), duplicates, List.copyOf(violations));
  }

  private void checkRuns() {
    for (int i = 0; i < count; i++) {
      String id = OrderSaga.runId(i);
      Optional<RunView> found = runs.apply(id);
      if (found.isEmpty()) {
        violations.add(id + ": no run in the store");
        continue;
      }
      RunView run = found.get();
      statuses.merge(run.status(), 1, Integer::sum);
      Outcome outcome = Outcome.of(i);
      String failing = outcome.failingStep();
      if (failing == null) {
        expect(run.status() == RunStatus.COMPLETED, id, "expected COMPLETED, is " + describe(run));
        String output = "\"shipment-" + id + "/courier-" + id + "\"";
        expect(output.equals(run.outputJson()), id, "output " + run.outputJson() + " != " + output);
      } else {
        expect(
            run.status() == RunStatus.COMPENSATED,
            id,
            "expected COMPENSATED (" + outcome + "), is " + describe(run));
        String cause = run.cause();
        expect(
            cause != null && cause.contains(failing),
            id,
            "compensated run's cause does not name " + failing + ": " + cause);
      }
      checkAttempts(run, i);
    }
  }

  private void checkAttempts(RunView run, int index) {
    Map<String, StepView> steps = new HashMap<>();
    for (StepView s : run.steps()) {
      if (steps.put(s.name(), s) != null) {
        violations.add(run.runId() + ": step " + s.name() + " stored twice");
      }
    }
    StepView reserve = steps.get(OrderSaga.RESERVE);
    if (reserve == null) {
      violations.add(run.runId() + ": no stored step " + OrderSaga.RESERVE);
      return;
    }
    if (OrderSaga.reserveFlaky(index)) {
      expect(
          reserve.attempts() >= 2,
          run.runId(),
          "reserve failed retriably on attempt 1, yet the store counts " + reserve.attempts());
    }
    Outcome outcome = Outcome.of(index);
    boolean refunded = outcome == Outcome.SHIPMENT_REFUSED || outcome == Outcome.COURIER_REFUSED;
    StepView charge = steps.get(OrderSaga.CHARGE);
    if (refunded && OrderSaga.refundFlaky(index) && charge != null) {
      expect(
          charge.compensationAttempts() >= 2,
          run.runId(),
          "refund failed on attempt 1, yet the store counts " + charge.compensationAttempts());
    }
  }

  private void checkEffects() throws SQLException {
    Map<String, Map<String, Integer>> seen = new HashMap<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT order_id, effect, COUNT(*) FROM torture_effects GROUP BY order_id, effect");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        seen.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
            .put(rs.getString(2), rs.getInt(3));
      }
    }
    for (int i = 0; i < count; i++) {
      String id = OrderSaga.runId(i);
      Map<String, Integer> expected = expectedEffects(Outcome.of(i));
      Map<String, Integer> got = seen.getOrDefault(id, Map.of());
      if (!expected.equals(got)) {
        violations.add(id + " (" + Outcome.of(i) + "): effects " + got + ", expected " + expected);
      }
      seen.remove(id);
    }
    for (String stray : seen.keySet()) {
      violations.add(stray + ": effects of an order that was never started: " + seen.get(stray));
    }
  }

  static Map<String, Integer> expectedEffects(Outcome outcome) {
    Map<String, Integer> m = new TreeMap<>();
    m.put("RESERVE", 1);
    switch (outcome) {
      case COMPLETES -> {
        m.put("CHARGE", 1);
        m.put("SHIP", 1);
        m.put("COURIER", 1);
      }
      case PAYMENT_DECLINED -> m.put("RELEASE", 1);
      case SHIPMENT_REFUSED -> {
        m.put("CHARGE", 1);
        m.put("REFUND", 1);
        m.put("RELEASE", 1);
      }
      case COURIER_REFUSED -> {
        m.put("CHARGE", 1);
        m.put("SHIP", 1);
        m.put("CANCEL_SHIP", 1);
        m.put("REFUND", 1);
        m.put("RELEASE", 1);
      }
    }
    return m;
  }

  private void checkBalances() throws SQLException {
    long[] stock = new long[OrderSaga.SKUS];
    long charged = 0;
    for (int i = 0; i < count; i++) {
      if (Outcome.of(i) == Outcome.COMPLETES) {
        Order o = Order.of(i);
        stock[i % OrderSaga.SKUS] += o.qty();
        charged += o.amount();
      }
    }
    for (int s = 0; s < OrderSaga.SKUS; s++) {
      long available = queryLong("SELECT available FROM torture_stock WHERE sku = ?", "sku-" + s);
      long want = OrderSaga.INITIAL_STOCK - stock[s];
      expect(available == want, "stock sku-" + s, "available " + available + ", expected " + want);
    }
    long merchant =
        queryLong("SELECT balance FROM torture_money WHERE account = ?", OrderSaga.MERCHANT);
    long customers =
        queryLong("SELECT balance FROM torture_money WHERE account = ?", OrderSaga.CUSTOMERS);
    expect(merchant == charged, "money", "merchant holds " + merchant + ", expected " + charged);
    expect(
        customers == OrderSaga.INITIAL_MONEY - charged,
        "money",
        "customers hold " + customers + ", expected " + (OrderSaga.INITIAL_MONEY - charged));
  }

  private void checkRows(String table, String state, Outcome outcome) throws SQLException {
    Map<String, Long> rows =
        countBy(
            "SELECT order_id, COUNT(*) FROM " + table + " WHERE state = ? GROUP BY order_id",
            state);
    for (int i = 0; i < count; i++) {
      String id = OrderSaga.runId(i);
      long want = Outcome.of(i) == outcome ? 1 : 0;
      long got = rows.getOrDefault(id, 0L);
      expect(got == want, id, table + " has " + got + " '" + state + "' rows, expected " + want);
    }
  }

  private void checkCourier() throws SQLException {
    Map<String, Long> rows =
        countBy("SELECT order_id, COUNT(*) FROM torture_courier GROUP BY order_id");
    for (int i = 0; i < count; i++) {
      String id = OrderSaga.runId(i);
      long want = Outcome.of(i) == Outcome.COMPLETES ? 1 : 0;
      long got = rows.getOrDefault(id, 0L);
      expect(got == want, id, "torture_courier has " + got + " bookings, expected " + want);
    }
  }

  private Map<String, Long> countBy(String sql, Object... args) throws SQLException {
    Map<String, Long> m = new HashMap<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          m.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return m;
  }

  private long queryLong(String sql, Object... args) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new AssertionError("no row for " + sql);
        }
        return rs.getLong(1);
      }
    }
  }

  private static String describe(RunView run) {
    return run.status() + " (cause: " + run.cause() + ")";
  }

  private void expect(boolean ok, String where, String what) {
    if (!ok) {
      violations.add(where + ": " + what);
    }
  }
}
