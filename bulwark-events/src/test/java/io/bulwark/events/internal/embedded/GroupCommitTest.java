package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.events.EventLogException;
import io.bulwark.events.EventLogListener;
import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's two-stage group commit (encode while the previous group syncs): every
 * acknowledgement follows the fsync that covers it, from either thread, under many producers, with
 * segment rolls and batches larger than the encode buffer; a failed fsync acknowledges nothing of
 * its group and nothing after it.
 */
@Timeout(180) // a hang guard: a lost hand-off would otherwise block forever
class GroupCommitTest {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  private static final int PARTITIONS = 4;
  private static final int PRODUCERS = 8;
  private static final int PER_PRODUCER = 1500;

  /** Value bytes: mostly small, some larger than the writer's 1 MiB encode buffer's share. */
  private static byte[] value(Random random, int producer, int i) {
    int size = i % 97 == 0 ? 300_000 : 16 + random.nextInt(2048);
    byte[] v = new byte[size];
    random.nextBytes(v);
    ByteBuffer.wrap(v).putInt(producer).putInt(i);
    return v;
  }

  @Test
  void everyAcknowledgementFollowsTheFsyncThatCoversItUnderManyProducers() throws Exception {
    Map<TopicPartition, AtomicLong> synced = new ConcurrentHashMap<>();
    Set<String> syncThreads = ConcurrentHashMap.newKeySet();
    EventLogListener listener =
        new EventLogListener() {
          @Override
          public void onGroupCommit(int batches, int partitions, long nanos) {
            syncThreads.add(Thread.currentThread().getName());
          }
        };
    List<String> violations = new CopyOnWriteArrayList<>();
    AtomicInteger acked = new AtomicInteger();
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(
            LogFixture.config(dir).segmentBytes(4 << 20).listener(listener).build())) {
      log.writer()
          .observeSyncs(
              (tp, end) ->
                  synced
                      .computeIfAbsent(tp, k -> new AtomicLong())
                      .accumulateAndGet(end, Math::max));
      log.createTopic(TopicSpec.of("t", PARTITIONS));
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < PRODUCERS; p++) {
        int producer = p;
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      Random random = new Random(producer);
                      try (Producer out =
                          log.producer(ProducerConfig.builder().maxBufferedRecords(500).build())) {
                        go.await();
                        for (int i = 0; i < PER_PRODUCER; i++) {
                          int partition = (producer + i) % PARTITIONS;
                          CompletableFuture<RecordMetadata> f =
                              out.send(
                                  OutgoingRecord.builder("t")
                                      .partition(partition)
                                      .value(value(random, producer, i))
                                      .build());
                          var unused =
                              f.thenAccept(
                                  m -> {
                                    TopicPartition tp = new TopicPartition("t", m.partition());
                                    AtomicLong end = synced.get(tp);
                                    if (end == null || end.get() <= m.offset()) {
                                      violations.add(tp + "@" + m.offset() + " acked before fsync");
                                    }
                                    acked.incrementAndGet();
                                  });
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
      }
      go.countDown();
      for (Thread t : threads) {
        t.join();
      }
      // close() flushed every producer: each send has been acknowledged by now
      assertThat(violations).isEmpty();
      assertThat(acked.get()).isEqualTo(PRODUCERS * PER_PRODUCER);
      assertThat(syncThreads).contains("bulwark-log-sync"); // the overlapped stage did run
      int total = 0;
      for (int p = 0; p < PARTITIONS; p++) {
        List<EventRecord> records = LogFixture.readAll(log, new TopicPartition("t", p));
        int[] lastSeen = new int[PRODUCERS];
        java.util.Arrays.fill(lastSeen, -1);
        for (int k = 0; k < records.size(); k++) {
          EventRecord r = records.get(k);
          assertThat(r.offset()).isEqualTo(k);
          ByteBuffer v = ByteBuffer.wrap(r.value());
          int producer = v.getInt();
          int i = v.getInt();
          assertThat(i)
              .as("producer %d order in partition %d", producer, p)
              .isGreaterThan(lastSeen[producer]);
          lastSeen[producer] = i;
        }
        total += records.size();
      }
      assertThat(total).isEqualTo(PRODUCERS * PER_PRODUCER);
    }
  }

