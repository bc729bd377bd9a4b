package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.events.BufferFullException;
import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EventLogException;
import io.bulwark.events.EventLogListener;
import io.bulwark.events.EventRecord;
import io.bulwark.events.Headers;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.ProducerConfig.WhenFull;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import io.bulwark.test.VirtualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBehaviourTest {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  private final VirtualClock clock = new VirtualClock();
  private final TopicPartition tp = new TopicPartition("t", 0);

  @Test
  void segmentsRollAndTimeRetentionDeletesOldSegmentsButNeverTheActiveOne() {
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(LogFixture.config(dir).clock(clock).build())) {
      log.createTopic(TopicSpec.builder("t").retention(Duration.ofHours(1)).build());
      LogFixture.sendAll(log, "t", 0, 50);
      int before = log.partition(tp).segmentCount();
      assertThat(before).isGreaterThan(3);
      clock.advance(Duration.ofHours(2));
      LogFixture.sendAll(log, "t", 50, 51);
      log.enforceRetention();
      PartitionLog p = log.partition(tp);
      assertThat(p.segmentCount()).isLessThan(before);
      assertThat(p.startOffset()).isPositive();
      List<EventRecord> left = LogFixture.readAll(log, tp);
      assertThat(left.get(left.size() - 1).value(Serdes.string())).isEqualTo("value-50");
      assertThat(left.get(0).offset()).isEqualTo(p.startOffset());
      try (Consumer c = log.consumer(ConsumerConfig.builder("g").build())) {
        c.subscribe(List.of("t"));
        assertThat(c.poll(Duration.ZERO).get(0).offset()).isEqualTo(p.startOffset());
      }
    }
  }

  @Test
  void sizeRetentionKeepsAPartitionNearItsLimit() {
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(LogFixture.config(dir).clock(clock).build())) {
      log.createTopic(TopicSpec.builder("t").retentionBytes(3000).build());
      LogFixture.sendAll(log, "t", 0, 100);
      log.enforceRetention();
      PartitionLog p = log.partition(tp);
      assertThat(p.sizeBytes()).isLessThanOrEqualTo(3000 + 1024);
      assertThat(p.durableEnd()).isEqualTo(100);
      assertThat(p.startOffset()).isPositive();
    }
  }

  @Test
  void producerStateIsForgottenOnceItsLastBatchIsOlderThanTheExpiration() {
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(
            LogFixture.config(dir)
                .clock(clock)
                .producerIdExpiration(Duration.ofHours(1))
                .build())) {
      log.createTopic(TopicSpec.of("t", 1));
      LogFixture.sendAll(log, "t", 0, 1); // one producer per call
      LogFixture.sendAll(log, "t", 1, 2);
      PartitionLog p = log.partition(tp);
      assertThat(p.producerCount()).isEqualTo(2);
      clock.advance(Duration.ofMinutes(59));
      LogFixture.sendAll(log, "t", 2, 3);
      log.enforceRetention();
      assertThat(p.producerCount()).as("none older than an hour yet").isEqualTo(3);
      clock.advance(Duration.ofMinutes(2));
      log.enforceRetention();
      assertThat(p.producerCount()).as("only the one that wrote 2 minutes ago").isEqualTo(1);
      assertThat(LogFixture.readAll(log, tp)).hasSize(3);
    }
  }

  @Test
  void retentionThatDeletesAProducersLastBatchForgetsItAsAReopenWould() {
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(LogFixture.config(dir).clock(clock).build())) {
      log.createTopic(TopicSpec.builder("t").retentionBytes(3000).build());
      LogFixture.sendAll(log, "t", 0, 1);
      LogFixture.sendAll(log, "t", 1, 100);
      assertThat(log.partition(tp).producerCount()).isEqualTo(2);
      log.enforceRetention();
      assertThat(log.partition(tp).startOffset()).isPositive();
      assertThat(log.partition(tp).producerCount()).isEqualTo(1);
    }
    try (EmbeddedEventLog reopened =
        EmbeddedEventLog.open(LogFixture.config(dir).clock(clock).build())) {
      assertThat(reopened.partition(tp).producerCount()).isEqualTo(1);
    }
  }

  @Test
  void aMemberSilentForItsSessionTimeoutIsRemovedAndItsPartitionsRedelivered() {
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(LogFixture.config(dir).clock(clock).build())) {
      log.createTopic(TopicSpec.of("t", 2));
      try (Producer p = log.producer(ProducerConfig.defaults())) {
        for (int i = 0; i < 20; i++) {
          p.send(
                  OutgoingRecord.builder("t")
                      .partition(i % 2)
                      .value(("v" + i).getBytes(StandardCharsets.UTF_8))
                      .build())
              .join();
        }
      }
      ConsumerConfig cfg =
          ConsumerConfig.builder("g").sessionTimeout(Duration.ofSeconds(10)).build();
      Consumer a = log.consumer(cfg);
      a.subscribe(List.of("t"));
      Consumer b = log.consumer(cfg);
      b.subscribe(List.of("t"));
      List<EventRecord> fromA = a.poll(Duration.ZERO);
      assertThat(a.assignment()).hasSize(1);
      assertThat(fromA).hasSize(10);
      b.poll(Duration.ZERO);
      b.commitSync();
      // a stops polling (a hung process); b keeps polling while time passes
      clock.advance(Duration.ofSeconds(6));
      b.poll(Duration.ZERO);
      assertThat(b.assignment()).hasSize(1);
      clock.advance(Duration.ofSeconds(6));
      List<EventRecord> redelivered = b.poll(Duration.ZERO);
      assertThat(b.assignment()).hasSize(2);
      assertThat(redelivered)
          .extracting(EventRecord::offset)
          .containsExactlyElementsOf(fromA.stream().map(EventRecord::offset).toList());
      // the presumed-dead member may not commit over its successor
      assertThatThrownBy(a::commitSync)
          .isInstanceOf(EventLogException.class)
          .hasMessageContaining("no longer assigned");
      a.close();
      b.close();
    }
  }

  @Test
  void theWriterDropsARetriedBatchByProducerIdAndSequence() {
    AtomicInteger dropped = new AtomicInteger();
    EventLogListener listener =
        new EventLogListener() {
          @Override
          public void onDuplicateDropped(TopicPartition partition, long producerId, int sequence) {
            dropped.incrementAndGet();
          }
        };
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(LogFixture.config(dir).listener(listener).build())) {
      log.createTopic(TopicSpec.of("t", 1));
      List<CompletableFuture<RecordMetadata>> first = append(log, 77, 0, 3);
      first.forEach(CompletableFuture::join);
      List<CompletableFuture<RecordMetadata>> retry = append(log, 77, 1, 4);
      List<Long> offsets = retry.stream().map(f -> f.join().offset()).toList();
      assertThat(offsets).containsExactly(-1L, -1L, 3L);
      assertThat(dropped).hasValue(2);
      assertThat(LogFixture.readAll(log, tp))
          .extracting(r -> r.value(Serdes.string()))
          .containsExactly("s0", "s1", "s2", "s3");
    }
    try (EmbeddedEventLog reopened = EmbeddedEventLog.open(LogFixture.config(dir).build())) {
      append(reopened, 77, 2, 5).forEach(CompletableFuture::join);
      assertThat(LogFixture.readAll(reopened, tp)).hasSize(5);
    }
  }

  private List<CompletableFuture<RecordMetadata>> append(
      EmbeddedEventLog log, long pid, int from, int to) {
    List<CompletableFuture<RecordMetadata>> out = new ArrayList<>();
    for (int seq = from; seq < to; seq++) {
      CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
      log.writer()
          .submit(
              new LogWriter.Append(
                  log.partition(tp),
                  new BatchCodec.Entry(
                      1, null, ("s" + seq).getBytes(StandardCharsets.UTF_8), Headers.empty()),
                  pid,
                  seq,
                  f));
      out.add(f);
    }
    return out;
  }

  @Test
  void aFullProducerBufferFailsFastOrBlocksThenFails() throws Exception {
    try (EmbeddedEventLog log = EmbeddedEventLog.open(LogFixture.config(dir).build())) {
      log.createTopic(TopicSpec.of("t", 1));
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Void> blocked = new CompletableFuture<>();
      log.writer()
          .submit(
              new LogWriter.Control(
                  () -> {
                    try {
                      release.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  },
                  blocked));
      Producer fast =
          log.producer(
              ProducerConfig.builder().maxBufferedRecords(2).whenFull(WhenFull.FAIL_FAST).build());
      CompletableFuture<RecordMetadata> a =
          fast.send(OutgoingRecord.of("t", "k", "a", Serdes.string()));
      CompletableFuture<RecordMetadata> b =
          fast.send(OutgoingRecord.of("t", "k", "b", Serdes.string()));
      assertThatThrownBy(() -> fast.send(OutgoingRecord.of("t", "k", "c", Serdes.string())))
          .isInstanceOf(BufferFullException.class)
          .hasMessageContaining("2 records unacknowledged");
      Producer blocking =
          log.producer(
              ProducerConfig.builder()
                  .maxBufferedRecords(1)
                  .whenFull(WhenFull.BLOCK)
                  .maxBlock(Duration.ofMillis(20))
                  .build());
      CompletableFuture<RecordMetadata> d =
          blocking.send(OutgoingRecord.of("t", "k", "d", Serdes.string()));
      assertThatThrownBy(() -> blocking.send(OutgoingRecord.of("t", "k", "e", Serdes.string())))
          .isInstanceOf(BufferFullException.class)
          .hasMessageContaining("whenFull=BLOCK");
      release.countDown();
      assertThat(List.of(a.join().offset(), b.join().offset(), d.join().offset()))
          .containsExactly(0L, 1L, 2L);
      assertThat(fast.send(OutgoingRecord.of("t", "k", "f", Serdes.string())).join().offset())
          .isEqualTo(3);
    }
  }

  @Test
  void concurrentSendsShareFsyncsThroughGroupCommit() throws Exception {
    AtomicInteger commits = new AtomicInteger();
    AtomicInteger records = new AtomicInteger();
    EventLogListener listener =
        new EventLogListener() {
          @Override
          public void onGroupCommit(int batches, int partitions, long nanos) {
            commits.incrementAndGet();
          }

          @Override
          public void onAppend(TopicPartition partition, int count, int bytes) {
            records.addAndGet(count);
          }
        };
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(
            io.bulwark.events.EmbeddedLogConfig.builder(dir).listener(listener).build())) {
      log.createTopic(TopicSpec.of("t", 2));
      try (Producer p = log.producer(ProducerConfig.defaults())) {
        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
          acks.add(p.send(OutgoingRecord.of("t", "k" + i, "v", Serdes.string())));
        }
        acks.forEach(CompletableFuture::join);
      }
    }
    assertThat(records).hasValue(2000);
    assertThat(commits.get()).isLessThan(2000 / 4);
  }

  @Test
  void aTransactionCommittedToTheJournalButNotAppliedIsReplayedOnceAtOpen() throws Exception {
    long pid = 4242;
    try (EmbeddedEventLog log = EmbeddedEventLog.open(LogFixture.config(dir).build())) {
      log.createTopic(TopicSpec.of("in", 1));
      log.createTopic(TopicSpec.of("out", 1));
      LogFixture.sendAll(log, "in", 0, 5); // the consumed input the offsets below point past
      TopicPartition out = new TopicPartition("out", 0);
      List<TxnJournal.Output> outputs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        outputs.add(
            new TxnJournal.Output(
                out,
                i,
                new BatchCodec.Entry(
                    1, null, ("o" + i).getBytes(StandardCharsets.UTF_8), Headers.empty())));
      }
      log.journal()
          .write(
              new TxnJournal.Entry(
                  "txn-a", pid, outputs, Map.of("g", Map.of(new TopicPartition("in", 0), 5L))));
      // the crash happened after the first output landed: append it, then "die"
      CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
      log.writer()
          .submit(new LogWriter.Append(log.partition(out), outputs.get(0).entry(), pid, 0, f));
      f.join();
    }
    for (int reopen = 0; reopen < 2; reopen++) {
      try (EmbeddedEventLog log = EmbeddedEventLog.open(LogFixture.config(dir).build())) {
        assertThat(LogFixture.readAll(log, new TopicPartition("out", 0)))
            .extracting(r -> r.value(Serdes.string()))
            .containsExactly("o0", "o1", "o2");
        assertThat(log.offsets().committed("g", new TopicPartition("in", 0))).hasValue(5);
      }
      try (var files = Files.list(dir.resolve("txn"))) {
        assertThat(files.toList()).isEmpty();
      }
    }
  }

  @Test
  void aTransactionOfAConsumerThatLostItsPartitionsToARebalanceIsFenced() {
    try (EmbeddedEventLog log = EmbeddedEventLog.open(LogFixture.config(dir).build())) {
      log.createTopic(TopicSpec.of("in", 2));
      log.createTopic(TopicSpec.of("out", 1));
      try (Producer p = log.producer(ProducerConfig.defaults())) {
        for (int i = 0; i < 6; i++) {
          p.send(
                  OutgoingRecord.builder("in")
                      .partition(i % 2)
                      .value(("v" + i).getBytes(StandardCharsets.UTF_8))
                      .build())
              .join();
        }
      }
      Consumer zombie = log.consumer(ConsumerConfig.builder("g").build());
      zombie.subscribe(List.of("in"));
      List<EventRecord> batch = zombie.poll(Duration.ZERO);
      assertThat(batch).hasSize(6);
      Producer tx = log.producer(ProducerConfig.builder().transactionalId("t1").build());
      tx.beginTransaction();
      Map<TopicPartition, Long> next = new java.util.HashMap<>();
      for (EventRecord r : batch) {
        var unused = tx.send(OutgoingRecord.builder("out").value(r.value()).build());
        next.put(r.topicPartition(), r.offset() + 1);
      }
      tx.sendOffsetsToTransaction(next, zombie);
      Consumer successor = log.consumer(ConsumerConfig.builder("g").build());
      successor.subscribe(List.of("in")); // rebalance: the zombie keeps only one partition
      assertThatThrownBy(tx::commitTransaction)
          .isInstanceOf(EventLogException.class)
          .hasMessageContaining("zombie fencing");
      assertThat(log.partition(new TopicPartition("out", 0)).durableEnd()).isZero();
      assertThat(log.offsets().committed("g", new TopicPartition("in", 0))).isEmpty();
      tx.close();
      zombie.close();
      successor.close();
    }
  }

  @Test
  void committedOffsetsSurviveAReopen() {
    try (EmbeddedEventLog log = EmbeddedEventLog.open(LogFixture.config(dir).build())) {
      log.createTopic(TopicSpec.of("t", 1));
      LogFixture.sendAll(log, "t", 0, 10);
      try (Consumer c = log.consumer(ConsumerConfig.builder("g").build())) {
        c.subscribe(List.of("t"));
        c.poll(Duration.ZERO);
        c.commitSync(Map.of(tp, 7L));
      }
    }
    try (EmbeddedEventLog log = EmbeddedEventLog.open(LogFixture.config(dir).build());
        Consumer c = log.consumer(ConsumerConfig.builder("g").build())) {
      c.subscribe(List.of("t"));
      assertThat(c.poll(Duration.ZERO).get(0).offset()).isEqualTo(7);
    }
  }
}
