package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.events.EmbeddedLogConfig;
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
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The producer's accumulator (one open batch per producer and partition, sealed by the writer when
 * it takes it): records sent while the writer is busy ride in the batch already queued, a lone send
 * is written at once, nothing is acknowledged before the fsync that covers it, and batch limits
 * (records, bytes, a record bigger than a batch, empty and null values) keep every record, once, in
 * send order.
 *
 * <p>The writer is held deterministically, not by timing: the fsync hook of the first group of each
 * sync lane waits on a latch, and one more lone record makes the writer wait for a free lane, so
 * the writer thread takes nothing from its queue while the test sends.
 */
@Timeout(180) // a hang guard: a lost batch would otherwise block forever
class ProducerAccumulatorTest {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  /** Sizes of the groups the writer committed: records per partition append, in order. */
  private final List<Integer> appends = new CopyOnWriteArrayList<>();

  private final List<Integer> groupBatches = new CopyOnWriteArrayList<>();

  private final EventLogListener listener =
      new EventLogListener() {
        @Override
        public void onAppend(TopicPartition partition, int records, int bytes) {
          appends.add(records);
        }

        @Override
        public void onGroupCommit(int batches, int partitions, long nanos) {
          groupBatches.add(batches);
        }
      };

  /** Partition and durable end told to the fsync hook, in order (before the acks they cover). */
  private final List<String> syncs = new CopyOnWriteArrayList<>();

  private static final ProducerConfig BIG_BUFFER =
      ProducerConfig.builder().maxBufferedRecords(10_000).build();

  private EmbeddedEventLog open(int maxBatchBytes) {
    return EmbeddedEventLog.open(
        EmbeddedLogConfig.builder(dir)
            .segmentBytes(8 << 20)
            .maxBatchBytes(maxBatchBytes)
            .listener(listener)
            .build());
  }

  /**
   * Holds every sync lane inside the fsync of its first group, and then the writer waiting for a
   * free lane, until {@link #release()}.
   */
  private static final class WriterGate {
    final Semaphore entered = new Semaphore(0);
    final CountDownLatch released = new CountDownLatch(1);
    final AtomicInteger toHold = new AtomicInteger(GroupSyncer.LANES);