  @Test
  void aFailedFsyncAcknowledgesNothingOfItsGroupOrAfterAndReopenKeepsEveryAck() throws Exception {
    TopicPartition tp = new TopicPartition("t", 0);
    AtomicInteger syncs = new AtomicInteger();
    List<Long> ackedOffsets = new ArrayList<>();
    int failed = 0;
    int sends = 4000;
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(LogFixture.config(dir).segmentBytes(1 << 20).build())) {
      log.createTopic(TopicSpec.of("t", 1));
      log.writer()
          .observeSyncs(
              (p, end) -> {
                if (syncs.incrementAndGet() == 5) {
                  throw new IllegalStateException("simulated fsync failure");
                }
              });
      List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
      try (Producer out = log.producer(ProducerConfig.builder().maxBufferedRecords(300).build())) {
        Random random = new Random(7);
        for (int i = 0; i < sends; i++) {
          byte[] v = new byte[512];
          random.nextBytes(v);
          ByteBuffer.wrap(v).putInt(i);
          CompletableFuture<RecordMetadata> f;
          try {
            f = out.send(OutgoingRecord.builder("t").partition(0).value(v).build());
          } catch (EventLogException e) {
            failed++;
            continue;
          }
          futures.add(f);
        }
      }
      for (CompletableFuture<RecordMetadata> f : futures) {
        if (f.isCompletedExceptionally()) {
          failed++;
          assertThatThrownBy(f::join).hasCauseInstanceOf(EventLogException.class);
        } else {
          ackedOffsets.add(f.join().offset());
        }
      }
      assertThat(failed).isPositive();
      long firstFailure = ackedOffsets.size();
      // acks are exactly a prefix: nothing written after the failed group was acknowledged
      for (int k = 0; k < ackedOffsets.size(); k++) {
        assertThat(ackedOffsets.get(k)).isEqualTo(k);
      }
      assertThat(log.partition(tp).durableEnd()).isEqualTo(firstFailure);
    }
    try (EmbeddedEventLog reopened =
        EmbeddedEventLog.open(LogFixture.config(dir).segmentBytes(1 << 20).build())) {
      List<EventRecord> records = LogFixture.readAll(reopened, tp);
      assertThat(records.size()).isGreaterThanOrEqualTo(ackedOffsets.size());
      for (int k = 0; k < ackedOffsets.size(); k++) {
        assertThat(ByteBuffer.wrap(records.get(k).value()).getInt()).isEqualTo(k);
      }
      LogFixture.sendAll(reopened, "t", 0, 3); // the partition is writable again after recovery
      assertThat(reopened.partition(tp).durableEnd()).isEqualTo(records.size() + 3L);
    }
  }

  @Test
  void flushFromAnAcknowledgementCallbackIsRefusedOnEitherThread() throws Exception {
    try (EmbeddedEventLog log =
        EmbeddedEventLog.open(LogFixture.config(dir).segmentBytes(4 << 20).build())) {
      log.createTopic(TopicSpec.of("t", 1));
      List<Throwable> refusals = new CopyOnWriteArrayList<>();
      try (Producer out = log.producer(ProducerConfig.builder().maxBufferedRecords(2000).build())) {
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
          boolean probe = i % 50 == 0;
          all.add(
              out.send(OutgoingRecord.builder("t").partition(0).value(new byte[1024]).build())
                  .whenComplete(
                      (m, e) -> {
                        if (probe) {
                          try {
                            out.flush();
                          } catch (IllegalStateException refused) {
                            refusals.add(refused);
                          }
                        }
                      }));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).join();
      }
      assertThat(refusals).isNotEmpty().allMatch(t -> t.getMessage().contains("would deadlock"));
    }
  }
}
