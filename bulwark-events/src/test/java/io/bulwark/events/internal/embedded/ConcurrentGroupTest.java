package io.bulwark.events.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventLogException;
import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads at once: two producers and three group members that join while records flow and
 * commit as they go (rebalancing under load). Every record must be consumed at least once and the
 * group's committed offsets must end at the end of every partition.
 */
class ConcurrentGroupTest {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  @Test
  void membersJoiningUnderLoadTogetherConsumeEveryRecord() throws Exception {
    int partitions = 4;
    int perProducer = 1500;
    try (EmbeddedEventLog log = EmbeddedEventLog.open(EmbeddedLogConfig.builder(dir).build())) {
      log.createTopic(TopicSpec.of("t", partitions));
      Set<String> seen = ConcurrentHashMap.newKeySet();
      AtomicBoolean done = new AtomicBoolean();
      CountDownLatch allSeen = new CountDownLatch(1);
      CyclicBarrier start = new CyclicBarrier(5);
      ExecutorService pool = Executors.newFixedThreadPool(5);
      List<Future<?>> tasks = new ArrayList<>();
      for (int p = 0; p < 2; p++) {
        int id = p;
        tasks.add(
            pool.submit(
                () -> {
                  start.await();
                  try (Producer producer = log.producer(ProducerConfig.defaults())) {
                    List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
                    for (int i = 0; i < perProducer; i++) {
                      acks.add(
                          producer.send(
                              OutgoingRecord.of(
                                  "t", "k" + (i % 13), id + ":" + i, Serdes.string())));
                    }
                    acks.forEach(CompletableFuture::join);
                  }
                  return null;
                }));
      }
      for (int c = 0; c < 3; c++) {
        tasks.add(
            pool.submit(
                () -> {
                  start.await();
                  try (Consumer consumer = log.consumer(ConsumerConfig.builder("g").build())) {
                    consumer.subscribe(List.of("t"));
                    while (!done.get()) {
                      for (EventRecord r : consumer.poll(Duration.ofMillis(20))) {
                        seen.add(r.value(Serdes.string()));
                      }
                      if (seen.size() >= 2 * perProducer) {
                        allSeen.countDown();
                      }
                      try {
                        consumer.commitSync();
                      } catch (EventLogException rebalanced) {
                        // a partition moved to another member between poll and commit: redelivered
                        // there
                      }
                    }
                  }
                  return null;
                }));
      }
      allSeen.await(60, TimeUnit.SECONDS);
      done.set(true);
      for (Future<?> f : tasks) {
        f.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(seen).hasSize(2 * perProducer);
      long committed = 0;
      for (int p = 0; p < partitions; p++) {
        committed += log.offsets().committed("g", new TopicPartition("t", p)).orElse(0);
      }
      assertThat(committed).isLessThanOrEqualTo(2L * perProducer);
      try (Consumer last = log.consumer(ConsumerConfig.builder("g").build())) {
        last.subscribe(List.of("t"));
        long remaining = 0;
        List<EventRecord> batch = last.poll(Duration.ZERO);
        while (!batch.isEmpty()) {
          for (EventRecord r : batch) {
            remaining++;
            assertThat(seen).contains(r.value(Serdes.string()));
          }
          batch = last.poll(Duration.ZERO);
        }
        assertThat(committed + remaining).isGreaterThanOrEqualTo(2L * perProducer);
      }
    }
  }
}
