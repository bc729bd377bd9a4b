package io.bulwark.data.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.time.Clock;
import io.bulwark.events.EventLog;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.Serdes;
import io.bulwark.test.RecordingTelemetry;
import io.bulwark.test.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Distributed invalidation over one event log backend: three cache instances, writes on each, and
 * the guarantee that a read started after an invalidation's delivery on an instance never returns
 * the value from before the write; an instance that may have missed invalidations flushes.
 */
abstract class InvalidationCompatibilityKit {
  private static final AtomicInteger TOPICS = new AtomicInteger();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  /** A client of the backend; one per instance (they may share one embedded log). */
  protected abstract EventLog newLog(int instance) throws Exception;

  /** Creates the topic before the instances join (Kafka: waits for its leader). */
  protected void createTopic(String topic) throws Exception {}

  /** How many writes the consistency test drives. */
  protected int writes() {
    return Integer.getInteger("bulwark.cache.invalidationWrites", 150);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  /** How many writes the latency test drives (1,000 for the figure in docs/data.md). */
  protected int latencyWrites() {
    return Integer.getInteger("bulwark.cache.latencyWrites", 30);
  }

  private record Instance(
      ReadThroughCache<String, Long> cache,
      InvalidationChannel<String> channel,
      RecordingTelemetry telemetry) {}

  private List<Instance> instances(
      String topic, Clock clock, CacheLoader<String, Long> loader, CacheConfig config)
      throws Exception {
    return instances(topic, clock, loader, config, false);
  }

  /**
   * Three instances; with {@code recorded}, each records its telemetry (not for the spinning
   * readers of the consistency test: a recorded hit sample per 64 reads would swamp it).
   */
  private List<Instance> instances(
      String topic,
      Clock clock,
      CacheLoader<String, Long> loader,
      CacheConfig config,
      boolean recorded)
      throws Exception {
    createTopic(topic);
    List<Instance> list = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      EventLog log = newLog(i);
      InvalidationChannel<String> channel =
          InvalidationChannel.builder(log, Serdes.string())
              .topic(topic)
              .instanceId("node-" + i)
              .clock(clock)
              .pollTimeout(Duration.ofMillis(20))
              .build();
      RecordingTelemetry telemetry = new RecordingTelemetry();
      ReadThroughCache.Builder<String, Long> builder =
          ReadThroughCache.builder(config, loader).clock(clock).invalidation(channel);
      if (recorded) {
        builder.telemetry(telemetry);
      }
      ReadThroughCache<String, Long> cache = builder.build();
      closeables.add(cache);
      list.add(new Instance(cache, channel, telemetry));
    }
    return list;
  }

  private static String newTopic() {
    return "cache-inv-" + ProcessHandle.current().pid() + "-" + TOPICS.incrementAndGet();
  }

