package io.bulwark.examples.shop.shipping;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EventRecord;
import io.bulwark.events.Serdes;
import io.bulwark.events.outbox.Inbox;
import io.bulwark.examples.shop.common.Closeables;
import io.bulwark.examples.shop.common.ConsumerLoop;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.ServerSetup;
import io.bulwark.examples.shop.common.Settings;
import io.bulwark.examples.shop.common.SharedEventLog;
import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.examples.shop.inventory.InventoryClient;
import io.bulwark.examples.shop.inventory.InventoryShards;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipping service: consumes {@code OrderConfirmed} events from the {@code orders} topic (group
 * {@value #GROUP}) through an {@link Inbox} in {@code shipping.db}, records a shipment and ships
 * the order's reservation on each home shard of its items (inventory {@code POST
 * /shards/{shard}/reservations/{id}/ship}, through the shard router).
 *
 * <p>Guarantees: each event is handled once (the inbox drops a redelivered or republished one); the
 * shipment row, the inbox mark and the ship call succeed together — the call is made inside the
 * inbox transaction, which commits only after it succeeded, so a failed call rolls the shipment
 * back and the event is retried (with backoff) until it succeeds; offsets are committed after the
 * records before them were processed. A reservation that inventory refuses to ship (409) is
 * recorded as a FAILED shipment rather than retried forever. {@code GET /shipments/{orderId}}.
 */
public final class ShippingService {
  private static final Logger LOG = LoggerFactory.getLogger(ShippingService.class);
  public static final String GROUP = "shipping";

  /** A crashed instance's partitions go to its successor this long after its last poll. */
  static final Duration SESSION_TIMEOUT = Duration.ofSeconds(5);

  /** The event, as shipping reads it. */
  public record OrderConfirmed(String orderId, List<Line> items) {}

  /** A line of the event. */
  public record Line(String sku, int quantity) {}

  /** A shipment. */
  public record Shipment(String orderId, String status, @Nullable String detail) {}

  private final SqlitePool db;
  private final Inbox inbox = Inbox.create("shipping");
  private final InventoryClient inventory;

  private ShippingService(SqlitePool db, InventoryClient inventory) {
    this.db = db;
    this.inventory = inventory;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) throws Exception {
    SharedEventLog.Lease log = SharedEventLog.acquire(Settings.required(ctx, Settings.EVENT_LOG));
    SqlitePool db = null;
    InventoryClient clients = null;
    Consumer consumer = null;
    ConsumerLoop loop = null;
    try {
      db = SqlitePool.open(ctx.storage().resolve("shipping.db"), 2);
      clients = InventoryShards.client(ctx);
      ShippingService s = new ShippingService(db, clients);
      s.init();
      consumer =
          log.log().consumer(ConsumerConfig.builder(GROUP).sessionTimeout(SESSION_TIMEOUT).build());
      consumer.subscribe(List.of(SharedEventLog.ORDERS_TOPIC));
      loop = new ConsumerLoop(ctx.instanceId() + "-consumer", consumer, ctx::stopping);
      ConsumerLoop l = loop;
      ServerSetup.limiter(ctx).get("/shipments/{orderId}", s::shipment);
      ctx.background("consumer", () -> l.run(s::process));
      return new Instance(
          ServiceInstance.of(log, db, clients, consumer, loop),
          ServiceInstance.of(log, db, clients, loop));
    } catch (Exception | Error e) {
      Closeables.closeAfter(e, log, db, clients, consumer, loop);
      throw e;
    }
  }

  /**
   * Close leaves the consumer group (its partitions go to the other members at once); a kill
   * abandons the consumer as a crashed process would: its member stays in the group, holding its
   * partitions, until the session timeout ({@link #SESSION_TIMEOUT}) expires it. The poll in
   * progress on the log's I/O thread is let finish (never interrupted: see {@link ConsumerLoop}).
   */
  @SuppressWarnings("try") // close() throws what ServiceInstance.close() may: the runtime calls it
  private record Instance(ServiceInstance graceful, ServiceInstance crash)
      implements ServiceInstance {
    @Override
    public void close() throws Exception {
      graceful.close();
    }

    @Override
    public void kill() throws Exception {
      crash.close();
    }
  }

