package io.bulwark.saga.torture;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.StepView;
import io.bulwark.saga.torture.OrderSaga.Order;
import io.bulwark.saga.torture.OrderSaga.Outcome;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The torture tests' checker can fail: a ledger written exactly as the outcomes demand passes, and
 * each kind of damage a broken engine could cause (an effect applied twice, a compensation lost, a
 * rolled-back write that leaked, a wrong status or cause, a missing run, a forgotten attempt) is
 * reported, naming the order.
 */
class LedgerCheckTest {
  private static final int ORDERS = 60;

  /** The effects in the order a saga applies them (actions, then compensations in reverse). */
  private static final List<String> SAGA_ORDER =
      List.of("RESERVE", "CHARGE", "SHIP", "COURIER", "CANCEL_SHIP", "REFUND", "RELEASE");

  private static final Instant T0 = Instant.parse("2026-12-05T00:00:00Z");

  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  private DataSource db;
  private final Map<String, RunView> runs = new HashMap<>();

  @BeforeEach
  void writePerfectLedger() throws SQLException {
    SagaStore store = SagaStores.sqlite(dir.resolve("ledger.db"));
    db = store.dataSource();
    OrderSaga.createLedger(db);
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      for (int i = 0; i < ORDERS; i++) {
        Outcome outcome = Outcome.of(i);
        Map<String, Integer> effects = LedgerCheck.expectedEffects(outcome);
        for (String effect : SAGA_ORDER) {
          if (effects.containsKey(effect)) {
            change(c, i, effect, 1);
          }
        }
        runs.put(OrderSaga.runId(i), view(i, outcome));
      }
      c.commit();
    }
  }

  @Test
  void aLedgerWrittenAsTheOutcomesDemandPasses() throws SQLException {
    LedgerCheck.Result result = check();
    assertThat(result.violations()).isEmpty();
    long completes = countOutcome(Outcome.COMPLETES);
    assertThat(result.statuses())
        .containsEntry(RunStatus.COMPLETED, (int) completes)
        .containsEntry(RunStatus.COMPENSATED, (int) (ORDERS - completes));
    assertThat(completes).as("the sample has every outcome").isBetween(1L, ORDERS - 3L);
    for (Outcome o : Outcome.values()) {
      assertThat(countOutcome(o)).as("orders with outcome %s", o).isPositive();
    }
  }

  @Test
  void anEffectAppliedTwiceIsReported() throws SQLException {
    int order = firstWith(Outcome.COMPLETES);
    apply(order, "RESERVE");
    assertThat(check().violations())
        .anyMatch(v -> v.startsWith(OrderSaga.runId(order) + " ") && v.contains("RESERVE=2"))
        .anyMatch(v -> v.startsWith("stock sku-" + (order % OrderSaga.SKUS)));
  }

  @Test
  void aLostCompensationIsReported() throws SQLException {
    int order = firstWith(Outcome.SHIPMENT_REFUSED);
    unapply(order, "REFUND");
    assertThat(check().violations())
        .anyMatch(
            v ->
                v.startsWith(OrderSaga.runId(order) + " ")
                    && v.contains("effects {CHARGE=1, RELEASE=1, RESERVE=1}"))
        .anyMatch(v -> v.startsWith("money: merchant"));
  }

  @Test
  void aRolledBackChargeThatLeakedIsReported() throws SQLException {
    int order = firstWith(Outcome.PAYMENT_DECLINED);
    apply(order, "CHARGE");
    assertThat(check().violations())
        .anyMatch(v -> v.startsWith(OrderSaga.runId(order) + " ") && v.contains("CHARGE=1"))
        .anyMatch(v -> v.startsWith("money: customers"));
  }

  @Test
  void aDuplicateShipmentIsReported() throws SQLException {
    int order = firstWith(Outcome.COMPLETES);
    try (Connection c = db.getConnection()) {
      OrderSaga.update(
          c,
          "INSERT INTO torture_shipments(order_id, state) VALUES (?, 'created')",
          OrderSaga.runId(order));
    }
    assertThat(check().violations())
        .containsExactly(
            OrderSaga.runId(order) + ": torture_shipments has 2 'created' rows, expected 1");
  }

  @Test
  void aWrongStatusAWrongCauseAndAMissingRunAreReported() throws SQLException {
    int completes = firstWith(Outcome.COMPLETES);
    int declined = firstWith(Outcome.PAYMENT_DECLINED);
    int refused = firstWith(Outcome.COURIER_REFUSED);
    String a = OrderSaga.runId(completes);
    String b = OrderSaga.runId(declined);
    String c = OrderSaga.runId(refused);
    runs.put(a, withStatus(runs.get(a), RunStatus.PARKED, "compensation of x failed"));
    runs.put(b, withStatus(runs.get(b), RunStatus.COMPENSATED, "step create-shipment failed"));
    runs.remove(c);
    assertThat(check().violations())
        .anyMatch(v -> v.startsWith(a + ": expected COMPLETED, is PARKED"))
        .anyMatch(v -> v.startsWith(b + ": compensated run's cause does not name charge-payment"))
        .anyMatch(v -> v.equals(c + ": no run in the store"));
  }

  @Test
  void aForgottenAttemptIsReported() throws SQLException {
    int order = 0;
    while (!OrderSaga.reserveFlaky(order)) {
      order++;
    }
    String id = OrderSaga.runId(order);
    RunView v = runs.get(id);
    List<StepView> steps =
        v.steps().stream()
            .map(s -> s.name().equals(OrderSaga.RESERVE) ? step(s.name(), 1, 0) : s)
            .toList();
    runs.put(id, withSteps(v, steps));
    assertThat(check().violations())
        .containsExactly(id + ": reserve failed retriably on attempt 1, yet the store counts 1");
  }

  // ---- a ledger written by hand, as a correct engine and saga would leave it ----

  private LedgerCheck.Result check() throws SQLException {
    return new LedgerCheck(db, id -> Optional.ofNullable(runs.get(id)), ORDERS).run();
  }

  private void apply(int index, String effect) throws SQLException {
    try (Connection c = db.getConnection()) {
      change(c, index, effect, 1);
    }
  }

  private void unapply(int index, String effect) throws SQLException {
    try (Connection c = db.getConnection()) {
      change(c, index, effect, -1);
    }
  }

  private static void change(Connection c, int index, String effect, int sign) throws SQLException {
    Order o = Order.of(index);
    switch (effect) {
      case "RESERVE", "RELEASE" -> {
        long delta = (effect.equals("RESERVE") ? -o.qty() : o.qty()) * (long) sign;
        OrderSaga.update(
            c, "UPDATE torture_stock SET available = available + ? WHERE sku = ?", delta, o.sku());
      }
      case "CHARGE", "REFUND" -> {
        long delta = (effect.equals("CHARGE") ? o.amount() : -o.amount()) * sign;
        OrderSaga.update(
            c, "UPDATE torture_money SET balance = balance + ? WHERE account = 'merchant'", delta);
        OrderSaga.update(
            c, "UPDATE torture_money SET balance = balance - ? WHERE account = 'customers'", delta);
      }
      case "SHIP" ->
          OrderSaga.update(
              c, "INSERT INTO torture_shipments(order_id, state) VALUES (?, 'created')", o.id());
      case "CANCEL_SHIP" ->
          OrderSaga.update(
              c, "UPDATE torture_shipments SET state = 'cancelled' WHERE order_id = ?", o.id());
      case "COURIER" ->
          OrderSaga.update(c, "INSERT INTO torture_courier(order_id) VALUES (?)", o.id());
      default -> throw new IllegalArgumentException(effect);
    }
    if (sign > 0) {
      OrderSaga.update(
          c,
          "INSERT INTO torture_effects(order_id, effect, idem_key) VALUES (?, ?, ?)",
          o.id(),
          effect,
          o.id() + ":" + effect);
    } else {
      OrderSaga.update(
          c, "DELETE FROM torture_effects WHERE order_id = ? AND effect = ?", o.id(), effect);
    }
  }

  private static RunView view(int index, Outcome outcome) {
    String id = OrderSaga.runId(index);
    String failing = outcome.failingStep();
    boolean refunded = outcome == Outcome.SHIPMENT_REFUSED || outcome == Outcome.COURIER_REFUSED;
    List<StepView> steps =
        List.of(
            step(OrderSaga.RESERVE, OrderSaga.reserveFlaky(index) ? 2 : 1, 0),
            step(OrderSaga.CHARGE, 1, refunded && OrderSaga.refundFlaky(index) ? 2 : 0));
    return new RunView(
        id,
        OrderSaga.NAME,
        1,
        failing == null ? RunStatus.COMPLETED : RunStatus.COMPENSATED,
        "default",
        0,
        null,
        "{}",
        failing == null ? "\"shipment-" + id + "/courier-" + id + "\"" : null,
        failing == null ? null : "step " + failing + " failed for good",
        null,
        T0,
        T0,
        Map.of(),
        steps,
        List.of());
  }

  private static StepView step(String name, int attempts, int compensationAttempts) {
    return new StepView(
        0, name, "STEP", "COMPLETED", null, null, attempts, compensationAttempts, null, T0, T0);
  }

  private static RunView withStatus(RunView v, RunStatus status, String cause) {
    return new RunView(
        v.runId(),
        v.workflow(),
        v.version(),
        status,
        v.queue(),
        v.priority(),
        v.parentRunId(),
        v.inputJson(),
        v.outputJson(),
        cause,
        v.owner(),
        v.createdAt(),
        v.updatedAt(),
        v.state(),
        v.steps(),
        v.timeline());
  }

  private static RunView withSteps(RunView v, List<StepView> steps) {
    return new RunView(
        v.runId(),
        v.workflow(),
        v.version(),
        v.status(),
        v.queue(),
        v.priority(),
        v.parentRunId(),
        v.inputJson(),
        v.outputJson(),
        v.cause(),
        v.owner(),
        v.createdAt(),
        v.updatedAt(),
        v.state(),
        steps,
        v.timeline());
  }

  private static int firstWith(Outcome outcome) {
    for (int i = 0; i < ORDERS; i++) {
      if (Outcome.of(i) == outcome) {
        return i;
      }
    }
    throw new AssertionError("no order with outcome " + outcome + " among " + ORDERS);
  }

  private static long countOutcome(Outcome outcome) {
    long n = 0;
    for (int i = 0; i < ORDERS; i++) {
      n += Outcome.of(i) == outcome ? 1 : 0;
    }
    return n;
  }
}
