package io.bulwark.chaos.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.FaultSpec;
import io.bulwark.chaos.points.ChaosFixture;
import io.bulwark.core.fault.FaultInjectedException;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.TopicSpec;
import io.bulwark.events.outbox.Inbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every event fault at the produce and consume points, run against each backend through the same
 * bulwark-events interfaces (the embedded log and a real Kafka broker).
 */
public abstract class EventPointsKit {
  private static final Duration POLL = Duration.ofMillis(200);

  @TempDir protected Path dir;
  protected final ChaosFixture fx = new ChaosFixture();
  private EventLog log;
  private Producer producer;
  private final List<Consumer> consumers = new ArrayList<>();
  private String topic;
  private String other;

  protected abstract EventLog newLog(Path dir) throws Exception;

  @BeforeEach
  void open() throws Exception {
    log = newLog(dir);
    String id = UUID.randomUUID().toString().substring(0, 8);
    topic = "orders-" + id;
    other = "audit-" + id;
    log.createTopic(TopicSpec.of(topic, 1));
    log.createTopic(TopicSpec.of(other, 1));
    producer = log.producer(ProducerConfig.defaults());
  }

  @AfterEach
  void close() {
    fx.close();
    consumers.forEach(Consumer::close);
    producer.close();
    log.close();
  }