    void install(EmbeddedEventLog log, List<String> syncs) {
      log.writer().observeSyncs((tp, end) -> syncs.add(tp.partition() + ":" + end));
      log.writer()
          .hookForces(
              (tp, end, lane) -> {
                if (toHold.getAndDecrement() > 0) {
                  entered.release();
                  try {
                    released.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              });
    }

    /**
     * Sends {@code LANES + 1} lone records to {@code partition}: one group per lane, each held in
     * its fsync, and one the writer holds while it waits for a lane. Returns their futures.
     */
    List<CompletableFuture<RecordMetadata>> hold(
        EmbeddedEventLog log, Producer producer, String topic, int partition)
        throws InterruptedException {
      List<CompletableFuture<RecordMetadata>> held = new ArrayList<>();
      for (int lane = 0; lane < GroupSyncer.LANES; lane++) {
        held.add(producer.send(record(topic, partition, tagged(8, -1 - lane))));
        entered.acquire(); // its group's fsync is entered (and held)
      }
      held.add(producer.send(record(topic, partition, tagged(8, -10))));
      while (!log.writer().waitsForSyncLane()) {
        Thread.onSpinWait(); // the writer took that record and waits for a lane: it is held
      }
      return held;
    }

    void release() {
      released.countDown();
    }
  }

  private static OutgoingRecord record(String topic, int partition, byte @Nullable [] value) {
    OutgoingRecord.Builder b = OutgoingRecord.builder(topic).partition(partition);
    return (value == null ? b : b.value(value)).build();
  }

  private static byte[] tagged(int size, long tag) {
    byte[] v = new byte[size];
    new Random(tag).nextBytes(v);
    if (size >= 8) {
      ByteBuffer.wrap(v).putLong(tag);
    }
    return v;
  }

  @Test
  void aLoneSendIsWrittenAndAcknowledgedWithoutAnotherSendOrFlush() throws Exception {
    try (EmbeddedEventLog log = open(1 << 20)) {
      log.writer().observeSyncs((tp, end) -> syncs.add(tp.partition() + ":" + end));
      log.createTopic(TopicSpec.of("t", 1));
      Producer producer = log.producer(BIG_BUFFER);
      // no flush, no second send: the ack must come from the batch queued by this send alone
      RecordMetadata first = producer.send(record("t", 0, tagged(64, 1))).get();
      assertThat(first.offset()).isZero();
      assertThat(syncs).as("one fsync covering exactly the lone record").containsExactly("0:1");
      RecordMetadata second = producer.send(record("t", 0, tagged(64, 2))).get();
      assertThat(second.offset()).isEqualTo(1);
      assertThat(syncs).as("the second send is not held for a third").containsExactly("0:1", "0:2");
      producer.close();
    }
    assertThat(appends).containsExactly(1, 1);
  }

  @Test
  void recordsSentWhileTheWriterIsBusyRideInTheBatchAlreadyQueued() throws Exception {
    try (EmbeddedEventLog log = open(1 << 20)) {
      WriterGate gate = new WriterGate();
      gate.install(log, syncs);
      log.createTopic(TopicSpec.of("t", 2));
      Producer producer = log.producer(BIG_BUFFER);
      List<CompletableFuture<RecordMetadata>> lone = gate.hold(log, producer, "t", 0);
      List<CompletableFuture<RecordMetadata>> burst = new ArrayList<>();
      for (int i = 1; i <= 300; i++) {
        burst.add(producer.send(record("t", 1, tagged(100, i))));
      }
      assertThat(lone).as("not acknowledged before its fsync returned").noneMatch(f -> f.isDone());
      assertThat(burst).noneMatch(CompletableFuture::isDone);
      gate.release();
      for (int i = 0; i < lone.size(); i++) {
        assertThat(lone.get(i).get().offset()).isEqualTo(i);
      }
      for (int i = 0; i < burst.size(); i++) {
        assertThat(burst.get(i).get().offset()).isEqualTo(i);
      }
      // the 300 records sent while the writer was busy went as one queued batch: one group,
      // one fsync, one encoded batch
      List<String> expected = new ArrayList<>();
      for (int k = 1; k <= GroupSyncer.LANES + 1; k++) {
        expected.add("0:" + k); // each lone record: its own group (one per lane, one held)
      }
      expected.add("1:300");
      assertThat(syncs).containsExactlyElementsOf(expected);
      assertThat(values(log, new TopicPartition("t", 1))).containsExactlyElementsOf(range(1, 300));
      producer.close();
    }
    List<Integer> lone = java.util.Collections.nCopies(GroupSyncer.LANES + 1, 1);
    List<Integer> expectedAppends = new ArrayList<>(lone);
    expectedAppends.add(300);
    assertThat(appends).containsExactlyElementsOf(expectedAppends);
    assertThat(groupBatches)
        .containsExactlyElementsOf(java.util.Collections.nCopies(lone.size() + 1, 1));
  }

  @Test
  void batchLimitsKeepEveryRecordOnceInSendOrder() throws Exception {
    int maxBatchBytes = 64 * 1024;
    // entry overhead without key and headers: timestamp 8, key length 4, value length 4, headers 4
    int exactBatch = (1 << 20) - 20; // fills the producer's 1 MiB batch exactly
    int[] sizes = {
      100, 0, -1, exactBatch, 8, exactBatch + 1, maxBatchBytes - 20, maxBatchBytes - 19, 17 << 20, 9
    };
    try (EmbeddedEventLog log = open(maxBatchBytes)) {
      WriterGate gate = new WriterGate();
      gate.install(log, syncs);
      log.createTopic(TopicSpec.of("t", 1));
      Producer producer = log.producer(BIG_BUFFER);
      List<CompletableFuture<RecordMetadata>> lone = gate.hold(log, producer, "t", 0);
      List<byte @Nullable []> sent = new ArrayList<>();
      List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
      long tag = 0;
      for (int size : sizes) {
        byte[] v = size < 0 ? null : tagged(size, tag++);
        sent.add(v);
        futures.add(producer.send(record("t", 0, v)));
      }
      for (int i = 0; i < 4097; i++) { // one more than a batch's record limit
        byte[] v = tagged(8, tag++);
        sent.add(v);
        futures.add(producer.send(record("t", 0, v)));
      }
      gate.release();
      int first = lone.size();
      lone.forEach(CompletableFuture::join);
      for (int i = 0; i < futures.size(); i++) {
        assertThat(futures.get(i).get().offset()).as("offset of send %d", i).isEqualTo(i + first);
      }
      List<EventRecord> stored = LogFixture.readAll(log, new TopicPartition("t", 0));
      assertThat(stored).hasSize(sent.size() + first);
      for (int i = 0; i < sent.size(); i++) {
        EventRecord r = stored.get(i + first);
        assertThat(r.offset()).isEqualTo(i + first);
        byte[] expected = sent.get(i);
        if (expected == null) {
          assertThat(r.value()).as("record %d", i).isNull();
        } else {
          assertThat(Arrays.equals(r.value(), expected)).as("bytes of record %d", i).isTrue();
        }
      }
      producer.close();
    }
  }

  @Test
  void manyProducersOnManyPartitionsAreAcknowledgedOnlyAfterTheirFsyncInSendOrder()
      throws Exception {
    int producers = 6;
    int partitions = 5;
    int perProducer = 4000;
    Map<TopicPartition, AtomicLong> synced = new ConcurrentHashMap<>();
    List<String> violations = new CopyOnWriteArrayList<>();
    try (EmbeddedEventLog log = open(256 * 1024)) {
      log.writer()
          .observeSyncs(
              (tp, end) ->
                  synced
                      .computeIfAbsent(tp, k -> new AtomicLong())
                      .accumulateAndGet(end, Math::max));
      log.createTopic(TopicSpec.of("t", partitions));
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int producer = p;
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      Random random = new Random(producer);
                      // a small buffer: the producer blocks on acks and refills batches often
                      try (Producer out =
                          log.producer(ProducerConfig.builder().maxBufferedRecords(700).build())) {
                        go.await();
                        long[] lastOffset = new long[partitions];
                        Arrays.fill(lastOffset, -1);
                        for (int i = 0; i < perProducer; i++) {
                          int partition = (i / (1 + random.nextInt(50))) % partitions;
                          byte[] v = new byte[16 + random.nextInt(1500)];
                          ByteBuffer.wrap(v).putInt(producer).putInt(i);
                          var unused =
                              out.send(record("t", partition, v))
                                  .thenAccept(
                                      m -> {
                                        TopicPartition tp = new TopicPartition("t", m.partition());
                                        AtomicLong end = synced.get(tp);
                                        if (end == null || end.get() <= m.offset()) {
                                          violations.add(tp + "@" + m.offset() + " before fsync");
                                        }
                                        // acks of one producer and partition come in send order
                                        synchronized (lastOffset) {
                                          if (m.offset() <= lastOffset[m.partition()]) {
                                            violations.add(tp + "@" + m.offset() + " out of order");
                                          }
                                          lastOffset[m.partition()] = m.offset();
                                        }
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
      assertThat(violations).isEmpty();
      Set<Long> seen = new HashSet<>();
      long total = 0;
      for (int partition = 0; partition < partitions; partition++) {
        int[] lastIndex = new int[producers];
        Arrays.fill(lastIndex, -1);
        List<EventRecord> records = LogFixture.readAll(log, new TopicPartition("t", partition));
        for (int i = 0; i < records.size(); i++) {
          assertThat(records.get(i).offset()).isEqualTo(i);
          ByteBuffer v = ByteBuffer.wrap(records.get(i).value());
          int producer = v.getInt();
          int index = v.getInt();
          assertThat(seen.add(((long) producer << 32) | index)).as("stored once").isTrue();
          assertThat(index)
              .as("send order of producer %d", producer)
              .isGreaterThan(lastIndex[producer]);
          lastIndex[producer] = index;
        }
        total += records.size();
      }
      assertThat(total).isEqualTo((long) producers * perProducer);
    }
  }

  private static List<Long> values(EmbeddedEventLog log, TopicPartition tp) {
    List<Long> out = new ArrayList<>();
    for (EventRecord r : LogFixture.readAll(log, tp)) {
      out.add(ByteBuffer.wrap(r.value()).getLong());
    }
    return out;
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }
}