  @Test
  void aWriteIsNeverFollowedByAStaleReadAfterItsInvalidationIsDelivered() throws Exception {
    Map<String, Long> source = new ConcurrentHashMap<>();
    int keys = 16;
    for (int k = 0; k < keys; k++) {
      source.put("item-" + k, 0L);
    }
    List<Instance> nodes =
        instances(
            newTopic(),
            Clock.system(),
            key -> source.get(key),
            CacheConfig.builder("catalog").ttl(Duration.ofHours(1)).build());
    // floors.get(i).get(key): the version instance i has applied the invalidation of
    List<Map<String, Long>> floors = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      floors.add(new ConcurrentHashMap<>(source));
    }
    Queue<String> violations = new ConcurrentLinkedQueue<>();
    AtomicLong reads = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<?>> readerResults = new ArrayList<>();
    // platform threads: spinning virtual threads could starve the consumers' virtual threads
    try (ExecutorService readers = Executors.newFixedThreadPool(6)) {
      for (int i = 0; i < 3; i++) {
        for (int r = 0; r < 2; r++) {
          int node = i;
          readerResults.add(
              readers.submit(
                  () -> {
                    while (!stop.get()) {
                      String key = "item-" + ThreadLocalRandom.current().nextInt(keys);
                      long floor = floors.get(node).get(key);
                      Long seen = nodes.get(node).cache().get(key);
                      reads.incrementAndGet();
                      if (seen == null || seen < floor) {
                        violations.add(
                            "node " + node + " read " + key + "=" + seen + " < " + floor);
                      }
                    }
                    return null;
                  }));
        }
      }
      try {
        writeAndCheck(nodes, source, floors, violations, keys);
      } finally {
        stop.set(true);
      }
    }
    for (Future<?> r : readerResults) {
      r.get(); // a reader that threw fails the test
    }
    assertThat(violations).isEmpty();
    assertThat(reads.get()).isGreaterThan(writes());
    long invalidations = 0;
    for (Instance n : nodes) {
      invalidations += n.cache().stats().invalidations();
      assertThat(n.cache().stats().flushes()).isZero();
    }
    assertThat(invalidations).isEqualTo(3L * writes()); // each write: 1 local + 2 delivered
  }

  private void writeAndCheck(
      List<Instance> nodes,
      Map<String, Long> source,
      List<Map<String, Long>> floors,
      Queue<String> violations,
      int keys)
      throws InterruptedException {
    for (int w = 0; w < writes(); w++) {
      int writer = w % 3;
      String key = "item-" + ThreadLocalRandom.current().nextInt(keys);
      long version = source.merge(key, 1L, Long::sum); // the write to the source of truth
      RecordMetadata ack = nodes.get(writer).cache().invalidate(key);
      assertThat(ack).isNotNull();
      floors.get(writer).put(key, version);
      for (int i = 0; i < 3; i++) {
        if (i == writer) {
          continue;
        }
        assertThat(nodes.get(i).channel().awaitApplied(ack, Duration.ofSeconds(30)))
            .as("node %d applied %s", i, ack)
            .isTrue();
        floors.get(i).put(key, version);
        Long direct = nodes.get(i).cache().get(key);
        if (direct == null || direct < version) {
          violations.add(
              "writer's read on node " + i + ": " + key + "=" + direct + " < " + version);
        }
      }
    }
  }

  @Test
  void anInstanceThatLagsBeyondTheBoundFlushesEverything() throws Exception {
    VirtualClock clock = new VirtualClock();
    AtomicInteger loads = new AtomicInteger();
    List<Instance> nodes =
        instances(
            newTopic(),
            clock,
            key -> (long) loads.incrementAndGet(),
            CacheConfig.builder("lag")
                .ttl(Duration.ofHours(1))
                .maxInvalidationLag(Duration.ofSeconds(30))
                .build());
    Instance a = nodes.get(0);
    Instance b = nodes.get(1);
    Instance c = nodes.get(2);
    b.cache().get("x");
    b.cache().get("y");
    c.cache().get("y");
    b.channel().engine().pause(); // b stops consuming (a stalled instance)
    RecordMetadata ack = a.cache().invalidate("x");
    assertThat(c.channel().awaitApplied(ack, Duration.ofSeconds(30))).isTrue();
    clock.advance(Duration.ofSeconds(31)); // b gets the record 31 s after it was published
    b.channel().engine().resume();
    assertThat(b.channel().awaitApplied(ack, Duration.ofSeconds(30))).isTrue();
    assertThat(b.cache().stats().flushes()).isEqualTo(1);
    assertThat(b.cache().getIfPresent("y")).as("flushed, not just x").isNull();
    assertThat(c.cache().stats().flushes()).isZero();
    assertThat(c.cache().getIfPresent("y")).as("c was on time: only x evicted").isNotNull();
  }

  @Test
  void anOffsetGapOrAFailedPollFlushes() throws Exception {
    List<Instance> nodes =
        instances(
            newTopic(),
            Clock.system(),
            key -> 1L,
            CacheConfig.builder("gap").ttl(Duration.ofHours(1)).build());
    Instance a = nodes.get(0);
    Instance b = nodes.get(1);
    b.channel().engine().pause();
    RecordMetadata first = a.cache().invalidate("k1");
    RecordMetadata second = a.cache().invalidate("k2");
    b.cache().get("y");
    // b's consumer jumps past the first record, as an offset reset after a reconnect would
    b.channel().engine().seekOnNextPoll = second.offset();
    b.channel().engine().resume();
    assertThat(b.channel().awaitApplied(second, Duration.ofSeconds(30))).isTrue();
    assertThat(first.offset()).isLessThan(second.offset());
    assertThat(b.cache().stats().flushes()).isEqualTo(1);
    assertThat(b.cache().getIfPresent("y")).isNull();

    b.cache().get("z");
    b.channel().engine().pause();
    b.channel().engine().failNextPoll = true;
    RecordMetadata third = a.cache().invalidate("k3");
    b.channel().engine().resume();
    assertThat(b.channel().awaitApplied(third, Duration.ofSeconds(30))).isTrue();
    assertThat(b.cache().stats().flushes()).isEqualTo(2);
    assertThat(b.cache().getIfPresent("z")).isNull();
  }

  @Test
  void invalidationLatencyIsRecordedAndOwnRecordsAreNotReapplied() throws Exception {
    List<Instance> nodes =
        instances(
            newTopic(),
            Clock.system(),
            key -> 1L,
            CacheConfig.builder("own").ttl(Duration.ofHours(1)).build());
    Instance a = nodes.get(0);
    a.cache().get("k");
    RecordMetadata ack = a.cache().invalidate("k");
    a.cache().get("k"); // reloaded after the local eviction
    assertThat(a.channel().awaitApplied(ack, Duration.ofSeconds(30))).isTrue();
    assertThat(a.cache().getIfPresent("k")).as("own record does not evict again").isNotNull();
    assertThat(a.cache().stats().invalidations()).isEqualTo(1);
    for (int i = 1; i < 3; i++) {
      assertThat(nodes.get(i).channel().awaitApplied(ack, Duration.ofSeconds(30))).isTrue();
      assertThat(nodes.get(i).cache().stats().invalidations()).isEqualTo(1);
    }
  }

  @Test
  void eachDeliveredInvalidationRecordsOneLatencyWithinItsWriteToDeliveryWindow() throws Exception {
    Clock clock = Clock.system();
    List<Instance> nodes =
        instances(
            newTopic(),
            clock,
            key -> 1L,
            CacheConfig.builder("latency").ttl(Duration.ofHours(1)).build(),
            true);
    // per instance, per invalidation delivered to it: wall-clock milliseconds from just before
    // the writer's invalidate to just after this instance applied it
    List<List<Long>> windowsMillis =
        List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    List<Long> windowsNanos = new ArrayList<>();
    int writes = latencyWrites();
    for (int w = 0; w < writes; w++) {
      int writer = w % 3;
      String key = "item-" + w;
      long wallBefore = clock.wallMillis();
      long before = System.nanoTime();
      RecordMetadata ack = nodes.get(writer).cache().invalidate(key);
      assertThat(ack).isNotNull();
      for (int i = 0; i < 3; i++) {
        if (i == writer) {
          continue;
        }
        assertThat(nodes.get(i).channel().awaitApplied(ack, Duration.ofSeconds(30))).isTrue();
        windowsNanos.add(System.nanoTime() - before);
        windowsMillis.get(i).add(clock.wallMillis() - wallBefore);
      }
    }
    List<Long> recorded = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RecordingTelemetry t = nodes.get(i).telemetry();
      List<Long> latencies = t.durationsNanos("cache.latency.invalidation");
      List<Long> windows = windowsMillis.get(i);
      // one record per invalidation delivered (none for its own), each within its window
      assertThat(latencies).as("node %d", i).hasSize(windows.size());
      assertThat(t.red())
          .filteredOn(r -> r.name().equals("cache.latency.invalidation"))
          .hasSize(windows.size())
          .allMatch(r -> r.outcome() == io.bulwark.core.telemetry.Outcome.SUCCESS);
      for (int k = 0; k < windows.size(); k++) {
        assertThat(latencies.get(k))
            .as("node %d, delivery %d", i, k)
            .isBetween(0L, windows.get(k) * 1_000_000L);
      }
      assertThat(nodes.get(i).cache().stats().invalidations())
          .isEqualTo(windows.size() + (writes + 2 - i) / 3);
      recorded.addAll(latencies);
    }
    if (writes >= 1000) {
      System.out.printf(
          "invalidation latency over %d deliveries (%s): recorded p50 %.1f ms p99 %.1f ms;"
              + " write-to-applied window p50 %.2f ms p99 %.2f ms%n",
          recorded.size(),
          getClass().getSimpleName(),
          percentile(recorded, 0.50) / 1e6,
          percentile(recorded, 0.99) / 1e6,
          percentile(windowsNanos, 0.50) / 1e6,
          percentile(windowsNanos, 0.99) / 1e6);
    }
  }

  private static double percentile(List<Long> values, double q) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
  }
}
