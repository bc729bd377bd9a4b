package io.bulwark.events.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.time.Clock;
import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogs;
import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox and inbox against one SQL database: extended once per supported database ({@link
 * SqliteOutboxInboxTest}, {@link PostgresOutboxInboxTest}), each giving a fresh, empty database per
 * test.
 */
abstract class OutboxInboxCompatibilityKit {
  private static final String MARKER = "end-of-test-marker";

  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  /** Opens connections to a database of this test's own, empty when the test starts. */
  protected abstract Supplier<Connection> db() throws Exception;

  private void placeOrder(
      Supplier<Connection> db, Outbox outbox, String customer, int n, boolean commit)
      throws SQLException {
    try (Connection c = db.get()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO orders (customer, n) VALUES (?, ?)")) {
        ps.setString(1, customer);
        ps.setInt(2, n);
        ps.executeUpdate();
      }
      outbox.add(c, OutgoingRecord.of("orders", customer, customer + ":" + n, Serdes.string()));
      if (commit) {
        c.commit();
      } else {
        c.rollback();
      }
    }
  }

  /**
   * Everything published to {@code topic} so far, in partition order: a marker record is appended
   * to each partition and {@code group} reads until every marker arrived (at most 30 s), so a late
   * extra record cannot be missed and no quiet period is waited for. The markers are not returned.
   */
  private static List<EventRecord> readUpToMarkers(
      EventLog log, String group, String topic, int partitions) {
    try (Producer markers = log.producer(ProducerConfig.defaults())) {
      for (int part = 0; part < partitions; part++) {
        markers
            .send(
                OutgoingRecord.builder(topic)
                    .partition(part)
                    .value(MARKER, Serdes.string())
                    .build())
            .join();
      }
    }
    List<EventRecord> records = new ArrayList<>();
    int markersSeen = 0;
    try (Consumer c = log.consumer(ConsumerConfig.builder(group).build())) {
      c.subscribe(List.of(topic));
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (markersSeen < partitions) {
        assertThat(System.nanoTime() - end).as("markers seen: %d", markersSeen).isNegative();
        for (EventRecord r : c.poll(Duration.ofMillis(100))) {
          if (MARKER.equals(r.value(Serdes.string()))) {
            markersSeen++;
          } else {
            records.add(r);
          }
        }
      }
    }
    return records;
  }

  @Test
  void stateAndEventCommitTogetherAndTheRelayPublishesInOrderAcrossRestarts() throws Exception {
    Supplier<Connection> db = db();
    Outbox outbox = Outbox.create();
    try (Connection c = db.get();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (customer TEXT, n INTEGER)");
      outbox.createTable(c);
    }
    for (int n = 0; n < 10; n++) {
      placeOrder(db, outbox, "c" + (n % 3), n, true);
    }
    placeOrder(db, outbox, "c9", 99, false); // rolled back: neither the order nor the event exists
    List<EventRecord> published = new ArrayList<>();
    try (EventLog log = EventLogs.embedded(EmbeddedLogConfig.builder(dir.resolve("log")).build())) {
      log.createTopic(TopicSpec.of("orders", 2));
      // first relay publishes 4 rows, but "crashes" before marking them: simulate with a relay
      // whose producer acks while the mark is skipped by failing the 5th row's send
      try (Producer p = log.producer(ProducerConfig.defaults())) {
        Producer failingFifth = new FailingAfter(p, 4);
        assertThatThrownBy(() -> new OutboxRelay(outbox, db, failingFifth).relayOnce(6))
            .hasMessageContaining("not published");
      }
      try (Producer p = log.producer(ProducerConfig.defaults())) {
        OutboxRelay relay = new OutboxRelay(outbox, db, p);
        int sent = 0;
        while (relay.relayOnce(3) > 0) {
          sent++;
        }
        assertThat(sent).isPositive();
      }
      published.addAll(readUpToMarkers(log, "reader", "orders", 2));
    }
    assertThat(published).hasSize(10);
    Map<String, Integer> last = new HashMap<>();
    for (EventRecord r : published) {
      String[] kv = String.valueOf(r.value(Serdes.string())).split(":", -1);
      int n = Integer.parseInt(kv[1]);
      assertThat(n).as("order per key %s", kv[0]).isGreaterThan(last.getOrDefault(kv[0], -1));
      last.put(kv[0], n);
      assertThat(r.headers().get(OutboxRelay.MESSAGE_ID)).startsWith("outbox:bulwark_outbox:");
    }
    try (Connection c = db.get();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT COUNT(*) FROM bulwark_outbox WHERE sent_at IS NULL")) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
  }

  @Test
  void theRelayRepublishesWhatItCouldNotMarkAndTheInboxDropsTheDuplicates() throws Exception {
    Supplier<Connection> db = db();
    Outbox outbox = Outbox.create("bulwark_outbox", Clock.system());
    Inbox inbox = Inbox.create("billing");
    try (Connection c = db.get();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (customer TEXT, n INTEGER)");
      s.execute("CREATE TABLE charges (customer TEXT, n INTEGER)");
      outbox.createTable(c);
      inbox.createTable(c);
    }
    for (int n = 0; n < 5; n++) {
      placeOrder(db, outbox, "c", n, true);
    }
    try (EventLog log = EventLogs.embedded(EmbeddedLogConfig.builder(dir.resolve("log")).build())) {
      log.createTopic(TopicSpec.of("orders", 1));
      try (Producer p = log.producer(ProducerConfig.defaults())) {
        new OutboxRelay(outbox, db, p).relayOnce(10);
        // the mark was lost (a crash after publishing): rows become unsent again
        try (Connection c = db.get();
            Statement s = c.createStatement()) {
          s.execute("UPDATE bulwark_outbox SET sent_at = NULL");
        }
        assertThat(new OutboxRelay(outbox, db, p).relayOnce(10)).isEqualTo(5);
      }
      List<EventRecord> records = readUpToMarkers(log, "billing", "orders", 1);
      assertThat(records).hasSize(10);
      assertThat(records.subList(5, 10))
          .allSatisfy(r -> assertThat(r.headers().get(OutboxRelay.ATTEMPT)).isEqualTo("2"));
      int applied = 0;
      for (EventRecord r : records) {
        try (Connection c = db.get()) {
          c.setAutoCommit(false);
          boolean done =
              inbox.process(
                  c,
                  r,
                  (tx, rec) -> {
                    try (PreparedStatement ps =
                        tx.prepareStatement("INSERT INTO charges VALUES (?, ?)")) {
                      ps.setString(1, rec.key(Serdes.string()));
                      ps.setInt(
                          2,
                          Integer.parseInt(
                              String.valueOf(rec.value(Serdes.string())).split(":", -1)[1]));
                      ps.executeUpdate();
                    }
                  });
          c.commit();
          applied += done ? 1 : 0;
        }
      }
      assertThat(applied).isEqualTo(5);
    }
    try (Connection c = db.get();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT n) FROM charges")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(5);
      assertThat(rs.getInt(2)).isEqualTo(5);
    }
  }

  @Test
  void aHandlerFailureRollsBackTheProcessedMarkSoTheMessageIsRetried() throws Exception {
    Supplier<Connection> db = db();
    Inbox inbox = Inbox.create("svc");
    try (Connection c = db.get()) {
      inbox.createTable(c);
    }
    EventRecord r =
        new EventRecord(
            "t",
            0,
            3,
            1,
            null,
            "x".getBytes(StandardCharsets.UTF_8),
            io.bulwark.events.Headers.empty());
    try (Connection c = db.get()) {
      c.setAutoCommit(false);
      assertThatThrownBy(
              () ->
                  inbox.process(
                      c,
                      r,
                      (tx, rec) -> {
                        throw new SQLException("downstream constraint");
                      }))
          .hasMessageContaining("downstream constraint");
      c.rollback();
    }
    try (Connection c = db.get()) {
      c.setAutoCommit(false);
      assertThat(inbox.process(c, r, (tx, rec) -> {})).isTrue();
      c.commit();
      assertThat(inbox.process(c, r, (tx, rec) -> {})).isFalse();
    }
    assertThat(Inbox.messageId(r)).isEqualTo("t/0/3");
    assertThatThrownBy(() -> Inbox.create("drop table;", "x"))
        .hasMessageContaining("'drop table;'");
  }

  /** A producer that acknowledges the first {@code ok} sends and fails the rest. */
  private static final class FailingAfter implements Producer {
    private final Producer delegate;
    private int left;

    FailingAfter(Producer delegate, int ok) {
      this.delegate = delegate;
      this.left = ok;
    }

    @Override
    public CompletableFuture<RecordMetadata> send(OutgoingRecord record) {
      if (left-- > 0) {
        return delegate.send(record);
      }
      return CompletableFuture.failedFuture(new IllegalStateException("broker gone"));
    }

    @Override
    public void flush() {
      delegate.flush();
    }

    @Override
    public void beginTransaction() {}

    @Override
    public void sendOffsetsToTransaction(
        Map<io.bulwark.events.TopicPartition, Long> offsets, String groupId) {}

    @Override
    public void sendOffsetsToTransaction(
        Map<io.bulwark.events.TopicPartition, Long> offsets, io.bulwark.events.Consumer consumer) {}

    @Override
    public void commitTransaction() {}

    @Override
    public void abortTransaction() {}

    @Override
    public void close() {}
  }
}
