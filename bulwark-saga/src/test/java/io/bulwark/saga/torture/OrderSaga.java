package io.bulwark.saga.torture;

import io.bulwark.core.error.FatalException;
import io.bulwark.core.error.RetriableException;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.Step;
import io.bulwark.saga.StepContext;
import io.bulwark.saga.WorkflowContext;
import io.bulwark.saga.WorkflowDefinition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The torture test's order saga: reserve stock → charge payment → create shipment → book a courier,
 * each with a compensation, over a ledger in the saga store's own database.
 *
 * <p>The three first steps are transactional: their writes (stock, money, shipments and one row in
 * {@code torture_effects} per applied effect) commit with the step's checkpoint, so each must take
 * effect exactly once. Booking the courier is an at-least-once step: its effect goes through the
 * idempotency-key table {@code torture_idem} (a repeated key counts a hit instead of applying the
 * effect again). Compensations are at-least-once too and go through the same table.
 *
 * <p>Every order's fate is decided from its index alone ({@link Outcome#of}): 20 % are declined by
 * the payment (after the debit was written, so the step's transaction must roll it back), 8 % are
 * refused by the shipment step and 5 % by the courier, all for good; the rest complete. Some steps
 * also fail retriably on their first attempt (after writing, again needing the roll-back), and for
 * some orders the courier's reply is "lost" after its effect was applied, so the step's retry is a
 * real duplicate that the idempotency table must absorb.
 */
final class OrderSaga {
  static final String NAME = "torture-order";
  static final String RESERVE = "reserve-stock";
  static final String CHARGE = "charge-payment";
  static final String SHIP = "create-shipment";
  static final String COURIER = "book-courier";
  static final long INITIAL_STOCK = 1_000_000_000L;
  static final long INITIAL_MONEY = 1_000_000_000_000L;
  static final String CUSTOMERS = "customers";
  static final String MERCHANT = "merchant";
  static final int SKUS = 5;

  /** What happens to an order, decided from its index only. */
  enum Outcome {
    COMPLETES,
    PAYMENT_DECLINED,
    SHIPMENT_REFUSED,
    COURIER_REFUSED;

    static Outcome of(int index) {
      int bucket = bucket(index);
      if (bucket < 20) {
        return PAYMENT_DECLINED;
      } else if (bucket < 28) {
        return SHIPMENT_REFUSED;
      } else if (bucket < 33) {
        return COURIER_REFUSED;
      }
      return COMPLETES;
    }

    /** The step whose failure for good compensates the run, or null. */
    @Nullable String failingStep() {
      return switch (this) {
        case COMPLETES -> null;
        case PAYMENT_DECLINED -> CHARGE;
        case SHIPMENT_REFUSED -> SHIP;
        case COURIER_REFUSED -> COURIER;
      };
    }
  }

  /** An order; everything in it derives from its index. */
  record Order(String id, int index, String sku, int qty, long amount) {
    static Order of(int index) {
      return new Order(
          runId(index), index, "sku-" + (index % SKUS), 1 + index % 7, 100 + index % 997);
    }
  }

  static String runId(int index) {
    return "order-" + index;
  }

  /** A stable pseudo-random bucket 0..99 for an order index. */
  static int bucket(int index) {
    long h = index * 0x9E3779B97F4A7C15L;
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 32;
    return (int) Math.floorMod(h, 100L);
  }

  /** Orders whose reservation fails retriably on attempt 1 (after writing). */
  static boolean reserveFlaky(int index) {
    return bucket(index) % 3 == 0;
  }

  /** Orders whose courier reply is lost on attempt 1 (after the booking was applied). */
  static boolean courierReplyLost(int index) {
    return Outcome.of(index) != Outcome.COURIER_REFUSED && bucket(index) % 4 == 1;
  }

  /** Orders whose refund fails retriably on its first attempt. */
  static boolean refundFlaky(int index) {
    return bucket(index) % 2 == 1;
  }

  private static final RetryConfig STEP_RETRY =
      RetryConfig.builder()
          .maxAttempts(12)
          .backoff(Duration.ofMillis(20), 2.0, Duration.ofMillis(500))
          .build();
  private static final RetryConfig COMPENSATION_RETRY =
      RetryConfig.builder()
          .maxAttempts(30)
          .backoff(Duration.ofMillis(20), 2.0, Duration.ofMillis(500))
          .build();

  /**
   * The "downstream services" (courier, compensations) work on platform threads of their own, as
   * another process would: their transactions may wait for SQLite's write lock inside native code,
   * which must not pin the engine's virtual-thread carriers.
   */
  private static final ExecutorService DOWNSTREAM =
      Executors.newFixedThreadPool(
          4, Thread.ofPlatform().daemon().name("torture-downstream-", 0).factory());

  private final DataSource db;
  private final String executor;
  private final @Nullable CallLog callLog;
  private final Consumer<String> progress;

  /**
   * @param db the saga store's database (compensations and the courier use their own transaction)
   * @param executor the executor id, written into {@code torture_calls}
   * @param callLog where every action and compensation call is logged with its time (for adoption
   *     times), or null for no log; its own connections, never the engine's pool, since a
   *     transactional step logs while it holds a pooled connection
   * @param progress told after every applied effect (the child prints it; the test kills on it)
   */
  OrderSaga(DataSource db, String executor, @Nullable CallLog callLog, Consumer<String> progress) {
    this.db = db;
    this.executor = executor;
    this.callLog = callLog;
    this.progress = progress;
  }

  WorkflowDefinition<Order, String> definition() {
    return WorkflowDefinition.builder(NAME, Order.class, String.class, this::run).build();
  }

  private String run(WorkflowContext wf, Order order) throws Exception {
    wf.step(
        Step.named(RESERVE, Integer.class)
            .transactional()
            .retry(STEP_RETRY)
            .compensationRetry(COMPENSATION_RETRY)
            .compensate((s, r) -> release(s, order, r))
            .action(s -> reserve(s, order)));
    wf.step(
        Step.named(CHARGE, Long.class)
            .transactional()
            .retry(STEP_RETRY)
            .compensationRetry(COMPENSATION_RETRY)
            .compensate((s, r) -> refund(s, order, r))
            .action(s -> charge(s, order)));
    String shipment =
        wf.step(
            Step.named(SHIP, String.class)
                .transactional()
                .retry(STEP_RETRY)
                .compensationRetry(COMPENSATION_RETRY)
                .compensate((s, r) -> cancelShipment(s, order, r))
                .action(s -> ship(s, order)));
    String courier =
        wf.step(
            Step.named(COURIER, String.class)
                .retry(STEP_RETRY)
                .compensationRetry(COMPENSATION_RETRY)
                .compensate((s, r) -> cancelCourier(s, order))
                .action(s -> bookCourier(s, order)));
    return shipment + "/" + courier;
  }

  // ---- actions (transactional: the engine's connection, committed with the checkpoint) ----

  private Integer reserve(StepContext s, Order order) throws SQLException {
    logCall(s, "action");
    Connection c = s.connection();
    update(
        c,
        "UPDATE torture_stock SET available = available - ? WHERE sku = ?",
        order.qty(),
        order.sku());
    effect(c, order, "RESERVE", s.idempotencyKey());
    if (reserveFlaky(order.index()) && s.attempt() == 1) {
      throw new RetriableException("stock service timed out for " + order.id() + " (attempt 1)");
    }
    progress.accept(order.id() + " " + RESERVE);
    return order.qty();
  }

  private Long charge(StepContext s, Order order) throws SQLException {
    logCall(s, "action");
    Connection c = s.connection();
    move(c, CUSTOMERS, MERCHANT, order.amount());
    effect(c, order, "CHARGE", s.idempotencyKey());
    if (Outcome.of(order.index()) == Outcome.PAYMENT_DECLINED) {
      throw new FatalException("card declined for " + order.id());
    }
    progress.accept(order.id() + " " + CHARGE);
    return order.amount();
  }

  private String ship(StepContext s, Order order) throws SQLException {
    logCall(s, "action");
    Connection c = s.connection();
    update(c, "INSERT INTO torture_shipments(order_id, state) VALUES (?, 'created')", order.id());
    effect(c, order, "SHIP", s.idempotencyKey());
    if (Outcome.of(order.index()) == Outcome.SHIPMENT_REFUSED) {
      throw new FatalException("address of " + order.id() + " cannot be served");
    }
    progress.accept(order.id() + " " + SHIP);
    return "shipment-" + order.id();
  }

  // ---- the at-least-once step and the compensations: own transaction, idempotency key ----

  private String bookCourier(StepContext s, Order order) throws SQLException {
    logCall(s, "action");
    if (Outcome.of(order.index()) == Outcome.COURIER_REFUSED) {
      throw new FatalException("no courier serves " + order.id());
    }
    once(
        s.idempotencyKey(),
        c -> {
          update(c, "INSERT INTO torture_courier(order_id) VALUES (?)", order.id());
          effect(c, order, "COURIER", s.idempotencyKey());
        });
    if (courierReplyLost(order.index()) && s.attempt() == 1) {
      throw new RetriableException("courier reply lost for " + order.id() + " (attempt 1)");
    }
    progress.accept(order.id() + " " + COURIER);
    return "courier-" + order.id();
  }

  private void release(StepContext s, Order order, @Nullable Integer reserved) throws SQLException {
    logCall(s, "compensation");
    expectResult(s, reserved, order.qty());
    once(
        "undo:" + s.idempotencyKey(),
        c -> {
          update(
              c,
              "UPDATE torture_stock SET available = available + ? WHERE sku = ?",
              order.qty(),
              order.sku());
          effect(c, order, "RELEASE", s.idempotencyKey());
        });
    progress.accept(order.id() + " undo " + RESERVE);
  }

  private void refund(StepContext s, Order order, @Nullable Long charged) throws SQLException {
    logCall(s, "compensation");
    expectResult(s, charged, order.amount());
    if (refundFlaky(order.index()) && s.attempt() == 1) {
      throw new RetriableException("payment service busy refunding " + order.id() + " (attempt 1)");
    }
    once(
        "undo:" + s.idempotencyKey(),
        c -> {
          move(c, MERCHANT, CUSTOMERS, order.amount());
          effect(c, order, "REFUND", s.idempotencyKey());
        });
    progress.accept(order.id() + " undo " + CHARGE);
  }

  private void cancelShipment(StepContext s, Order order, @Nullable String shipment)
      throws SQLException {
    logCall(s, "compensation");
    expectResult(s, shipment, "shipment-" + order.id());
    once(
        "undo:" + s.idempotencyKey(),
        c -> {
          update(
              c, "UPDATE torture_shipments SET state = 'cancelled' WHERE order_id = ?", order.id());
          effect(c, order, "CANCEL_SHIP", s.idempotencyKey());
        });
    progress.accept(order.id() + " undo " + SHIP);
  }

  private void cancelCourier(StepContext s, Order order) throws SQLException {
    logCall(s, "compensation");
    // The courier is the last step: nothing after it can fail, so this never runs in the test;
    // if it does, the effect row makes the check fail.
    once("undo:" + s.idempotencyKey(), c -> effect(c, order, "CANCEL_COURIER", s.idempotencyKey()));
  }

  /** A compensation must receive the step's stored result; anything else is an engine bug. */
  private static void expectResult(StepContext s, @Nullable Object got, Object expected) {
    if (!expected.equals(got)) {
      throw new FatalException(
          "compensation of "
              + s.stepName()
              + " in "
              + s.runId()
              + " got result "
              + got
              + ", the step returned "
              + expected);
    }
  }

  // ---- SQL ----

  /** Opens a connection of its own (not from the engine's pool). */
  @FunctionalInterface
  interface CallLog {
    Connection open() throws SQLException;
  }

  @FunctionalInterface
  private interface Work {
    void apply(Connection c) throws SQLException;
  }

  /**
   * Applies {@code work} once per {@code key}: the key's row and the work commit together; a key
   * seen before counts a hit (a detected duplicate) instead.
   */
  private void once(String key, Work work) throws SQLException {
    Future<@Nullable Void> done =
        DOWNSTREAM.submit(
            () -> {
              onceHere(key, work);
              return null;
            });
    try {
      done.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      } else if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      done.cancel(true);
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while the downstream service worked on " + key, e);
    }
  }

  private void onceHere(String key, Work work) throws SQLException {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try {
        int fresh =
            update(
                c,
                "INSERT INTO torture_idem(idem_key, hits) VALUES (?, 1) ON CONFLICT DO NOTHING",
                key);
        if (fresh == 1) {
          work.apply(c);
        } else {
          update(c, "UPDATE torture_idem SET hits = hits + 1 WHERE idem_key = ?", key);
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private void logCall(StepContext s, String kind) throws SQLException {
    if (callLog == null) {
      return;
    }
    try (Connection c = callLog.open()) {
      update(
          c,
          "INSERT INTO torture_calls(run_id, step, kind, attempt, executor, at_ms) VALUES (?, ?, ?, ?, ?, ?)",
          s.runId(),
          s.stepName(),
          kind,
          s.attempt(),
          executor,
          System.currentTimeMillis());
    }
  }

  /**
   * Moves money between two accounts, locking their rows in one global order (by account name) so
   * that a charge and a refund running at once cannot deadlock on PostgreSQL.
   */
  private static void move(Connection c, String from, String to, long amount) throws SQLException {
    String sql = "UPDATE torture_money SET balance = balance + ? WHERE account = ?";
    if (from.compareTo(to) < 0) {
      update(c, sql, -amount, from);
      update(c, sql, amount, to);
    } else {
      update(c, sql, amount, to);
      update(c, sql, -amount, from);
    }
  }

  private static void effect(Connection c, Order order, String effect, String key)
      throws SQLException {
    update(
        c,
        "INSERT INTO torture_effects(order_id, effect, idem_key) VALUES (?, ?, ?)",
        order.id(),
        effect,
        key);
  }

  static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      int n = ps.executeUpdate();
      if (n == 0 && sql.startsWith("UPDATE")) {
        throw new SQLException("no row changed by: " + sql + " " + java.util.Arrays.toString(args));
      }
      return n;
    }
  }

  /** Creates the ledger tables and seeds stock and money (idempotent: every child JVM runs it). */
  static void createLedger(DataSource db) throws SQLException {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      String[] ddl = {
        "CREATE TABLE IF NOT EXISTS torture_stock(sku VARCHAR(32) PRIMARY KEY, available BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS torture_money(account VARCHAR(32) PRIMARY KEY, balance BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS torture_shipments(order_id VARCHAR(64) NOT NULL, state VARCHAR(16) NOT NULL)",
        "CREATE TABLE IF NOT EXISTS torture_courier(order_id VARCHAR(64) NOT NULL)",
        "CREATE TABLE IF NOT EXISTS torture_effects(order_id VARCHAR(64) NOT NULL, effect VARCHAR(16) NOT NULL,"
            + " idem_key VARCHAR(256) NOT NULL)",
        "CREATE TABLE IF NOT EXISTS torture_idem(idem_key VARCHAR(256) PRIMARY KEY, hits INT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS torture_calls(run_id VARCHAR(64) NOT NULL, step VARCHAR(64) NOT NULL,"
            + " kind VARCHAR(16) NOT NULL, attempt INT NOT NULL, executor VARCHAR(128) NOT NULL,"
            + " at_ms BIGINT NOT NULL)"
      };
      for (String sql : ddl) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.execute();
        }
      }
      for (int i = 0; i < SKUS; i++) {
        update(
            c,
            "INSERT INTO torture_stock(sku, available) VALUES (?, ?) ON CONFLICT DO NOTHING",
            "sku-" + i,
            INITIAL_STOCK);
      }
      update(
          c,
          "INSERT INTO torture_money(account, balance) VALUES (?, ?) ON CONFLICT DO NOTHING",
          CUSTOMERS,
          INITIAL_MONEY);
      update(
          c,
          "INSERT INTO torture_money(account, balance) VALUES (?, ?) ON CONFLICT DO NOTHING",
          MERCHANT,
          0L);
      c.commit();
    }
  }
}
