package io.bulwark.examples.shop.orders;

import io.bulwark.core.error.FatalException;
import io.bulwark.core.error.RetriableException;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.inventory.InventoryClient;
import io.bulwark.examples.shop.inventory.InventoryShards;
import io.bulwark.examples.shop.orders.OrderStore.Item;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.HttpClients;
import io.bulwark.http.client.ServiceClient;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.Step;
import io.bulwark.saga.StepContext;
import io.bulwark.saga.StepFailedException;
import io.bulwark.saga.WorkflowContext;
import io.bulwark.saga.WorkflowDefinition;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The checkout as a bulwark-saga workflow ({@value #NAME}), run by the orders service's engine on
 * its own SQLite saga store ({@code orders.db}, which also holds the orders table and the outbox):
 *
 * <ol>
 *   <li>{@code create-order} (transactional): the PENDING order row;
 *   <li>{@code reserve-stock}: {@code POST /shards/{shard}/reservations} to inventory, one per home
 *       shard of the items, through the shard router (replica fallback); compensation: {@code POST
 *       /shards/{shard}/reservations/{id}/release} on each of those shards;
 *   <li>{@code charge-payment}: {@code POST /charges} to payments; compensation: {@code POST
 *       /refunds};
 *   <li>{@code confirm-order} (transactional): the order CONFIRMED and its {@code OrderConfirmed}
 *       outbox row, committed with the step's checkpoint, so exactly once;
 * </ol>
 *
 * or, when reserving or charging did not succeed, {@code cancel-order} (transactional: the order
 * CANCELLED with its reason), after which the run fails and the engine compensates the completed
 * steps in reverse order (refund, then release), retrying each durably until it succeeds.
 *
 * <p>Reserving and charging are at-least-once: an attempt whose answer was lost may have taken
 * effect. So neither step fails for good on an unclear answer: it is retried (durably, attempt
 * count in the store) while attempts are left, and on its last attempt it <em>completes</em> with a
 * verdict that says it did not succeed. Being completed, it is compensated: a release or a refund
 * of something that never happened is a recorded no-op on the other side that also stops a late
 * attempt (a tombstone). The downstream ids are the order id (reservation id, charge id: what
 * inventory, payments, shipping and the invariant checker join on, unique per run); each call also
 * carries the step's {@link StepContext#idempotencyKey()} as its {@code Idempotency-Key} header.
 *
 * <p>The request that started a run waits for its <em>decision</em>: the order row CONFIRMED or
 * CANCELLED. The workflow announces it in this process ({@link Decisions}) right after the step
 * that wrote it; a recovered run announces it again, to no one. Compensations may still be running
 * after a CANCELLED answer, as the order view's {@code compensationPending} shows.
 */
final class CheckoutSaga {
  static final String NAME = "checkout";

  /** Checkout keys used as they are in a run id; others are hashed. */
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** The run's input: everything a step needs, fixed when the request started it. */
  record Input(
      String key, String orderId, String cartId, String customer, List<Item> items, long total) {}

  /** The run's output. */
  record Placed(String orderId, long total) {}

  /** What {@code reserve-stock} found: reserved, or why not. */
  record Reservation(boolean reserved, String reason) {}

  /** What {@code charge-payment} found: charged, or why not. */
  record Charge(boolean charged, String reason) {}

  /** Why a checkout was cancelled; thrown out of the workflow, it makes the run compensate. */
  static final class Cancelled extends FatalException {
    private static final long serialVersionUID = 1L;

    Cancelled(String reason) {
      super(reason);
    }
  }

  /**
   * The decisions of this process's runs, for the requests waiting for them. Thread-safe: a waiter
   * registers before it reads the order row, so a decision is either seen in the row or announced
   * to the future. A run's entry goes when it decides (a run parked before deciding keeps its entry
   * until it does, or until the process ends).
   */
  static final class Decisions {
    private final Map<String, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();

    /** The future completed when run {@code runId} decides (shared by its waiters). */
    CompletableFuture<Void> await(String runId) {
      return waiting.computeIfAbsent(runId, id -> new CompletableFuture<>());
    }

    void decided(String runId) {
      CompletableFuture<Void> f = waiting.remove(runId);
      if (f != null) {
        f.complete(null);
      }
    }

    int size() {
      return waiting.size();
    }
  }

  private final InventoryClient inventory;
  private final ServiceClient payments;
  private final Decisions decisions;
  private final LongSupplier clock;
  private final int attempts;
  private final RetryConfig retry;
  private final RetryConfig compensationRetry;

  /**
   * @param attempts the tries of reserving and of charging (durable, across restarts); 1 with
   *     resilience off, where the clients retry nothing either
   * @param clock the epoch-ms clock of the rows' timestamps
   */
  CheckoutSaga(
      HttpClients clients,
      InventoryClient inventory,
      Decisions decisions,
      int attempts,
      LongSupplier clock) {
    this.inventory = inventory;
    this.payments = clients.client("payments");
    this.decisions = decisions;
    this.clock = clock;
    this.attempts = attempts;
    this.retry =
        RetryConfig.builder()
            .maxAttempts(attempts)
            .backoff(Duration.ofMillis(50), 2.0, Duration.ofSeconds(1))
            .build();
    // a compensation must happen: it is retried for about a minute (payments or inventory down)
    // before the run is parked for an operator
    this.compensationRetry =
        RetryConfig.builder()
            .maxAttempts(40)
            .backoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(2))
            .build();
  }

  WorkflowDefinition<Input, Placed> definition() {
    return WorkflowDefinition.builder(NAME, Input.class, Placed.class, this::run).build();
  }

  /**
   * The run id of the checkout with client key {@code key}: {@code checkout-k-<key>} for a key of
   * letters, digits and {@code . _ -}, else {@code checkout-h-<SHA-256 of the key, hex>}; the two
   * forms cannot meet. The same key always names the same run, so retrying a checkout never starts
   * a second one.
   */
  static String runId(String key) {
    if (PLAIN_KEY.matcher(key).matches()) {
      return NAME + "-k-" + key;
    }
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return NAME + "-h-" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  private Placed run(WorkflowContext wf, Input in) throws Exception {
    String id = in.orderId();
    wf.state().put("orderId", id);
    wf.step(
        Step.named("create-order", Boolean.class)
            .transactional()
            .action(
                s -> {
                  OrderStore.create(s.connection(), wf.runId(), in, clock.getAsLong());
                  return Boolean.TRUE;
                }));
    String reason;
    try {
      Reservation r =
          wf.step(
              Step.named("reserve-stock", Reservation.class)
                  .retry(retry)
                  .compensationRetry(compensationRetry)
                  .compensate((s, done) -> release(s, in))
                  .action(s -> reserve(s, in)));
      if (r.reserved()) {
        Charge c =
            wf.step(
                Step.named("charge-payment", Charge.class)
                    .retry(retry)
                    .compensationRetry(compensationRetry)
                    .compensate((s, done) -> refund(s, id))
                    .action(s -> charge(s, in)));
        if (c.charged()) {
          wf.step(
              Step.named("confirm-order", Boolean.class)
                  .transactional()
                  .action(
                      s -> {
                        OrderStore.confirm(
                            s.connection(), id, in.items(), clock.getAsLong(), s::outbox);
                        return Boolean.TRUE;
                      }));
          decisions.decided(wf.runId());
          return new Placed(id, in.total());
        }
        reason = c.reason();
      } else {
        reason = r.reason();
      }
    } catch (StepFailedException e) {
      reason = "step " + e.step() + " failed: " + e.getMessage();
    }
    String why = reason;
    wf.step(
        Step.named("cancel-order", Boolean.class)
            .transactional()
            .action(
                s -> {
                  OrderStore.cancel(s.connection(), id, why, clock.getAsLong());
                  return Boolean.TRUE;
                }));
    decisions.decided(wf.runId());
    throw new Cancelled(why);
  }

  record Line(String sku, int quantity) {}

  /** What inventory answers about a reservation. */
  record Stored(String state) {}

  /**
   * Reserves the order's items shard by shard (one reservation per home shard of its skus, all
   * under the order id), through the shard router; reserved when every shard reserved. A shard out
   * of stock ends the step with a verdict (the compensation releases every shard, the ones that
   * reserved and, as tombstones, the others); an unclear answer from any shard retries the step,
   * whose replays of the shards already reserved answer the stored reservations.
   */
  private Reservation reserve(StepContext s, Input in) throws Exception {
    List<Line> lines = in.items().stream().map(i -> new Line(i.sku(), i.quantity())).toList();
    for (Map.Entry<String, List<Line>> shard :
        InventoryShards.byShard(lines, Line::sku).entrySet()) {
      Reservation r = reserve(s, in.orderId(), shard.getKey(), shard.getValue());
      if (!r.reserved()) {
        return r;
      }
    }
    return new Reservation(true, "");
  }

  private Reservation reserve(StepContext s, String orderId, String shard, List<Line> lines)
      throws Exception {
    String path = "/shards/" + shard + "/reservations";
    ClientResponse r;
    try {
      r =
          inventory.send(
              lines.getFirst().sku(),
              keyed(s, Json.post(path, Map.of("reservationId", orderId, "items", lines))));
    } catch (Exception e) {
      return unclear(s, new Reservation(false, "inventory failed: " + message(e)), e);
    }
    return switch (r.status()) {
      case 200, 201 -> {
        String state;
        try {
          state = Json.body(r, Stored.class, "POST " + path).state();
        } catch (RuntimeException e) {
          yield unclear(s, new Reservation(false, "inventory failed: " + message(e)), e);
        }
        // a reservation stored under the same id may have been released since (a tombstone)
        yield state.equals("RESERVED")
            ? new Reservation(true, "")
            : new Reservation(false, "inventory failed: reservation is " + state);
      }
      case 409 -> new Reservation(false, "out_of_stock: " + r.bodyAsString());
      default ->
          unclear(
              s,
              new Reservation(false, "inventory failed: inventory answered " + r.status()),
              null);
    };
  }

  private Charge charge(StepContext s, Input in) throws Exception {
    ClientResponse r;
    try {
      r =
          payments.send(
              keyed(
                  s,
                  Json.post("/charges", Map.of("chargeId", in.orderId(), "amount", in.total()))));
    } catch (Exception e) {
      return unclear(s, new Charge(false, "payment failed: " + message(e)), e);
    }
    if (r.status() == 200 || r.status() == 201) {
      return new Charge(true, "");
    }
    if (r.status() == 409) {
      // voided: a refund came first; nothing will be charged under this id
      return new Charge(false, "payment failed: payments answered 409 " + r.bodyAsString());
    }
    return unclear(s, new Charge(false, "payment failed: payments answered " + r.status()), null);
  }

  /**
   * An answer that does not say whether the call took effect: retried while attempts are left
   * (thrown as retriable), else the step completes with {@code verdict} and gets compensated.
   */
  private <T> T unclear(StepContext s, T verdict, @Nullable Exception cause) {
    if (s.attempt() < attempts) {
      throw new RetriableException(
          s.stepName() + " attempt " + s.attempt() + " of " + attempts + ": " + verdict, cause);
    }
    return verdict;
  }

  /** Releases the order's reservation on every home shard of its items. */
  private void release(StepContext s, Input in) {
    for (Map.Entry<String, List<Item>> shard :
        InventoryShards.byShard(in.items(), Item::sku).entrySet()) {
      ClientRequest request =
          keyed(
              s,
              Json.post(
                  "/shards/" + shard.getKey() + "/reservations/" + in.orderId() + "/release",
                  Map.of()));
      answered(s, request, () -> inventory.send(shard.getValue().getFirst().sku(), request));
    }
  }

  private void refund(StepContext s, String orderId) {
    call(s, payments, Json.post("/refunds", Map.of("chargeId", orderId)));
  }

  /** A compensation's call: done on 200/201, else a retriable failure naming the answer. */
  private static void call(StepContext s, ServiceClient client, ClientRequest request) {
    ClientRequest keyed = keyed(s, request);
    answered(s, keyed, () -> client.send(keyed));
  }

  /** A call that answers a {@link ClientResponse}. */
  @FunctionalInterface
  private interface Send {
    ClientResponse send() throws Exception;
  }

  private static void answered(StepContext s, ClientRequest request, Send send) {
    ClientResponse r;
    try {
      r = send.send();
    } catch (Exception e) {
      throw new RetriableException(
          "compensation of " + s.stepName() + ": POST " + request.path() + " failed: " + message(e),
          e);
    }
    if (r.status() != 200 && r.status() != 201) {
      throw new RetriableException(
          "compensation of "
              + s.stepName()
              + ": POST "
              + request.path()
              + " answered "
              + r.status());
    }
  }

  private static ClientRequest keyed(StepContext s, ClientRequest request) {
    return request.withHeader("idempotency-key", s.idempotencyKey());
  }

  private static String message(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
