package io.bulwark.examples.shop.notifications;

import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EventRecord;
import io.bulwark.events.Serdes;
import io.bulwark.events.outbox.Inbox;
import io.bulwark.examples.shop.common.Closeables;
import io.bulwark.examples.shop.common.ConsumerLoop;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.Settings;
import io.bulwark.examples.shop.common.SharedEventLog;
import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifications service (one instance): consumes the order events of the {@code orders} topic
 * (group {@value #GROUP}) through an {@link Inbox} in {@code notifications.db} of its storage and
 * records one notification per order state change the events announce — today {@code
 * OrderConfirmed} ("order confirmed, n items on their way"), the one event orders publishes.
 *
 * <p>Once per event: the notification row and the inbox mark commit in one transaction, so a
 * redelivered record (offsets not committed before a crash) or a republished one (the outbox relay
 * is at-least-once; the copy has the same message id) is dropped by the inbox; the table itself has
 * no unique key that would hide a duplicate. Offsets are committed after the records before them
 * were processed. {@code GET /notifications/{orderId}} lists an order's notifications; {@code GET
 * /notifications} answers {@code {"count": n}}.
 */
public final class NotificationsService {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationsService.class);
  static final String GROUP = "notifications";
  static final String CONFIRMED = "ORDER_CONFIRMED";

  /** The event as notifications reads it. */
  public record OrderEvent(@Nullable String orderId, @Nullable List<Line> items) {}

  /** A line of the event. */
  public record Line(String sku, int quantity) {}

  /** One notification. */
  public record Notification(String orderId, String kind, String text) {}

  private final SqlitePool db;
  private final Inbox inbox = Inbox.create("notifications");

  private NotificationsService(SqlitePool db) {
    this.db = db;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) throws Exception {
    SharedEventLog.Lease log = SharedEventLog.acquire(Settings.required(ctx, Settings.EVENT_LOG));
    SqlitePool db = null;
    Consumer consumer = null;
    ConsumerLoop loop = null;
    try {
      db = SqlitePool.open(ctx.storage().resolve("notifications.db"), 2);
      NotificationsService s = new NotificationsService(db);
      s.init();
      consumer = log.log().consumer(ConsumerConfig.builder(GROUP).build());
      consumer.subscribe(List.of(SharedEventLog.ORDERS_TOPIC));
      loop = new ConsumerLoop(ctx.instanceId() + "-consumer", consumer, ctx::stopping);
      ConsumerLoop l = loop;
      ctx.server().get("/notifications", s::count).get("/notifications/{orderId}", s::byOrder);
      ctx.background("consumer", () -> l.run(s::process));
      return ServiceInstance.of(log, db, consumer, loop);
    } catch (Exception | Error e) {
      Closeables.closeAfter(e, log, db, consumer, loop);
      throw e;
    }
  }

  /** The notifications file of an instance's storage. */
  public static Path storeFile(Path instanceStorage) {
    return instanceStorage.resolve("notifications.db");
  }

  private void init() throws SQLException {
    db.txRun(
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute(
                "CREATE TABLE IF NOT EXISTS notifications (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                    + " order_id TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL, message_id"
                    + " TEXT NOT NULL, at INTEGER NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS notifications_order ON notifications (order_id)");
          }
          inbox.createTable(c);
        });
  }

  /** One record: its notification and the inbox mark in one transaction (see {@link Inbox}). */
  private void process(EventRecord r) throws SQLException {
    db.txRun(c -> inbox.process(c, r, (tx, record) -> record(tx, record)));
  }

  /**
   * The notification of one event, in the inbox's transaction. An event that names no order is
   * logged and skipped (marked processed: retrying cannot repair it).
   */
  private static void record(Connection tx, EventRecord record) throws SQLException {
    OrderEvent event;
    try {
      event = record.value(Serdes.json(Json.MAPPER, OrderEvent.class));
    } catch (RuntimeException e) {
      event = null;
    }
    if (event == null || event.orderId() == null || event.orderId().isBlank()) {
      LOG.warn("record {} is not an order event; skipped", Inbox.messageId(record));
      return;
    }
    int units = event.items() == null ? 0 : event.items().stream().mapToInt(Line::quantity).sum();
    try (PreparedStatement ps =
        tx.prepareStatement(
            "INSERT INTO notifications (order_id, kind, text, message_id, at) VALUES (?, ?, ?, ?,"
                + " ?)")) {
      ps.setString(1, event.orderId());
      ps.setString(2, CONFIRMED);
      ps.setString(3, "order " + event.orderId() + " confirmed, " + units + " items on their way");
      ps.setString(4, Inbox.messageId(record));
      ps.setLong(5, System.currentTimeMillis());
      ps.executeUpdate();
    }
  }

  private Response count(Request req) throws Exception {
    long n =
        db.read(
            c -> {
              try (Statement s = c.createStatement();
                  ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM notifications")) {
                rs.next();
                return rs.getLong(1);
              }
            });
    return Response.json(Map.of("count", n));
  }

  private Response byOrder(Request req) throws Exception {
    String id = req.pathParam("orderId");
    List<Notification> list =
        db.read(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT kind, text FROM notifications WHERE order_id = ? ORDER BY id")) {
                ps.setString(1, id);
                List<Notification> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    out.add(new Notification(id, rs.getString(1), rs.getString(2)));
                  }
                }
                return out;
              }
            });
    if (list.isEmpty()) {
      throw HttpProblem.notFound("no notification for order " + id);
    }
    return Response.json(list);
  }
}