  private static OutgoingRecord record(String topic, String value) {
    return OutgoingRecord.builder(topic)
        .key("k")
        .value(value.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private static String value(EventRecord r) {
    return new String(r.value(), StandardCharsets.UTF_8);
  }

  private RecordMetadata send(String topic, String value) throws Exception {
    return producer.send(record(topic, value)).get();
  }

  private Consumer consumer(String group, String topic) {
    Consumer c = log.consumer(ConsumerConfig.builder(group).build());
    c.subscribe(List.of(topic));
    consumers.add(c);
    return c;
  }

  /** Polls (without faults in reach) until {@code n} records came; fails after 60 polls. */
  private List<String> drain(Consumer c, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 60 && out.size() < n; i++) {
      c.poll(POLL).forEach(r -> out.add(value(r)));
    }
    return out;
  }

  private BlastRadius produce(String topic) {
    return BlastRadius.builder().points(FaultPointKind.EVENT_PRODUCE).route(topic).build();
  }

  private BlastRadius consume(String group) {
    return BlastRadius.builder().points(FaultPointKind.EVENT_CONSUME).service(group).build();
  }

  // ---- produce ----

  @Test
  void produceLatencyDelaysTheSendThenStoresTheRecord() throws Exception {
    fx.start(Fault.Latency.of(Duration.ofMillis(400)), produce(topic));
    int pending = fx.scheduler.pendingTasks();
    CompletableFuture<RecordMetadata> sent = ChaosFixture.async(() -> send(topic, "late"));
    fx.awaitPending(pending + 1);
    fx.scheduler.advance(Duration.ofMillis(399));
    assertThat(sent).isNotDone();
    fx.scheduler.advance(Duration.ofMillis(1));
    assertThat(sent.get().offset()).isZero();
    fx.chaos.clearAll();
    assertThat(drain(consumer("g-lat", topic), 1)).containsExactly("late");
  }

  @Test
  void produceErrorFailsTheSendWithTheTypeAndStoresNothingWhileOtherTopicsAreUntouched()
      throws Exception {
    ActiveFault f =
        fx.start(new Fault.Raise(IllegalStateException.class, "broker on fire"), produce(topic));
    for (int i = 0; i < 50; i++) {
      CompletableFuture<RecordMetadata> sent = producer.send(record(topic, "lost-" + i));
      assertThatThrownBy(sent::get)
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessage("broker on fire");
      send(other, "kept-" + i); // outside the radius
    }
    assertThat(fx.chaos.injections(f.id())).isEqualTo(50);
    fx.chaos.clear(f.id());
    send(topic, "after");
    assertThat(drain(consumer("g-err", topic), 1)).containsExactly("after");
    assertThat(drain(consumer("g-err2", other), 50))
        .hasSize(50)
        .allMatch(v -> v.startsWith("kept"));
  }

  @Test
  void aDroppedSendIsNeverStoredAndFailsWhenTheFaultEnds() throws Exception {
    fx.start(new Fault.Blackhole(), produce(topic), Duration.ofSeconds(30));
    CompletableFuture<RecordMetadata> sent = producer.send(record(topic, "dropped"));
    fx.scheduler.advance(Duration.ofMillis(29_999));
    assertThat(sent).isNotDone(); // the caller was not blocked, the ack never comes
    fx.scheduler.advance(Duration.ofMillis(1));
    assertThatThrownBy(sent::get).cause().isInstanceOf(FaultInjectedException.class);
    assertThat(fx.chaos.active()).isEmpty(); // expired with the hang
    send(topic, "next");
    assertThat(drain(consumer("g-drop", topic), 1)).containsExactly("next");
  }

  @Test
  void aDuplicatedSendIsStoredOncePerCopy() throws Exception {
    fx.start(new Fault.DuplicateDelivery(2), produce(topic));
    RecordMetadata m = send(topic, "twice");
    fx.chaos.clearAll();
    assertThat(m.offset()).isZero(); // the caller's future is the first append's
    assertThat(drain(consumer("g-dup", topic), 3)).containsExactly("twice", "twice", "twice");
  }

  // ---- consume ----

  @Test
  void consumeLatencyDelaysThePollThatCarriesTheRecords() throws Exception {
    send(topic, "a");
    Consumer c = consumer("g-clat", topic);
    fx.start(Fault.Latency.of(Duration.ofSeconds(3)), consume("g-clat"));
    int pending = fx.scheduler.pendingTasks();
    CompletableFuture<List<String>> polled = ChaosFixture.async(() -> drain(c, 1));
    fx.awaitPending(pending + 1);
    fx.scheduler.advance(Duration.ofMillis(2_999));
    assertThat(polled).isNotDone();
    fx.scheduler.advance(Duration.ofMillis(1));
    assertThat(polled.get()).containsExactly("a");
  }

  @Test
  void aBlackholedConsumeDeliversNothingUntilTheFaultEndsAndLosesNothing() throws Exception {
    send(topic, "a");
    send(topic, "b");
    Consumer c = consumer("g-chole", topic);
    ActiveFault f = fx.start(new Fault.Blackhole(), consume("g-chole"));
    int pending = fx.scheduler.pendingTasks();
    CompletableFuture<List<String>> polled = ChaosFixture.async(() -> drain(c, 2));
    fx.awaitPending(pending + 1); // a poll that read the records hangs in the blackhole
    fx.scheduler.advance(POLL.minusMillis(1));
    assertThat(polled).isNotDone();
    fx.scheduler.advance(Duration.ofMillis(1)); // its timeout: it returns nothing, rewound
    fx.awaitPending(pending + 1); // the next poll read the same records again and hangs too
    assertThat(polled).isNotDone();
    assertThat(fx.chaos.injections(f.id())).isGreaterThanOrEqualTo(2);
    fx.chaos.clear(f.id());
    fx.scheduler.advance(POLL); // ends the hanging poll; the next one is outside any fault
    assertThat(polled.get()).containsExactly("a", "b");
  }

  @Test
  void duplicatedDeliveriesAreSkippedByTheInbox() throws Exception {
    for (int i = 0; i < 5; i++) {
      send(topic, "m" + i);
    }
    Consumer c = consumer("g-cdup", topic);
    ActiveFault f = fx.start(new Fault.DuplicateDelivery(1), consume("g-cdup"));
    List<EventRecord> delivered = new ArrayList<>();
    for (int i = 0; i < 60 && delivered.size() < 10; i++) {
      delivered.addAll(c.poll(POLL));
    }
    assertThat(delivered)
        .extracting(EventPointsKit::value)
        .containsExactly("m0", "m0", "m1", "m1", "m2", "m2", "m3", "m3", "m4", "m4");
    assertThat(fx.chaos.injections(f.id())).isEqualTo(5);

    List<String> processed = new ArrayList<>();
    Inbox inbox = Inbox.create("g-cdup");
    try (Connection tx = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("inbox.db"))) {
      inbox.createTable(tx);
      tx.setAutoCommit(false);
      for (EventRecord r : delivered) {
        inbox.process(tx, r, (t, rec) -> processed.add(value(rec)));
      }
      tx.commit();
    }
    assertThat(processed).containsExactly("m0", "m1", "m2", "m3", "m4");
  }

