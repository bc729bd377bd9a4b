package io.bulwark.examples.shop.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogs;
import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer loop on a real embedded event log: order, retry until handled, commit after the
 * handled records, a clean stop, and an interrupt (a kill) that leaves the shared log readable.
 */
class ConsumerLoopTest {
  static final String TOPIC = "loop-test";
  static final int RECORDS = 10;
  static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

  EventLog log;

  @BeforeEach
  void open(@TempDir Path dir) throws Exception {
    log = EventLogs.embedded(EmbeddedLogConfig.builder(dir).build());
    log.createTopic(TopicSpec.of(TOPIC, 1));
    try (Producer producer = log.producer(ProducerConfig.defaults())) {
      for (int i = 0; i < RECORDS; i++) {
        producer
            .send(
                OutgoingRecord.builder(TOPIC)
                    .key("k")
                    .value(Integer.toString(i).getBytes(StandardCharsets.UTF_8))
                    .build())
            .get();
      }
    }
  }

  @AfterEach
  void close() {
    if (log != null) {
      log.close();
    }
  }

  Consumer consumer(String group) {
    Consumer c =
        log.consumer(
            ConsumerConfig.builder(group).startFrom(ConsumerConfig.StartFrom.EARLIEST).build());
    c.subscribe(List.of(TOPIC));
    return c;
  }

  static String value(EventRecord r) {
    return new String(r.value(), StandardCharsets.UTF_8);
  }

  @Test
  void recordsAreHandledInOrderEachUntilItSucceedsThenTheirOffsetsCommitted() throws Exception {
    List<String> attempts = new CopyOnWriteArrayList<>();
    AtomicInteger failuresLeft = new AtomicInteger(2);
    CountDownLatch last = new CountDownLatch(1);
    AtomicBoolean stopping = new AtomicBoolean();
    ConsumerLoop.Handler handler =
        r -> {
          String v = value(r);
          attempts.add(v);
          if (v.equals("3") && failuresLeft.getAndDecrement() > 0) {
            throw new IllegalStateException("not yet");
          }
          if (v.equals(Integer.toString(RECORDS - 1))) {
            last.countDown();
          }
        };
    try (Consumer c = consumer("g");
        ConsumerLoop loop = new ConsumerLoop("test-loop", c, stopping::get)) {
      Thread t = Thread.ofVirtual().start(() -> loop.run(handler));
      assertThat(last.await(30, TimeUnit.SECONDS)).as("the last record was handled").isTrue();
      stopping.set(true);
      t.join(Duration.ofSeconds(30));
      assertThat(t.isAlive()).as("the loop ended once stopping").isFalse();
      // a batch is committed right after its last record, before the loop looks at stopping
      assertThat(c.committed(PARTITION)).isEqualTo(OptionalLong.of(RECORDS));
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      expected.add(Integer.toString(i));
      if (i == 3) {
        expected.add("3");
        expected.add("3");
      }
    }
    assertThat(attempts).isEqualTo(expected);
  }

  @Test
  void stoppingEndsTheLoopWhileARecordIsRetriedAndNothingIsCommitted() throws Exception {
    AtomicBoolean stopping = new AtomicBoolean();
    CountDownLatch tried = new CountDownLatch(1);
    AtomicInteger attempts = new AtomicInteger();
    ConsumerLoop.Handler handler =
        r -> {
          attempts.incrementAndGet();
          stopping.set(true);
          tried.countDown();
          throw new IllegalStateException("never");
        };
    try (Consumer c = consumer("g");
        ConsumerLoop loop = new ConsumerLoop("test-loop", c, stopping::get)) {
      Thread t = Thread.ofVirtual().start(() -> loop.run(handler));
      assertThat(tried.await(30, TimeUnit.SECONDS)).isTrue();
      t.join(Duration.ofSeconds(30));
      assertThat(t.isAlive()).isFalse();
      assertThat(attempts).hasValue(1);
      assertThat(c.committed(PARTITION)).as("no record was handled").isEmpty();
    }
  }

  @Test
  void anInterruptEndsTheLoopAndLeavesTheSharedLogReadable() throws Exception {
    CountDownLatch all = new CountDownLatch(RECORDS);
    try (Consumer c = consumer("g");
        ConsumerLoop loop = new ConsumerLoop("test-loop", c, () -> false)) {
      Thread t = Thread.ofVirtual().start(() -> loop.run(r -> all.countDown()));
      assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
      t.interrupt(); // a kill: the loop's thread is interrupted, waiting for a poll
      t.join(Duration.ofSeconds(30));
      assertThat(t.isAlive()).as("the loop ended on the interrupt").isFalse();
    }
    // the poll in progress ran on the loop's I/O thread: the log's files are still open
    List<String> read = new ArrayList<>();
    try (Consumer other = consumer("other")) {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (read.size() < RECORDS && System.nanoTime() < end) {
        for (EventRecord r : other.poll(Duration.ofMillis(200))) {
          read.add(value(r));
        }
      }
    }
    assertThat(read).hasSize(RECORDS).startsWith("0").endsWith(Integer.toString(RECORDS - 1));
  }
}