  private void init() throws SQLException {
    db.txRun(
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute(
                "CREATE TABLE IF NOT EXISTS shipments (order_id TEXT PRIMARY KEY, status TEXT NOT"
                    + " NULL, detail TEXT, units INTEGER NOT NULL, at INTEGER NOT NULL)");
          }
          inbox.createTable(c);
        });
  }

  /**
   * One record: ships it (outside any transaction, see {@link #ship}), then records the shipment
   * with the inbox mark in one short transaction; throws to have the record retried.
   */
  private void process(EventRecord r) throws SQLException {
    Shipped shipped = ship(r);
    db.txRun(c -> inbox.process(c, r, (tx, record) -> record(tx, shipped)));
  }

  /** What inventory answered to shipping one order. */
  private record Shipped(String orderId, String status, @Nullable String detail, int units) {}

  /**
   * Asks inventory to ship the record's reservation, outside any transaction (the call is
   * idempotent on inventory's side, so a redelivered record may repeat it). Only inventory's typed
   * {@code invalid_state} answer is final (the reservation was released: the order was cancelled);
   * any other answer, a 404 included (a stale address may route it elsewhere), is retried.
   */
  private Shipped ship(EventRecord record) throws SQLException {
    OrderConfirmed event = record.value(Serdes.json(Json.MAPPER, OrderConfirmed.class));
    if (event == null) {
      throw new SQLException("record " + Inbox.messageId(record) + " has no value");
    }
    int units = event.items().stream().mapToInt(Line::quantity).sum();
    for (Map.Entry<String, List<Line>> shard :
        InventoryShards.byShard(event.items(), Line::sku).entrySet()) {
      String path = "/shards/" + shard.getKey() + "/reservations/" + event.orderId() + "/ship";
      ClientResponse answer;
      try {
        answer = inventory.send(shard.getValue().getFirst().sku(), ClientRequest.of("POST", path));
      } catch (Exception e) {
        throw new SQLException("ship " + event.orderId() + " failed: " + e.getMessage(), e);
      }
      if (answer.status() == 409 && isInvalidState(answer)) {
        String detail = "inventory answered 409 invalid_state: " + answer.bodyAsString();
        LOG.error("order {} cannot ship: {}", event.orderId(), detail);
        return new Shipped(event.orderId(), "FAILED", detail, units);
      }
      if (answer.status() != 200 && answer.status() != 201) {
        throw new SQLException(
            "inventory answered "
                + answer.status()
                + " to ship "
                + event.orderId()
                + " on "
                + path);
      }
    }
    return new Shipped(event.orderId(), "SHIPPED", null, units);
  }

  private static boolean isInvalidState(ClientResponse answer) {
    try {
      return "invalid_state"
          .equals(Json.MAPPER.readTree(answer.bodyAsString()).path("error").asText());
    } catch (JsonProcessingException | RuntimeException e) {
      return false;
    }
  }

  /** Records a shipment in the inbox's transaction; the first record of an order wins. */
  private static void record(Connection tx, Shipped shipped) throws SQLException {
    try (PreparedStatement ps =
        tx.prepareStatement(
            "INSERT OR IGNORE INTO shipments (order_id, status, detail, units, at) VALUES (?, ?, ?,"
                + " ?, ?)")) {
      ps.setString(1, shipped.orderId());
      ps.setString(2, shipped.status());
      ps.setString(3, shipped.detail());
      ps.setInt(4, shipped.units());
      ps.setLong(5, System.currentTimeMillis());
      ps.executeUpdate();
    }
  }

  private Response shipment(Request req) throws Exception {
    String id = req.pathParam("orderId");
    Optional<Shipment> s =
        db.read(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement("SELECT status, detail FROM shipments WHERE order_id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                  return rs.next()
                      ? Optional.of(new Shipment(id, rs.getString(1), rs.getString(2)))
                      : Optional.<Shipment>empty();
                }
              }
            });
    return Response.json(s.orElseThrow(() -> HttpProblem.notFound("no shipment for order " + id)));
  }
}