  @Test
  void reorderedDeliveriesMoveRecordsAtMostTheWindowLaterAndLoseNothing() throws Exception {
    int n = 40;
    for (int i = 0; i < n; i++) {
      send(topic, Integer.toString(i));
    }
    Consumer c = consumer("g-reo", topic);
    int window = 3;
    ActiveFault f =
        fx.chaos.start(
            FaultSpec.of(
                    new Fault.ReorderDelivery(window),
                    consume("g-reo").toBuilder().percent(40).build(),
                    ChaosFixture.LIFE)
                .withSeed(11));
    List<EventRecord> delivered = new ArrayList<>();
    for (int i = 0; i < 60 && delivered.size() < n; i++) {
      delivered.addAll(c.poll(POLL));
    }
    List<Long> offsets = delivered.stream().map(EventRecord::offset).toList();
    assertThat(offsets)
        .hasSize(n)
        .doesNotHaveDuplicates()
        .isNotEqualTo(offsets.stream().sorted().toList());
    for (int i = 0; i < n; i++) {
      long mine = offsets.get(i);
      long laterBefore = offsets.subList(0, i).stream().filter(o -> o > mine).count();
      assertThat(laterBefore)
          .as("records after offset %s delivered before it", mine)
          .isLessThanOrEqualTo(window);
    }
    assertThat(fx.chaos.injections(f.id())).isBetween(1L, (long) n - 1);
  }

  @Test
  void aConsumeErrorFailsThePollAndTheRecordsComeAgainOnceCleared() throws Exception {
    send(topic, "x");
    send(topic, "y");
    Consumer c = consumer("g-cerr", topic);
    ActiveFault f =
        fx.start(new Fault.Raise(IllegalArgumentException.class, "poison"), consume("g-cerr"));
    RuntimeException seen = null;
    for (int i = 0; i < 60 && seen == null; i++) {
      try {
        assertThat(c.poll(POLL)).isEmpty(); // nothing delivered while faulted
      } catch (IllegalArgumentException e) {
        seen = e;
      }
    }
    assertThat(seen).hasMessage("poison");
    fx.chaos.clear(f.id());
    assertThat(drain(c, 2)).containsExactly("x", "y");
  }

  @Test
  void anotherGroupIsOutsideTheRadiusAndNeverFaulted() throws Exception {
    for (int i = 0; i < 30; i++) {
      send(topic, "r" + i);
    }
    ActiveFault f =
        fx.start(new Fault.Raise(IllegalStateException.class, "no"), consume("g-victim"));
    assertThat(drain(consumer("g-bystander", topic), 30)).hasSize(30);
    assertThat(fx.chaos.injections(f.id())).isZero();
  }

  @Test
  void anExpiredConsumeFaultLeavesPollsAsBefore() throws Exception {
    send(topic, "p");
    Consumer c = consumer("g-exp", topic);
    fx.start(new Fault.DuplicateDelivery(3), consume("g-exp"), Duration.ofSeconds(5));
    fx.scheduler.advance(Duration.ofSeconds(5));
    assertThat(fx.chaos.active()).isEmpty();
    assertThat(drain(c, 1)).containsExactly("p");
    assertThat(c.poll(POLL)).isEmpty();
  }
}
